// The store's files and its commit; see store_files.hpp.
#include "mdrec/store/store_files.hpp"

#include <sys/stat.h>

#include <algorithm>

#include "mdrec/common/data_layout.hpp"
#include "mdrec/common/sys_error.hpp"

namespace mdrec::store {

store_files::store_files(std::string out_dir, writer::file_io& files, std::string checkpoint_file,
                         checkpoint cp)
    : out_(std::move(out_dir)),
      files_(files),
      checkpoint_file_(std::move(checkpoint_file)),
      cp_(std::move(cp)) {}

store_files::~store_files() {
    // Nothing is written or synced here: what commit() did not make durable was not
    // acknowledged either, and JetStream delivers it again to the next start.
    for (auto& [key, d] : destinations_) {
        for (auto& seg : d.segments) seg.close(files_);
    }
}

std::string store_files::relative(const std::string& path) const {
    return path.substr(out_.size() + 1);
}

void store_files::add(std::string_view venue, std::string_view folder, std::int64_t ts,
                      std::string line, queue::record_kind kind) {
    std::string key;
    key.append(venue).append("/").append(folder);
    auto it = destinations_.find(key);
    if (it == destinations_.end()) {
        destination d;
        d.dir = data_layout::stream_folder(data_layout::venue_folder(out_, venue), folder);
        it = destinations_.emplace(std::move(key), std::move(d)).first;
    }
    destination& d = it->second;
    const std::int64_t hour = data_layout::hour_of(ts);
    // A line of another hour than the current file's (later, or a little earlier from a
    // recorder behind the others) goes to that hour's file, as the recorder does.
    if (d.segments.empty() || d.segments.back().hour() != hour) {
        auto same = std::find_if(d.segments.begin(), d.segments.end(),
                                 [&](const auto& s) { return s.hour() == hour; });
        if (same != d.segments.end()) {
            std::rotate(same, same + 1, d.segments.end());
        } else {
            d.segments.emplace_back(data_layout::segment_file(d.dir, hour), hour);
        }
    }
    pending_bytes_ += line.size();
    ++pending_lines_;
    d.segments.back().add_own(std::move(line), kind, ts);
}

result<void> store_files::list_new_files() {
    // A file is listed before its first byte is appended, at the size it has now (0 for a new
    // one): a crash between that append and the next checkpoint is then cut back at start.
    bool listed = false;
    for (auto& [key, d] : destinations_) {
        for (auto& seg : d.segments) {
            if (seg.is_open() || !seg.has_pending()) continue;
            const std::string name = relative(seg.path());
            if (cp_.files.contains(name)) continue;
            struct stat st {};
            const std::uint64_t size =
                ::stat(seg.path().c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
            cp_.files.emplace(name, size);
            listed = true;
        }
    }
    if (listed) MDREC_TRY(write_checkpoint(checkpoint_file_, cp_));
    return {};
}

result<void> store_files::open_new_files() {
    for (auto& [key, d] : destinations_) {
        for (auto& seg : d.segments) {
            if (seg.is_open() || !seg.has_pending()) continue;
            const std::string folder = data_layout::segment_folder(d.dir, seg.hour());
            const int created = files_.make_dirs(folder);
            if (created < 0) {
                return fail("cannot create " + folder + ": " + errno_text(-created));
            }
            for (auto& f : writer::parents_of_new_folders(folder, created)) {
                unsynced_folders_.push_back(std::move(f));
            }
            unsynced_folders_.push_back(folder);  // the file's own entry
            if (const int rc = seg.open(files_); rc < 0) {
                return fail("cannot open " + seg.path() + ": " + errno_text(-rc));
            }
        }
    }
    return {};
}

result<void> store_files::commit(std::uint64_t sequence,
                                 std::vector<std::pair<std::uint64_t, std::uint64_t>> held) {
    // 1. Files about to be appended to for the first time are listed in the checkpoint first.
    MDREC_TRY(list_new_files());
    MDREC_TRY(open_new_files());

    // 2. Every queued line written (a failed write leaves no partial line and keeps the rest).
    for (auto& [key, d] : destinations_) {
        for (auto& seg : d.segments) {
            if (!seg.has_pending()) continue;
            const std::size_t lines = seg.pending_lines();
            const int rc = seg.flush(files_, stats_, latency_);
            pending_lines_ -= lines - seg.pending_lines();
            if (rc != 0) return fail("cannot write " + seg.path() + ": " + errno_text(rc));
        }
    }
    pending_bytes_ = 0;

    // 3. Durable: the files' data, then the folders that hold new entries.
    for (auto& [key, d] : destinations_) {
        for (auto& seg : d.segments) {
            if (!seg.dirty()) continue;
            if (const int rc = seg.sync(files_); rc < 0) {
                return fail("cannot fdatasync " + seg.path() + ": " + errno_text(-rc));
            }
        }
    }
    std::sort(unsynced_folders_.begin(), unsynced_folders_.end());
    unsynced_folders_.erase(std::unique(unsynced_folders_.begin(), unsynced_folders_.end()),
                            unsynced_folders_.end());
    while (!unsynced_folders_.empty()) {
        if (const int rc = files_.sync_dir(unsynced_folders_.back()); rc < 0) {
            return fail("cannot fsync " + unsynced_folders_.back() + ": " + errno_text(-rc));
        }
        unsynced_folders_.pop_back();
    }

    // 4. Files of earlier hours are finished; the checkpoint lists the open ones at their
    //    durable sizes and the sequence they hold lines up to.
    checkpoint next = cp_;
    next.sequence = sequence;
    next.held = std::move(held);
    next.files.clear();
    for (auto& [key, d] : destinations_) {
        for (std::size_t i = 0; i + 1 < d.segments.size(); ++i) d.segments[i].close(files_);
        if (d.segments.size() > 1) d.segments.erase(d.segments.begin(), d.segments.end() - 1);
        const auto& seg = d.segments.back();
        if (seg.is_open())
            next.files[relative(seg.path())] = static_cast<std::uint64_t>(seg.size());
    }
    MDREC_TRY(write_checkpoint(checkpoint_file_, next));
    cp_ = std::move(next);
    return {};
}

}  // namespace mdrec::store
