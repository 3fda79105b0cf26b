// The health verdict; see health_check.hpp.
#include "mdrec/ops/health_check.hpp"

#include <fmt/format.h>

namespace mdrec::ops {

namespace {

std::string json_string(std::string_view text) {
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        } else {
            out += c;
        }
    }
    return out + "\"";
}

}  // namespace

std::string health_report::json() const {
    std::string out = fmt::format("{{\"status\":\"{}\",\"streams\":{},\"fresh\":{}",
                                  healthy ? "ok" : "unhealthy", streams, fresh);
    if (!reasons.empty()) {
        out += ",\"reasons\":[";
        for (std::size_t i = 0; i < reasons.size(); ++i) {
            if (i != 0) out += ',';
            out += json_string(reasons[i]);
        }
        out += ']';
    }
    return out + "}\n";
}

health_report check_health(const recorder_view& view, const health_thresholds& limits,
                           std::int64_t now_ns, const std::optional<std::string>& stall) {
    health_report report;
    report.streams = view.streams->size();
    for (stream_id id = 0; id < view.streams->size(); ++id) {
        if (!view.streams->active(id)) continue;  // removed by a reload
        const std::int64_t last = view.per_stream->last_data_ns(id);
        const std::int64_t age = now_ns - (last != 0 ? last : view.started_ns);
        if (age <= limits.stale_after.count()) {
            ++report.fresh;
        } else {
            report.reasons.push_back(fmt::format("{}: {} for {:.1f} s", view.streams->name(id),
                                                 last != 0 ? "no message" : "no message yet",
                                                 static_cast<double>(age) / 1e9));
        }
    }
    if (stall) report.reasons.push_back(*stall);
    if (view.writer->failing.load(std::memory_order_relaxed) != 0) {
        report.reasons.push_back("writer: the disk refuses writes (lines are kept and retried)");
    }
    const double fill =
        static_cast<double>(view.ring->used_bytes()) / static_cast<double>(view.ring->capacity());
    if (fill > limits.queue_fill_limit) {
        report.reasons.push_back(
            fmt::format("writer: not keeping up, queue {:.0f}% full", fill * 100));
    }
    report.healthy = report.reasons.empty();
    return report;
}

}  // namespace mdrec::ops
