// Logger set-up for the console, a terminal and journald; see log_setup.hpp.
#include "mdrec/ops/log_setup.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "mdrec/ops/status_line.hpp"

namespace mdrec::ops {

namespace {

std::shared_ptr<status_line_sink> terminal_sink;

// `%*` in the pattern: "<N>", the syslog priority prefix journald parses (sd-daemon(3)).
class priority_flag : public spdlog::custom_flag_formatter {
  public:
    void format(const spdlog::details::log_msg& message, const std::tm&,
                spdlog::memory_buf_t& dest) override {
        const char text[] = {'<', static_cast<char>('0' + syslog_priority(message.level)), '>'};
        dest.append(text, text + sizeof text);
    }
    std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<priority_flag>();
    }
};

constexpr const char* console_pattern = "%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ %v";

}  // namespace

int syslog_priority(spdlog::level::level_enum level) noexcept {
    switch (level) {
        case spdlog::level::trace:
        case spdlog::level::debug:
            return 7;  // LOG_DEBUG
        case spdlog::level::info:
            return 6;  // LOG_INFO
        case spdlog::level::warn:
            return 4;  // LOG_WARNING
        case spdlog::level::err:
            return 3;  // LOG_ERR
        case spdlog::level::critical:
            return 2;  // LOG_CRIT
        default:
            return 6;
    }
}

bool stderr_is_journal() noexcept {
    const char* stream = std::getenv("JOURNAL_STREAM");
    if (stream == nullptr) return false;
    unsigned long long device = 0, inode = 0;
    if (std::sscanf(stream, "%llu:%llu", &device, &inode) != 2) return false;
    struct stat st {};
    if (::fstat(STDERR_FILENO, &st) != 0) return false;
    // The variable is inherited by children whose stderr may point elsewhere: compare.
    return static_cast<unsigned long long>(st.st_dev) == device &&
           static_cast<unsigned long long>(st.st_ino) == inode;
}

void setup_logging(std::string_view level) {
    std::shared_ptr<spdlog::logger> logger;
    if (stderr_is_journal()) {
        auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
        auto formatter = std::make_unique<spdlog::pattern_formatter>();
        formatter->add_flag<priority_flag>('*').set_pattern("%*%v");
        sink->set_formatter(std::move(formatter));
        logger = std::make_shared<spdlog::logger>("mdrec", std::move(sink));
    } else if (::isatty(STDERR_FILENO) == 1) {
        terminal_sink = std::make_shared<status_line_sink>(stderr);
        terminal_sink->set_pattern(console_pattern);
        logger = std::make_shared<spdlog::logger>("mdrec", terminal_sink);
    } else {
        logger = std::make_shared<spdlog::logger>(
            "mdrec", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
        logger->set_pattern(console_pattern);
    }
    logger->set_level(spdlog::level::from_str(std::string(level)));
    spdlog::set_default_logger(std::move(logger));
}

std::shared_ptr<status_line_sink> status_sink() { return terminal_sink; }

}  // namespace mdrec::ops
