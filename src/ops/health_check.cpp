// The health verdict; see health_check.hpp.
#include "mdrec/ops/health_check.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "mdrec/record/line_format.hpp"

namespace mdrec::ops {

std::string health_report::json() const {
    std::string out = fmt::format("{{\"status\":\"{}\",\"streams\":{},\"fresh\":{}",
                                  healthy ? "ok" : "unhealthy", streams, fresh);
    if (!reasons.empty()) {
        out += ",\"reasons\":[";
        for (std::size_t i = 0; i < reasons.size(); ++i) {
            if (i != 0) out += ',';
            record::append_json_string(out, reasons[i]);
        }
        out += ']';
    }
    return out + "}\n";
}

std::optional<std::string> stream_trouble(const recorder_view& view, stream_id id,
                                          const health_thresholds& limits, std::int64_t now_ns) {
    const ingest::stream_stats& s = (*view.per_stream)[id];
    const std::int64_t last = s.last_ts.load(std::memory_order_relaxed);
    const std::int64_t silent_since = s.silent_since.load(std::memory_order_relaxed);
    const std::int64_t quiet = now_ns - std::max(s.heard_ns(), view.started_ns);
    const bool silent = silent_since != 0 && last < silent_since;
    const bool stale = limits.stale_after.count() > 0 && quiet > limits.stale_after.count();
    if (!silent && !stale) return std::nullopt;
    const bool never = last == 0 || last < s.watched_since.load(std::memory_order_relaxed);
    return fmt::format("{}: {} for {:.1f} s{}", view.streams->name(id),
                       never ? "no message yet" : "no message", static_cast<double>(quiet) / 1e9,
                       s.not_served.load(std::memory_order_relaxed)
                           ? " (acknowledged, but the exchange does not serve it)"
                           : "");
}

health_report check_health(const recorder_view& view, const health_thresholds& limits,
                           std::int64_t now_ns, const std::optional<std::string>& stall) {
    health_report report;
    for (stream_id id = 0; id < view.streams->size(); ++id) {
        if (!view.streams->active(id)) continue;  // removed by a reload: gone from the report
        ++report.streams;
        if (auto trouble = stream_trouble(view, id, limits, now_ns)) {
            report.reasons.push_back(std::move(*trouble));
        } else {
            ++report.fresh;
        }
    }
    if (view.unknown != nullptr) {
        for (const auto& stream : view.unknown->get()) {
            report.reasons.push_back(
                fmt::format("{}: unknown symbol (the venue's exchangeInfo does not list it); "
                            "not recorded",
                            stream));
        }
    }
    if (stall) report.reasons.push_back(*stall);
    if (const auto refusing = view.writer->refusing_folders.load(std::memory_order_relaxed)) {
        report.reasons.push_back(fmt::format(
            "writer: {} stream folder{} refuse{} new files (their lines are dropped, counted and "
            "marked)",
            refusing, refusing == 1 ? "" : "s", refusing == 1 ? "s" : ""));
    }
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
