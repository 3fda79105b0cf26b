// Tests of metrics_text (src/ops/metrics_text.cpp): the exposition format's lines, value
// spelling and escaping.
#include "mdrec/ops/metrics_text.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace mdrec::ops {
namespace {

TEST(metrics_text, renders_help_type_and_samples) {
    metrics_snapshot m;
    m.add("mdrec_x_total", metric_type::counter, "Things\nseen \\ here", 42);
    m.add("mdrec_y", metric_type::gauge, "Per stream",
          {{"", label("stream", "a\"b\\c\nd"), 1.5}, {"", label("stream", "e"), 0}});
    m.add("mdrec_z_seconds", metric_type::summary, "Time", {{"_sum", "", 0.25}, {"_count", "", 3}});
    EXPECT_EQ(render_metrics_text(m),
              "# HELP mdrec_x_total Things\\nseen \\\\ here\n"
              "# TYPE mdrec_x_total counter\n"
              "mdrec_x_total 42\n"
              "# HELP mdrec_y Per stream\n"
              "# TYPE mdrec_y gauge\n"
              "mdrec_y{stream=\"a\\\"b\\\\c\\nd\"} 1.5\n"
              "mdrec_y{stream=\"e\"} 0\n"
              "# HELP mdrec_z_seconds Time\n"
              "# TYPE mdrec_z_seconds summary\n"
              "mdrec_z_seconds_sum 0.25\n"
              "mdrec_z_seconds_count 3\n");
}

TEST(metrics_text, spells_values_as_the_format_wants) {
    EXPECT_EQ(format_metric_value(0), "0");
    EXPECT_EQ(format_metric_value(18446744073.0), "18446744073");
    EXPECT_EQ(format_metric_value(-3), "-3");
    EXPECT_EQ(format_metric_value(0.125), "0.125");
    EXPECT_EQ(format_metric_value(std::nan("")), "NaN");
    EXPECT_EQ(format_metric_value(std::numeric_limits<double>::infinity()), "+Inf");
    EXPECT_EQ(format_metric_value(-std::numeric_limits<double>::infinity()), "-Inf");
    EXPECT_EQ(format_metric_value(1e300), "1e+300");
}

}  // namespace
}  // namespace mdrec::ops
