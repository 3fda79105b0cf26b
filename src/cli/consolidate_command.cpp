// `mdrec consolidate`: check the command line, run the consolidation, print one summary line.
#include <spdlog/spdlog.h>
#include <unistd.h>
#include <zstd.h>

#include <cstdio>
#include <filesystem>

#include "mdrec/archive/consolidation.hpp"
#include "mdrec/archive/stream_day.hpp"
#include "mdrec/cli/commands.hpp"
#include "mdrec/cli/recording.hpp"
#include "mdrec/common/clock.hpp"
#include "mdrec/common/data_layout.hpp"

namespace mdrec::cli {

namespace {

std::int64_t checked_date(const std::string& option, const std::string& text) {
    const auto day = archive::parse_date(text);
    if (!day) throw startup_error(option + ": bad date " + quote(text) + " (expected YYYY-MM-DD)");
    return *day;
}

// Checks the command line and turns it into a request: usage errors throw (exit 2) before
// anything is touched.
// --data-dir is the recorder's --out (DIR/<venue>/<stream>/...). One level too deep, at a
// venue folder, consolidation would find no venue and create DIR/archive among the streams:
// a folder that holds stream folders is refused with the folder to give instead.
void refuse_a_venue_folder(const std::string& data_dir) {
    std::error_code ec;
    for (std::filesystem::directory_iterator it(data_dir, ec), end; !ec && it != end;
         it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.find('@') == std::string::npos && name != data_layout::rejects_name) continue;
        auto venue = std::filesystem::absolute(data_dir).lexically_normal();
        if (!venue.has_filename()) venue = venue.parent_path();  // "DIR/binance-spot/"
        throw startup_error(
            "--data-dir " + quote(data_dir) +
            " is a venue folder (it holds stream folders such as " + quote(name) +
            "); give the recorder's --out instead: " + quote(venue.parent_path().string()));
    }
}

archive::consolidate_request make_request(const consolidate_options& options) {
    std::error_code ec;
    if (!std::filesystem::is_directory(options.data_dir, ec)) {
        throw startup_error("--data-dir: no such folder " + quote(options.data_dir));
    }
    refuse_a_venue_folder(options.data_dir);
    archive::consolidate_request request;
    request.data_dir = options.data_dir;
    request.settings.archive_dir = options.archive_dir;
    request.settings.keep_sources = options.keep_sources;
    request.settings.zstd.level = options.level;
    request.settings.zstd.threads = options.threads;
    request.settings.zstd.long_mode = options.long_mode;
    if (request.settings.zstd.level < 1 || request.settings.zstd.level > ZSTD_maxCLevel()) {
        throw startup_error("--level: " + std::to_string(options.level) + " is not in 1.." +
                            std::to_string(ZSTD_maxCLevel()));
    }
    if (options.threads < 0 || options.threads > 64) {
        throw startup_error("--threads: " + std::to_string(options.threads) + " is not in 0..64");
    }
    const std::int64_t today = archive::day_of(realtime_ns());
    if (!options.date.empty()) {
        request.date = checked_date("--date", options.date);
        if (*request.date >= today) {
            throw startup_error("--date: " + options.date +
                                " is not a finished UTC day (today is " +
                                archive::format_date(today) + ")");
        }
    }
    if (!options.until.empty()) request.until = checked_date("--until", options.until);
    request.progress = ::isatty(STDERR_FILENO) == 1;
    return request;
}

}  // namespace

int consolidate_command(const consolidate_options& options) {
    // 1. Logging first, so every problem is reported in the same format.
    setup_logging(options.log_level);

    // 2. Check the command line: usage errors exit 2 before anything is touched.
    const archive::consolidate_request request = make_request(options);

    // 3. Consolidate; per-day failures are logged as they happen and counted.
    auto report = archive::consolidate(request);
    if (!report) {
        std::fprintf(stderr, "mdrec: %s\n", report.error().message.c_str());
        return 1;
    }

    // 4. One line, the only output when all is well (under cron or systemd).
    std::printf("%s\n", report->line().c_str());
    std::fflush(stdout);
    return report->failed == 0 ? 0 : 1;
}

}  // namespace mdrec::cli
