// One stream day into one verified archive; see day_archiver.hpp.
#include "mdrec/archive/day_archiver.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <vector>

#include "mdrec/archive/checksum_file.hpp"
#include "mdrec/archive/day_writer.hpp"
#include "mdrec/archive/durable_file.hpp"
#include "mdrec/archive/kill_point.hpp"
#include "mdrec/archive/line_source.hpp"
#include "mdrec/archive/source_manifest.hpp"
#include "mdrec/common/data_layout.hpp"
#include "mdrec/common/sha256.hpp"
#include "mdrec/common/sys_error.hpp"

namespace mdrec::archive {

namespace {

// What a source looked like when it was read: it is deleted only if it still looks the same.
struct source_stat {
    std::string path;
    off_t size = 0;
    timespec mtime{};
};

result<source_stat> stat_of(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return fail("cannot stat " + path + ": " + errno_text(errno));
    return source_stat{path, st.st_size, st.st_mtim};
}

bool same(const source_stat& a, const source_stat& b) {
    return a.size == b.size && a.mtime.tv_sec == b.mtime.tv_sec &&
           a.mtime.tv_nsec == b.mtime.tv_nsec;
}

// Line count and content hash of an archive, read back by decompressing it.
struct read_back {
    std::uint64_t lines = 0;
    std::string hash;
};

result<read_back> read_archive(const std::string& path) {
    MDREC_TRY_ASSIGN(auto source, line_source::open(path));
    if (!source.compressed()) return fail(path + " is not zstd data");
    read_back out;
    sha256 hash;
    bool open = false;  // the last piece read had no newline after it
    for (;;) {
        MDREC_TRY_ASSIGN(const auto line, source.next());
        if (!line) break;
        // A line longer than line_source's limit comes in pieces: it is still one line.
        if (!line->continued) ++out.lines;
        hash.update(line->text);
        if (line->terminated) hash.update("\n");
        open = !line->terminated;
    }
    if (open) return fail(path + ": last line has no newline");
    out.hash = hash.hex_digest();
    return out;
}

// Creates the archive folder and makes the new entries durable: the day folder, the venue
// folder and the archive folder itself.
result<void> make_archive_folder(const std::string& folder) {
    MDREC_TRY(make_folders(folder));
    std::string dir = folder;
    for (int level = 0; level < 3; ++level) {
        MDREC_TRY(sync_path(dir));
        const auto slash = dir.rfind('/');
        if (slash == std::string::npos || slash == 0) break;
        dir.resize(slash);
    }
    return {};
}

// Leftovers of an attempt that never committed: redone from the sources.
result<void> remove_stale(const archive_paths& p) {
    for (const std::string& stale :
         {p.archive + ".tmp", p.archive + ".sha256", p.archive + ".sha256.tmp", p.rejects,
          p.rejects + ".tmp", p.rejects + ".sha256", p.rejects + ".sha256.tmp", p.manifest,
          p.manifest + ".tmp"}) {
        MDREC_TRY(remove_file(stale));
    }
    return {};
}

// Writes every source into the archives (.tmp), noting what each looked like when it was read.
result<day_written> write_sources(const stream_day& day, const archive_paths& p,
                                  const archive_settings& settings, progress_meter& meter,
                                  record::record_check& check, std::vector<source_stat>& seen) {
    MDREC_TRY_ASSIGN(auto writer, day_writer::create(p.archive + ".tmp", p.rejects, settings.zstd,
                                                     day.day, meter, check));
    for (const auto& name : day.segments) {
        const std::string path = data_layout::file_in(day.folder, name);
        MDREC_TRY_ASSIGN(const source_stat before, stat_of(path));
        MDREC_TRY(writer.add_source(path, name));
        seen.push_back(before);
    }
    return writer.finish();
}

// Both archives read back: the same number of lines and the same content hash as the sources
// gave, or the sources are kept.
result<void> check_read_back(const archive_paths& p, const day_written& written) {
    const std::string tmp = p.archive + ".tmp";
    auto back = read_archive(tmp);
    if (!back) return fail("check of the new archive failed: " + back.error().message);
    if (back->lines != written.lines || back->hash != written.good_sha256) {
        return fail(tmp + " does not read back as its sources (" + std::to_string(back->lines) +
                    " lines, expected " + std::to_string(written.lines) + "); sources kept");
    }
    if (written.bad_sha256) {
        auto bad_back = read_archive(p.rejects + ".tmp");
        if (!bad_back) {
            return fail("check of the reject archive failed: " + bad_back.error().message);
        }
        if (bad_back->lines != written.bad_records || bad_back->hash != *written.bad_sha256) {
            return fail(p.rejects + ".tmp does not read back as written; sources kept");
        }
    }
    return {};
}

// Checksums and the source list first, the archive's rename last (the commit point), each made
// durable before the next step.
result<void> commit(const archive_paths& p, const day_written& written) {
    const std::string tmp = p.archive + ".tmp";
    if (written.bad_sha256) {
        MDREC_TRY_ASSIGN(const std::string digest, sha256_of_file(p.rejects + ".tmp"));
        MDREC_TRY(rename_file(p.rejects + ".tmp", p.rejects));
        MDREC_TRY(write_checksum_file(p.rejects, digest));
    }
    MDREC_TRY_ASSIGN(const std::string digest, sha256_of_file(tmp));
    MDREC_TRY(write_checksum_file(p.archive, digest));
    MDREC_TRY(write_file_durably(p.manifest, written.sources.text()));
    MDREC_TRY(sync_path(p.folder));
    MDREC_TRY(rename_file(tmp, p.archive));
    MDREC_TRY(sync_path(p.folder));
    return {};
}

// A source is deleted only if it did not change since it was read.
result<void> check_unchanged(const std::vector<source_stat>& seen) {
    for (const auto& before : seen) {
        MDREC_TRY_ASSIGN(const source_stat now, stat_of(before.path));
        if (!same(before, now)) {
            return fail(before.path + " changed while it was being archived; sources kept");
        }
    }
    return {};
}

}  // namespace

archive_paths paths_for(const std::string& archive_dir, const stream_day& day) {
    archive_paths p;
    p.folder = data_layout::archive_day_folder(archive_dir, day.venue, day.date);
    auto named = [&p, &day](std::string_view extension) {
        return data_layout::file_in(p.folder, day.stream + std::string(extension));
    };
    p.archive = named(data_layout::archive_extension);
    p.rejects = named(data_layout::rejects_archive_extension);
    p.manifest = named(data_layout::sources_extension);
    return p;
}

result<day_outcome> day_archiver::run(const stream_day& day) {
    const archive_paths paths = paths_for(settings_.archive_dir, day);
    // The archive's existence is the commit point: with it, only the deletion may be left.
    const bool archived = ::access(paths.archive.c_str(), F_OK) == 0;
    if (day.segments.empty()) {
        // An empty day folder: left by a run killed between the deletions and its removal.
        day_outcome outcome;
        outcome.what = day_outcome::kind::nothing_to_do;
        if (archived && ::rmdir(day.folder.c_str()) == 0) {
            outcome.what = day_outcome::kind::finished_earlier_run;
        }
        return outcome;
    }
    if (archived) return finish_earlier(day, paths);
    auto outcome = build(day, paths);
    if (!outcome && ::access(paths.archive.c_str(), F_OK) != 0) {
        // Not committed: the half-made files only take space (a full disk is a likely cause).
        (void)remove_file(paths.archive + ".tmp");
        (void)remove_file(paths.rejects + ".tmp");
    }
    return outcome;
}

result<day_outcome> day_archiver::build(const stream_day& day, const archive_paths& p) {
    // 1. A clean start: leftovers of an uncommitted attempt go, the archive folder is made.
    MDREC_TRY(remove_stale(p));
    MDREC_TRY(make_archive_folder(p.folder));

    // 2. Write every source, in hour order, into the archive or the reject archive (.tmp).
    std::vector<source_stat> seen;
    MDREC_TRY_ASSIGN(const day_written written,
                     write_sources(day, p, settings_, meter_, check_, seen));
    kill_point("written");

    // 3. Read the archives back: same lines, same content hash as the sources gave.
    MDREC_TRY(check_read_back(p, written));
    kill_point("verified");

    // 4. Commit: checksums and the source list, then the rename.
    MDREC_TRY(commit(p, written));
    kill_point("committed");

    // 5. Only now may the sources go, and only those that did not change since they were read.
    day_outcome outcome;
    outcome.lines = written.lines;
    outcome.bad_lines = written.bad_lines;
    if (!settings_.keep_sources) {
        MDREC_TRY(check_unchanged(seen));
        MDREC_TRY(delete_sources(day, outcome.sources_deleted));
    }
    return outcome;
}

result<day_outcome> day_archiver::finish_earlier(const stream_day& day, const archive_paths& p) {
    day_outcome outcome;
    outcome.what = day_outcome::kind::already_archived;
    auto manifest = source_manifest::read(p.manifest);
    if (!manifest)
        return fail("archive " + p.archive + " has no valid source list (" +
                    manifest.error().message + "); sources kept");
    // Every remaining source must be one the archive was made from, unchanged.
    for (const auto& name : day.segments) {
        const std::string path = data_layout::file_in(day.folder, name);
        const source_entry* entry = manifest->find(name);
        MDREC_TRY_ASSIGN(const source_stat st, stat_of(path));
        if (entry == nullptr || static_cast<std::uint64_t>(st.size) != entry->size) {
            return fail(path + " is not in " + p.archive +
                        " as it is now (written after the "
                        "archive was made?); left in place");
        }
    }
    if (settings_.keep_sources) return outcome;
    for (const auto& name : day.segments) {
        const std::string path = data_layout::file_in(day.folder, name);
        MDREC_TRY_ASSIGN(const std::string digest, sha256_of_file(path));
        if (digest != manifest->find(name)->sha256) {
            return fail(path + " differs from the copy in " + p.archive + "; left in place");
        }
    }
    // And the archive must still be the one that was checked.
    auto entry = read_checksum_file(p.archive + ".sha256");
    if (!entry) return fail(entry.error().message + "; sources kept");
    MDREC_TRY_ASSIGN(const std::string digest, sha256_of_file(p.archive));
    if (digest != entry->hex) {
        return fail(p.archive + " does not match its checksum; sources kept");
    }
    outcome.what = day_outcome::kind::finished_earlier_run;
    MDREC_TRY(delete_sources(day, outcome.sources_deleted));
    return outcome;
}

result<void> day_archiver::delete_sources(const stream_day& day, std::uint64_t& deleted) {
    for (const auto& name : day.segments) {
        MDREC_TRY(remove_file(data_layout::file_in(day.folder, name)));
        if (++deleted == 1) kill_point("deleting");
    }
    MDREC_TRY(sync_path(day.folder));
    // The day folder goes too once empty (anything unknown in it stays, and so does it).
    if (day.others.empty() && ::rmdir(day.folder.c_str()) == 0) {
        const auto slash = day.folder.rfind('/');
        if (slash != std::string::npos) {
            MDREC_TRY(sync_path(day.folder.substr(0, slash)));
        }
    }
    return {};
}

}  // namespace mdrec::archive
