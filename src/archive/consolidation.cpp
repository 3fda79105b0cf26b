// The consolidation run; see consolidation.hpp.
#include "mdrec/archive/consolidation.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <utility>
#include <vector>

#include "mdrec/archive/durable_file.hpp"
#include "mdrec/archive/progress_meter.hpp"
#include "mdrec/archive/stream_day.hpp"
#include "mdrec/common/clock.hpp"
#include "mdrec/common/data_layout.hpp"
#include "mdrec/common/sys_error.hpp"
#include "mdrec/writer/data_lock.hpp"

namespace mdrec::archive {

namespace fs = std::filesystem;

namespace {

constexpr std::int64_t ns_per_day = 86400LL * 1'000'000'000;

// One consolidation per archive folder at a time: an flock held for the run (dropped by the
// kernel if the process dies).
class run_lock {
  public:
    static result<run_lock> take(const std::string& archive_dir) {
        const std::string path =
            data_layout::file_in(archive_dir, data_layout::consolidate_lock_name);
        const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0) return fail("cannot open " + path + ": " + errno_text(errno));
        if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
            ::close(fd);
            return fail("another mdrec consolidate is already working on " + archive_dir);
        }
        return run_lock(fd);
    }
    run_lock(run_lock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
    run_lock& operator=(run_lock&&) = delete;
    ~run_lock() {
        if (fd_ >= 0) ::close(fd_);
    }

  private:
    explicit run_lock(int fd) : fd_(fd) {}
    int fd_ = -1;
};

// What a running recorder has open: the files of the hours it may still append to.
struct recorder_state {
    bool running = false;
    long pid = 0;  // 0: running, pid unknown
    bool files_known = false;
    std::vector<std::string> open_files;  // canonical paths
};

// `lock_dir` is the folder whose lock a recorder holds: a venue folder (or, for an mdrec older
// than the lock per venue, the whole data folder).
recorder_state look_at_recorder(const std::string& lock_dir) {
    recorder_state state;
    const auto pid = writer::data_lock::holder_pid(lock_dir);
    if (!pid) return state;
    state.running = true;
    state.pid = *pid;
    if (*pid <= 0) return state;
    std::error_code ec;
    const fs::path fds = "/proc/" + std::to_string(*pid) + "/fd";
    for (fs::directory_iterator it(fds, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code link_ec;
        const fs::path target = fs::read_symlink(it->path(), link_ec);
        if (!link_ec) state.open_files.push_back(target.string());
    }
    state.files_known = !ec;
    return state;
}

// Why a day is not consolidated now, or nothing if it may be.
std::optional<std::string> reason_to_wait(const stream_day& day, std::int64_t now,
                                          const recorder_state& recorder) {
    if (day.day >= day_of(now)) return "the UTC day is not over yet";
    if (!recorder.running) return std::nullopt;
    const std::string who = recorder.pid > 0
                                ? "a running recorder (pid " + std::to_string(recorder.pid) + ")"
                                : std::string("a running recorder");
    if (now < (day.day + 1) * ns_per_day + busy_grace_ns) {
        return "the day ended less than 5 min ago and " + who + " may still write it";
    }
    if (!recorder.files_known) {
        // Cannot see the recorder's files (another user?): only days before yesterday are safe.
        if (day.day >= day_of(now) - 1) return who + " holds files that cannot be inspected";
        return std::nullopt;
    }
    std::error_code ec;
    const std::string folder = fs::canonical(day.folder, ec).string() + "/";
    for (const auto& file : recorder.open_files) {
        if (file.rfind(folder, 0) == 0) return "a running recorder still has " + file + " open";
    }
    return std::nullopt;
}

// The recorder of each venue folder, looked at once per run: one recorder per venue, so a spot
// recorder never holds back a USD-M day.
class recorders {
  public:
    explicit recorders(std::string data_dir)
        : data_dir_(std::move(data_dir)), whole_folder_(look_at_recorder(data_dir_)) {}

    const recorder_state& of(const std::string& venue) {
        auto it = by_venue_.find(venue);
        if (it == by_venue_.end()) {
            recorder_state state = look_at_recorder(data_layout::venue_folder(data_dir_, venue));
            // An older mdrec holding the whole data folder may write any venue of it.
            if (!state.running) state = whole_folder_;
            it = by_venue_.emplace(venue, std::move(state)).first;
        }
        return it->second;
    }

  private:
    std::string data_dir_;
    recorder_state whole_folder_;
    std::map<std::string, recorder_state> by_venue_;
};

bool wanted(const stream_day& day, const consolidate_request& request) {
    if (request.date && day.day != *request.date) return false;
    if (request.until && day.day > *request.until) return false;
    return true;
}

}  // namespace

std::string consolidate_report::line() const {
    std::string out = "consolidated " + std::to_string(archived) + " stream-day" +
                      (archived == 1 ? "" : "s") + " (" + figures + "), " + std::to_string(lines) +
                      " lines, " + std::to_string(bad_lines) +
                      " bad lines kept in reject archives, " + std::to_string(sources_deleted) +
                      " sources deleted";
    if (finished > 0) out += ", " + std::to_string(finished) + " interrupted run(s) finished";
    if (untouched > 0) out += ", " + std::to_string(untouched) + " already archived";
    out +=
        ", " + std::to_string(skipped) + " not finished yet, " + std::to_string(failed) + " failed";
    return out;
}

result<consolidate_report> consolidate(const consolidate_request& request) {
    // 1. The archive folder and the run lock: one consolidation at a time.
    archive_settings settings = request.settings;
    if (settings.archive_dir.empty()) settings.archive_dir = request.data_dir + "/archive";
    if (auto r = make_folders(settings.archive_dir); !r) return tl::unexpected(r.error());
    auto lock = run_lock::take(settings.archive_dir);
    if (!lock) return tl::unexpected(lock.error());

    // 2. What is finished: the clock, and what each venue's running recorder has open right now.
    const std::int64_t now = realtime_ns();
    recorders running(request.data_dir);

    // 3. Every stream day in the data folder, oldest first.
    auto days = find_stream_days(request.data_dir, settings.archive_dir);
    if (!days) return tl::unexpected(days.error());

    // 4. Archive each finished one; a failure is logged and leaves its sources in place.
    consolidate_report report;
    progress_meter meter(request.progress);
    day_archiver archiver(settings, meter);
    for (const auto& day : *days) {
        if (!wanted(day, request)) continue;
        if (const auto why = reason_to_wait(day, now, running.of(day.venue))) {
            ++report.skipped;
            // A finished day held back is said at info level: "1 not finished yet" alone leaves
            // an operator guessing which recorder or file holds it. The current day, skipped by
            // every run, only at debug: under cron the summary stays the only output.
            meter.clear();
            spdlog::log(day.day >= day_of(now) ? spdlog::level::debug : spdlog::level::info,
                        "consolidate: {}/{} {} left for later: {}", day.venue, day.stream, day.date,
                        *why);
            continue;
        }
        auto outcome = archiver.run(day);
        if (!outcome) {
            ++report.failed;
            meter.clear();
            spdlog::error("consolidate: {}/{} {}: {}", day.venue, day.stream, day.date,
                          outcome.error().message);
            continue;
        }
        switch (outcome->what) {
            case day_outcome::kind::archived:
                ++report.archived;
                break;
            case day_outcome::kind::finished_earlier_run:
                ++report.finished;
                break;
            case day_outcome::kind::already_archived:
                ++report.untouched;
                break;
            case day_outcome::kind::nothing_to_do:
                break;
        }
        report.lines += outcome->lines;
        report.bad_lines += outcome->bad_lines;
        report.sources_deleted += outcome->sources_deleted;
    }
    meter.clear();
    report.figures = meter.figures();
    return report;
}

}  // namespace mdrec::archive
