// Tests of status_line (src/ops/status_line.cpp): the line's figures, and that log lines clear
// and redraw it on a terminal.
#include "mdrec/ops/status_line.hpp"

#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <stdio.h>

namespace mdrec::ops {
namespace {

TEST(status_line, shows_rate_megabytes_drops_and_gaps) {
    const status_counts before{5, 1000, 0, 0, 0};
    const status_counts now{5, 3000, 12'345'678, 3, 1};
    EXPECT_EQ(render_status(before, now, 2.0),
              "recording 5 streams | 1000 msg/s | 12.3 MB written | 3 dropped | 1 gap");
    EXPECT_EQ(render_status(now, now, 0),
              "recording 5 streams | 0 msg/s | 12.3 MB written | 3 dropped | 1 gap");
}

TEST(status_line, log_lines_clear_and_redraw_the_status) {
    char* text = nullptr;
    std::size_t size = 0;
    std::FILE* out = ::open_memstream(&text, &size);
    {
        auto sink = std::make_shared<status_line_sink>(out);
        sink->set_pattern("%v");
        spdlog::logger logger("t", sink);
        logger.info("before");
        sink->show("status 1");
        logger.info("connected");
        sink->clear();
        logger.info("after");
    }
    std::fclose(out);
    const std::string got(text, size);
    std::free(text);
    EXPECT_EQ(got,
              "before\n"
              "\r\x1b[Kstatus 1"
              "\r\x1b[Kconnected\nstatus 1"
              "\r\x1b[K"
              "after\n");
}

}  // namespace
}  // namespace mdrec::ops
