// One stream day into one verified archive; see day_archiver.hpp.
#include "mdrec/archive/day_archiver.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

#include <spdlog/spdlog.h>

#include "mdrec/archive/checksum_file.hpp"
#include "mdrec/archive/durable_file.hpp"
#include "mdrec/archive/kill_point.hpp"
#include "mdrec/archive/line_source.hpp"
#include "mdrec/archive/sha256.hpp"
#include "mdrec/archive/source_manifest.hpp"
#include "mdrec/record/line_format.hpp"

namespace mdrec::archive {

namespace {

constexpr std::size_t staging_bytes = 1u << 20;
constexpr std::int64_t ns_per_day = 86400LL * 1'000'000'000;

// What a source looked like when it was read: it is deleted only if it still looks the same.
struct source_stat {
    std::string path;
    off_t size = 0;
    timespec mtime{};
};

result<source_stat> stat_of(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return fail("cannot stat " + path + ": " + std::strerror(errno));
    return source_stat{path, st.st_size, st.st_mtim};
}

bool same(const source_stat& a, const source_stat& b) {
    return a.size == b.size && a.mtime.tv_sec == b.mtime.tv_sec && a.mtime.tv_nsec == b.mtime.tv_nsec;
}

// Line count and content hash of an archive, read back by decompressing it.
struct read_back {
    std::uint64_t lines = 0;
    std::string hash;
};

result<read_back> read_archive(const std::string& path) {
    auto source = line_source::open(path);
    if (!source) return tl::unexpected(source.error());
    if (!source->compressed()) return fail(path + " is not zstd data");
    read_back out;
    sha256 hash;
    for (;;) {
        auto line = source->next();
        if (!line) return tl::unexpected(line.error());
        if (!*line) break;
        if (!(*line)->terminated) return fail(path + ": last line has no newline");
        hash.update((*line)->text);
        hash.update("\n");
        ++out.lines;
    }
    out.hash = hash.hex_digest();
    return out;
}

// A bad source line as a reject record: the recorder's reject format plus where it was found.
std::string reject_record(std::int64_t ts, bool torn, std::string_view text,
                          const std::string& source, std::uint64_t line_no) {
    std::string line = record::format_reject_line(ts, torn ? "torn_tail" : "bad_line", 0,
                                                  std::span<const char>(text.data(), text.size()));
    line.resize(line.size() - 2);  // reopen the object: drop "}\n"
    line += R"(,"source":)";
    record::append_json_string(line, source);
    line += R"(,"line":)" + std::to_string(line_no) + "}\n";
    return line;
}

// Creates the archive folder and makes the new entries durable: the day folder, the venue
// folder and the archive folder itself.
result<void> make_archive_folder(const std::string& folder) {
    if (auto r = make_folders(folder); !r) return r;
    std::string dir = folder;
    for (int level = 0; level < 3; ++level) {
        if (auto r = sync_path(dir); !r) return r;
        const auto slash = dir.rfind('/');
        if (slash == std::string::npos || slash == 0) break;
        dir.resize(slash);
    }
    return {};
}

}  // namespace

archive_paths paths_for(const std::string& archive_dir, const stream_day& day) {
    archive_paths p;
    p.folder = archive_dir + "/" + day.venue + "/" + day.date;
    p.archive = p.folder + "/" + day.stream + ".jsonl.zst";
    p.rejects = p.folder + "/" + day.stream + ".rejects.jsonl.zst";
    p.manifest = p.folder + "/" + day.stream + ".sources";
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
    // Leftovers of an attempt that never committed: redone from the sources.
    for (const std::string& stale :
         {p.archive + ".tmp", p.archive + ".sha256", p.archive + ".sha256.tmp", p.rejects,
          p.rejects + ".tmp", p.rejects + ".sha256", p.rejects + ".sha256.tmp", p.manifest,
          p.manifest + ".tmp"}) {
        if (auto r = remove_file(stale); !r) return tl::unexpected(r.error());
    }
    if (auto r = make_archive_folder(p.folder); !r) return tl::unexpected(r.error());

    // 1. Stream every source, in hour order, through the line check into the archive (good
    //    lines) or the reject archive (anything else), hashing what goes into each.
    const std::string tmp = p.archive + ".tmp";
    auto sink = zstd_sink::create(tmp, settings_.zstd);
    if (!sink) return tl::unexpected(sink.error());
    std::optional<zstd_sink> rejects;
    sha256 good_hash, bad_hash;
    day_outcome outcome;
    source_manifest manifest;
    std::vector<source_stat> seen;
    std::string staging;
    staging.reserve(staging_bytes + line_source::max_line_bytes);
    std::int64_t last_ts = day.day * ns_per_day;
    std::uint64_t out_reported = 0;
    auto report_out = [&] {
        const std::uint64_t out = sink->bytes_out() + (rejects ? rejects->bytes_out() : 0);
        meter_.add(0, out - out_reported);
        out_reported = out;
    };
    auto flush = [&]() -> result<void> {
        good_hash.update(staging);
        auto r = sink->write(staging);
        meter_.add(staging.size(), 0);
        staging.clear();
        report_out();
        return r;
    };

    for (const auto& name : day.segments) {
        const std::string path = day.folder + "/" + name;
        auto before = stat_of(path);
        if (!before) return tl::unexpected(before.error());
        auto source = line_source::open(path);
        if (!source) return tl::unexpected(source.error());
        if (source->compressed()) return fail(path + " holds zstd data, not JSONL; left as it is");
        meter_.add_file();
        sha256 file_hash;
        std::uint64_t line_no = 0, file_bad = 0, bad_in = 0;
        for (;;) {
            auto line = source->next();
            if (!line) return tl::unexpected(line.error());
            if (!*line) break;
            const auto& [text, terminated, complete] = **line;
            ++line_no;
            file_hash.update(text);
            if (terminated) file_hash.update("\n");
            if (terminated && complete && check_.is_record(text)) {
                last_ts = *leading_ts(text);
                staging.append(text);
                staging += '\n';
                ++outcome.lines;
                if (staging.size() >= staging_bytes) {
                    if (auto r = flush(); !r) return tl::unexpected(r.error());
                }
                continue;
            }
            // Never dropped in silence: kept whole in the reject archive, and said once per file.
            const bool torn = !terminated && complete;
            if (file_bad++ == 0) {
                meter_.clear();
                spdlog::warn("consolidate: {} line {}: {}; kept in {}", path, line_no,
                             torn ? "torn last line (no newline)" : "not a JSON object with ts",
                             p.rejects);
            }
            if (!rejects) {
                auto created = zstd_sink::create(p.rejects + ".tmp", settings_.zstd);
                if (!created) return tl::unexpected(created.error());
                rejects.emplace(std::move(*created));
            }
            const std::string record = reject_record(last_ts, torn, text, name, line_no);
            bad_hash.update(record);
            if (auto r = rejects->write(record); !r) return tl::unexpected(r.error());
            bad_in += text.size() + (terminated ? 1 : 0);
            ++outcome.bad_lines;
        }
        meter_.add(bad_in, 0);
        if (file_bad > 1) {
            spdlog::warn("consolidate: {}: {} bad lines in all, kept in {}", path, file_bad,
                         p.rejects);
        }
        manifest.add({name, source->file_bytes_read(), file_hash.hex_digest()});
        seen.push_back(*before);
    }
    if (auto r = flush(); !r) return tl::unexpected(r.error());
    if (auto r = sink->finish(); !r) return tl::unexpected(r.error());
    if (rejects) {
        if (auto r = rejects->finish(); !r) return tl::unexpected(r.error());
    }
    report_out();
    kill_point("written");

    // 2. Read the archives back: same number of lines, same content hash as the sources gave.
    const std::string good_digest = good_hash.hex_digest();
    auto back = read_archive(tmp);
    if (!back) return fail("check of the new archive failed: " + back.error().message);
    if (back->lines != outcome.lines || back->hash != good_digest) {
        return fail(tmp + " does not read back as its sources (" + std::to_string(back->lines) +
                    " lines, expected " + std::to_string(outcome.lines) + "); sources kept");
    }
    if (rejects) {
        auto bad_back = read_archive(p.rejects + ".tmp");
        if (!bad_back) return fail("check of the reject archive failed: " + bad_back.error().message);
        if (bad_back->lines != outcome.bad_lines || bad_back->hash != bad_hash.hex_digest()) {
            return fail(p.rejects + ".tmp does not read back as written; sources kept");
        }
    }
    kill_point("verified");

    // 3. Commit: checksums and the source list first, the archive's rename last (the commit
    //    point), each made durable before the next step.
    if (rejects) {
        auto digest = sha256_of_file(p.rejects + ".tmp");
        if (!digest) return tl::unexpected(digest.error());
        if (auto r = rename_file(p.rejects + ".tmp", p.rejects); !r) return tl::unexpected(r.error());
        if (auto r = write_checksum_file(p.rejects, *digest); !r) return tl::unexpected(r.error());
    }
    auto digest = sha256_of_file(tmp);
    if (!digest) return tl::unexpected(digest.error());
    if (auto r = write_checksum_file(p.archive, *digest); !r) return tl::unexpected(r.error());
    if (auto r = write_file_durably(p.manifest, manifest.text()); !r) return tl::unexpected(r.error());
    if (auto r = sync_path(p.folder); !r) return tl::unexpected(r.error());
    if (auto r = rename_file(tmp, p.archive); !r) return tl::unexpected(r.error());
    if (auto r = sync_path(p.folder); !r) return tl::unexpected(r.error());
    kill_point("committed");

    // 4. Only now may the sources go, and only those that did not change since they were read.
    if (!settings_.keep_sources) {
        for (const auto& before : seen) {
            auto now = stat_of(before.path);
            if (!now) return tl::unexpected(now.error());
            if (!same(before, *now)) {
                return fail(before.path + " changed while it was being archived; sources kept");
            }
        }
        if (auto r = delete_sources(day, outcome.sources_deleted); !r) return tl::unexpected(r.error());
    }
    return outcome;
}

result<day_outcome> day_archiver::finish_earlier(const stream_day& day, const archive_paths& p) {
    day_outcome outcome;
    outcome.what = day_outcome::kind::already_archived;
    auto manifest = source_manifest::read(p.manifest);
    if (!manifest) return fail("archive " + p.archive + " has no valid source list (" +
                               manifest.error().message + "); sources kept");
    // Every remaining source must be one the archive was made from, unchanged.
    for (const auto& name : day.segments) {
        const std::string path = day.folder + "/" + name;
        const source_entry* entry = manifest->find(name);
        auto st = stat_of(path);
        if (!st) return tl::unexpected(st.error());
        if (entry == nullptr || static_cast<std::uint64_t>(st->size) != entry->size) {
            return fail(path + " is not in " + p.archive + " as it is now (written after the "
                        "archive was made?); left in place");
        }
    }
    if (settings_.keep_sources) return outcome;
    for (const auto& name : day.segments) {
        const std::string path = day.folder + "/" + name;
        auto digest = sha256_of_file(path);
        if (!digest) return tl::unexpected(digest.error());
        if (*digest != manifest->find(name)->sha256) {
            return fail(path + " differs from the copy in " + p.archive + "; left in place");
        }
    }
    // And the archive must still be the one that was checked.
    auto entry = read_checksum_file(p.archive + ".sha256");
    if (!entry) return fail(entry.error().message + "; sources kept");
    auto digest = sha256_of_file(p.archive);
    if (!digest) return tl::unexpected(digest.error());
    if (*digest != entry->hex) {
        return fail(p.archive + " does not match its checksum; sources kept");
    }
    outcome.what = day_outcome::kind::finished_earlier_run;
    if (auto r = delete_sources(day, outcome.sources_deleted); !r) return tl::unexpected(r.error());
    return outcome;
}

result<void> day_archiver::delete_sources(const stream_day& day, std::uint64_t& deleted) {
    for (const auto& name : day.segments) {
        if (auto r = remove_file(day.folder + "/" + name); !r) return r;
        if (++deleted == 1) kill_point("deleting");
    }
    if (auto r = sync_path(day.folder); !r) return r;
    // The day folder goes too once empty (anything unknown in it stays, and so does it).
    if (day.others.empty() && ::rmdir(day.folder.c_str()) == 0) {
        const auto slash = day.folder.rfind('/');
        if (slash != std::string::npos) {
            if (auto r = sync_path(day.folder.substr(0, slash)); !r) return r;
        }
    }
    return {};
}

}  // namespace mdrec::archive
