// Prometheus text exposition; see metrics_text.hpp.
#include "mdrec/ops/metrics_text.hpp"

#include <fmt/format.h>

#include <cmath>

namespace mdrec::ops {

namespace {

const char* type_name(metric_type type) {
    switch (type) {
        case metric_type::counter:
            return "counter";
        case metric_type::gauge:
            return "gauge";
        case metric_type::summary:
            return "summary";
    }
    return "untyped";
}

// HELP text escapes only backslash and newline.
std::string help_text(std::string_view help) {
    std::string out;
    for (const char c : help) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace

std::string format_metric_value(double value) {
    if (std::isnan(value)) return "NaN";
    if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
    // Counters are integers; below 2^53 a double holds them exactly.
    if (value == std::floor(value) && std::fabs(value) < 9007199254740992.0) {
        return fmt::format("{}", static_cast<std::int64_t>(value));
    }
    return fmt::format("{}", value);
}

std::string render_metrics_text(const metrics_snapshot& snapshot) {
    std::string out;
    out.reserve(8192);
    for (const auto& family : snapshot.families()) {
        out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", family.name, help_text(family.help),
                           family.name, type_name(family.type));
        for (const auto& sample : family.samples) {
            out += family.name;
            out += sample.suffix;
            if (!sample.labels.empty()) {
                out += '{';
                out += sample.labels;
                out += '}';
            }
            out += ' ';
            out += format_metric_value(sample.value);
            out += '\n';
        }
    }
    return out;
}

}  // namespace mdrec::ops
