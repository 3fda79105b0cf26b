// The dashboard's rings and their JSON; see dashboard_history.hpp.
#include "mdrec/ops/dashboard_history.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <optional>

#include "mdrec/ops/process_usage.hpp"
#include "mdrec/record/line_format.hpp"

namespace mdrec::ops {

namespace {

constexpr auto relaxed = std::memory_order_relaxed;
constexpr std::array<const char*, 6> event_kinds = {"connect", "disconnect", "rotation",
                                                    "gap",     "drop",       "silent"};

// A JSON number: finite, short.
std::string num(double v) {
    if (!std::isfinite(v)) return "0";
    return fmt::format("{:.4g}", v);
}

std::string percent_decode(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '+') {
            out += ' ';
        } else if (text[i] == '%' && i + 2 < text.size()) {
            unsigned value = 0;
            const auto [end, ec] =
                std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16);
            if (ec == std::errc() && end == text.data() + i + 3) {
                out += static_cast<char>(value);
                i += 2;
            } else {
                out += '%';
            }
        } else {
            out += text[i];
        }
    }
    return out;
}

template <typename T>
T number_or(std::string_view text, T fallback) {
    T value{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return ec == std::errc() && end == text.data() + text.size() ? value : fallback;
}

}  // namespace

dashboard_query dashboard_query::parse(std::string_view query) {
    dashboard_query q;
    while (!query.empty()) {
        const std::size_t amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query.remove_prefix(amp == std::string_view::npos ? query.size() : amp + 1);
        const std::size_t eq = pair.find('=');
        if (eq == std::string_view::npos) continue;
        const std::string_view key = pair.substr(0, eq), value = pair.substr(eq + 1);
        if (key == "since") {
            q.since_ms = std::max<std::int64_t>(0, number_or<std::int64_t>(value, 0));
        } else if (key == "offset") {
            q.offset = number_or<std::size_t>(value, 0);
        } else if (key == "limit") {
            q.limit = std::clamp<std::size_t>(number_or<std::size_t>(value, 50), 1, 1000);
        } else if (key == "filter") {
            q.filter = percent_decode(value);
        }
    }
    return q;
}

dashboard_history::dashboard_history(const recorder_view& view)
    : view_(view), points_(history_points), events_(max_events) {
    if (view_.latency != nullptr) {
        last_buckets_.resize(writer::latency_histogram::bucket_count);
    }
}

dashboard_history::event_counters dashboard_history::read_event_counters() const {
    const ingest::ingest_stats& in = *view_.ingest;
    return {in.connects.load(relaxed),          in.disconnects.load(relaxed),
            in.rotations_started.load(relaxed), in.sequence_gaps.load(relaxed),
            in.dropped.load(relaxed),           in.silent_streams.load(relaxed)};
}

void dashboard_history::sample(std::int64_t now_ns) {
    const std::uint64_t messages = view_.ingest->data_messages.load(relaxed);
    const std::uint64_t bytes = view_.ingest->data_bytes.load(relaxed);
    const event_counters counters = read_event_counters();
    const double cpu = process_cpu_seconds();
    if (last_ns_ == 0) {  // the first call only sets the baseline
        last_ns_ = now_ns;
        last_messages_ = messages;
        last_bytes_ = bytes;
        last_events_ = counters;
        last_cpu_s_ = cpu;
        sample_latency(points_[0]);
        sample_streams(0);
        return;
    }
    const double seconds = static_cast<double>(now_ns - last_ns_) / 1e9;
    if (seconds <= 0) return;
    point p;
    p.t_ms = now_ns / 1'000'000;
    p.messages_per_s = static_cast<double>(messages - last_messages_) / seconds;
    p.mb_per_s = static_cast<double>(bytes - last_bytes_) / seconds / 1e6;
    p.cpu_percent = (cpu - last_cpu_s_) / seconds * 100;
    p.rss_mb = process_resident_bytes() / 1e6;
    const double capacity = static_cast<double>(view_.ring->capacity());
    p.queue_percent = static_cast<double>(view_.ring->used_bytes()) / capacity * 100;
    p.high_water_percent =
        static_cast<double>(view_.writer->queue_high_water.load(relaxed)) / capacity * 100;
    sample_latency(p);
    sample_streams(seconds);

    points_[(first_ + count_) % history_points] = p;
    if (count_ < history_points) {
        ++count_;
    } else {
        first_ = (first_ + 1) % history_points;
    }
    for (std::size_t k = 0; k < event_counter_count; ++k) {
        if (counters[k] <= last_events_[k]) continue;
        events_[(first_event_ + event_count_) % max_events] =
            event{p.t_ms, event_kinds[k], counters[k] - last_events_[k]};
        if (event_count_ < max_events) {
            ++event_count_;
        } else {
            first_event_ = (first_event_ + 1) % max_events;
        }
    }
    last_ns_ = now_ns;
    last_messages_ = messages;
    last_bytes_ = bytes;
    last_events_ = counters;
    last_cpu_s_ = cpu;
}

// p50 and p99 of the delays written since the last sample: the difference of two readings of
// the writer's cumulative histogram (exact counts per bucket, so within its ~3 %).
void dashboard_history::sample_latency(point& p) {
    if (view_.latency == nullptr) return;
    const writer::latency_histogram& h = *view_.latency;
    std::uint64_t total = 0;
    std::vector<std::uint64_t> fresh(last_buckets_.size());
    for (std::size_t i = 0; i < fresh.size(); ++i) {
        const std::uint64_t now = h.bucket(i);
        fresh[i] = now - last_buckets_[i];
        total += fresh[i];
        last_buckets_[i] = now;
    }
    if (total == 0) return;
    auto rank_value = [&](double q) {
        const auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(total)));
        std::uint64_t seen = 0;
        for (std::size_t i = 0; i < fresh.size(); ++i) {
            seen += fresh[i];
            if (seen >= rank) return writer::latency_histogram::bucket_upper(i);
        }
        return std::uint64_t{0};
    };
    p.p50_us = static_cast<double>(rank_value(0.50)) / 1e3;
    p.p99_us = static_cast<double>(rank_value(0.99)) / 1e3;
}

void dashboard_history::sample_streams(double seconds) {
    const std::size_t n = view_.streams->size();
    if (spark_.size() < n) {
        spark_.resize(n, std::array<float, spark_points>{});
        stream_messages_.resize(n, 0);
    }
    for (stream_id id = 0; id < n; ++id) {
        const std::uint64_t messages = (*view_.per_stream)[id].messages.load(relaxed);
        spark_[id][spark_column_] =
            seconds > 0
                ? static_cast<float>(static_cast<double>(messages - stream_messages_[id]) / seconds)
                : 0.0f;
        stream_messages_[id] = messages;
    }
    if (seconds > 0) spark_column_ = (spark_column_ + 1) % spark_points;
}

std::array<double, 2> dashboard_history::latest_latency_seconds() const {
    if (count_ == 0) return {0, 0};
    const point& p = points_[(first_ + count_ - 1) % history_points];
    return {p.p50_us / 1e6, p.p99_us / 1e6};
}

std::string dashboard_history::json(const dashboard_query& query, const health_report& health,
                                    const health_thresholds& limits, std::int64_t now_ns) const {
    const ingest::ingest_stats& in = *view_.ingest;
    std::string out;
    out.reserve(16 * 1024);
    std::string health_json = health.json();
    health_json.pop_back();  // its '\n'
    out += fmt::format(
        "{{\"now\":{},\"started\":{},\"version\":\"{}\",\"health\":{},"
        "\"queue\":{{\"used\":{},\"capacity\":{},\"high_water\":{}}},"
        "\"totals\":{{\"messages\":{},\"bytes\":{},\"dropped\":{},\"gaps\":{},\"connects\":{},"
        "\"disconnects\":{},\"rotations\":{},\"write_errors\":{}}},",
        now_ns / 1'000'000, view_.started_ns / 1'000'000, MDREC_VERSION, health_json,
        view_.ring->used_bytes(), view_.ring->capacity(),
        view_.writer->queue_high_water.load(relaxed), in.data_messages.load(relaxed),
        in.data_bytes.load(relaxed), in.dropped.load(relaxed), in.sequence_gaps.load(relaxed),
        in.connects.load(relaxed), in.disconnects.load(relaxed), in.rotations_started.load(relaxed),
        view_.writer->write_errors.load(relaxed));
    render_history(out, query.since_ms);
    out += ',';
    render_streams(out, query, limits, now_ns);
    out += ',';
    render_events(out, query.since_ms);
    out += "}\n";
    return out;
}

void dashboard_history::render_history(std::string& out, std::int64_t since_ms) const {
    // Column arrays (t, then one per series): compact, and what a chart takes as it is.
    std::array<std::string, 9> columns;
    for (std::size_t i = 0; i < count_; ++i) {
        const point& p = points_[(first_ + i) % history_points];
        if (p.t_ms <= since_ms) continue;
        const double values[] = {p.messages_per_s, p.mb_per_s,           p.cpu_percent, p.rss_mb,
                                 p.queue_percent,  p.high_water_percent, p.p50_us,      p.p99_us};
        const bool first = columns[0].empty();
        for (std::size_t k = 0; k < columns.size(); ++k) {
            if (!first) columns[k] += ',';
            columns[k] += k == 0 ? std::to_string(p.t_ms) : num(values[k - 1]);
        }
    }
    static constexpr const char* names[] = {
        "t",      "messages_per_s", "mb_per_s",           "cpu_percent",
        "rss_mb", "queue_percent",  "high_water_percent", "p50_us",
        "p99_us"};
    out += "\"history\":{";
    for (std::size_t k = 0; k < columns.size(); ++k) {
        out += fmt::format("{}\"{}\":[{}]", k == 0 ? "" : ",", names[k], columns[k]);
    }
    out += '}';
}

void dashboard_history::render_streams(std::string& out, const dashboard_query& query,
                                       const health_thresholds& limits, std::int64_t now_ns) const {
    // Troubled streams first (they are what a person opens the page for), then by id; only
    // the asked page is rendered, so 1,000 streams cost one page of rows.
    struct row {
        stream_id id;
        std::optional<std::string> trouble;
    };
    std::vector<row> rows;
    std::size_t active = 0;
    for (stream_id id = 0; id < view_.streams->size(); ++id) {
        if (!view_.streams->active(id)) continue;
        ++active;
        if (!query.filter.empty() &&
            view_.streams->name(id).find(query.filter) == std::string_view::npos) {
            continue;
        }
        rows.push_back({id, stream_trouble(view_, id, limits, now_ns)});
    }
    std::stable_partition(rows.begin(), rows.end(), [](const row& r) { return r.trouble; });
    out += fmt::format("\"streams\":{{\"total\":{},\"matched\":{},\"offset\":{},\"rows\":[", active,
                       rows.size(), query.offset);
    const std::size_t end = std::min(rows.size(), query.offset + query.limit);
    for (std::size_t i = query.offset; i < end; ++i) {
        const stream_id id = rows[i].id;
        const ingest::stream_stats& s = (*view_.per_stream)[id];
        const std::int64_t heard = std::max(s.heard_ns(), view_.started_ns);
        const char* state =
            !rows[i].trouble ? "ok" : (s.not_served.load(relaxed) ? "not_served" : "silent");
        out += i == query.offset ? "{\"name\":" : ",{\"name\":";
        record::append_json_string(out, view_.streams->name(id));
        out += fmt::format(",\"state\":\"{}\",\"age\":{},\"messages\":{},\"drops\":{},\"gaps\":{}",
                           state, num(static_cast<double>(now_ns - heard) / 1e9),
                           s.messages.load(relaxed), s.dropped.load(relaxed),
                           s.sequence_gaps.load(relaxed));
        if (rows[i].trouble) {
            out += ",\"reason\":";
            record::append_json_string(out, *rows[i].trouble);
        }
        // The sparkline, oldest first; its last value is the current rate.
        out += ",\"spark\":[";
        if (id < spark_.size()) {
            for (std::size_t k = 0; k < spark_points; ++k) {
                if (k != 0) out += ',';
                out += num(spark_[id][(spark_column_ + k) % spark_points]);
            }
        }
        out += "]}";
    }
    out += "]}";
}

void dashboard_history::render_events(std::string& out, std::int64_t since_ms) const {
    out += "\"events\":[";
    bool first = true;
    for (std::size_t i = 0; i < event_count_; ++i) {
        const event& e = events_[(first_event_ + i) % max_events];
        if (e.t_ms <= since_ms) continue;
        out += fmt::format("{}{{\"t\":{},\"kind\":\"{}\",\"count\":{}}}", first ? "" : ",", e.t_ms,
                           e.kind, e.count);
        first = false;
    }
    out += ']';
}

}  // namespace mdrec::ops
