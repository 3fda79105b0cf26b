// GET /metrics: a metrics_snapshot rendered in the Prometheus text exposition format (0.0.4),
// the format every Prometheus-compatible scraper reads.
#pragma once

#include <string>

#include "mdrec/ops/metrics_snapshot.hpp"

namespace mdrec::ops {

// The Content-Type of the rendered text.
inline constexpr const char* metrics_content_type = "text/plain; version=0.0.4; charset=utf-8";

// `# HELP`, `# TYPE` and the samples of every family, each line ending in '\n'.
std::string render_metrics_text(const metrics_snapshot& snapshot);

// A sample value as the format spells it: integers without a fraction, NaN, +Inf, -Inf.
std::string format_metric_value(double value);

}  // namespace mdrec::ops
