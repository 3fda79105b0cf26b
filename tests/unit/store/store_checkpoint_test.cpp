// Tests of the store's checkpoint (src/store/store_checkpoint.cpp) and of the commit that
// writes it (src/store/store_files.cpp): read back as written, damaged files refused, files cut
// back to their acknowledged size at start, new files listed before their first byte.
#include "mdrec/store/store_checkpoint.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "../support/temp_dir.hpp"
#include "mdrec/common/data_layout.hpp"
#include "mdrec/store/store_files.hpp"
#include "mdrec/writer/file_io.hpp"

namespace mdrec::store {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t hour_ns = 3'600'000'000'000;
constexpr std::int64_t t0 = 1764633600000000000;  // 2025-12-02T00:00:00Z

std::string line(std::int64_t ts, int n) {
    return "{\"ts\":" + std::to_string(ts) +
           ",\"stream\":\"a@trade\",\"data\":{\"n\":" + std::to_string(n) + "}}\n";
}

TEST(store_checkpoint, reads_back_what_it_wrote) {
    test::temp_dir dir;
    checkpoint cp;
    cp.stream = "MDREC";
    cp.consumer = "store-1";
    cp.sequence = 123456789012345ULL;
    cp.files["binance-spot/a@trade/2025-12-02/00.jsonl"] = 42;
    cp.files["binance-spot/_rejects/2025-12-02/00.jsonl"] = 0;
    cp.held = {{123456789012300ULL, 123456789012310ULL}, {123456789012345ULL, 123456789012345ULL}};
    const std::string path = checkpoint_path(dir.path().string(), "store-1");
    ASSERT_TRUE(write_checkpoint(path, cp));
    EXPECT_FALSE(fs::exists(path + ".tmp"));
    auto back = read_checkpoint(path);
    ASSERT_TRUE(back) << back.error().message;
    ASSERT_TRUE(back->has_value());
    EXPECT_EQ((*back)->sequence, cp.sequence);
    EXPECT_EQ((*back)->consumer, "store-1");
    EXPECT_EQ((*back)->files, cp.files);
    EXPECT_EQ((*back)->held, cp.held);
}

TEST(store_checkpoint, held_ranges_must_be_ordered_and_up_to_the_sequence) {
    test::temp_dir dir;
    const std::string path = (dir.path() / "cp.json").string();
    const std::string head = R"({"stream":"S","consumer":"c","sequence":9,"files":{},"held":)";
    test::write_file(path, head + "[[2,3],[5,9]]}");
    auto ok = read_checkpoint(path);
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_EQ((**ok).held.size(), 2u);
    for (const char* bad : {"[[5,9],[2,3]]}", "[[2,10]]}", "[[3,2]]}", "[[1,2,3]]}", "[1]}"}) {
        test::write_file(path, head + bad);
        EXPECT_FALSE(read_checkpoint(path)) << bad;
    }
    // A checkpoint written before held ranges existed reads as holding none.
    test::write_file(path, R"({"stream":"S","consumer":"c","sequence":9,"files":{}})");
    auto old = read_checkpoint(path);
    ASSERT_TRUE(old);
    EXPECT_TRUE((**old).held.empty());
}

TEST(store_checkpoint, no_file_is_a_first_start_and_a_damaged_one_an_error) {
    test::temp_dir dir;
    const std::string path = (dir.path() / "cp.json").string();
    auto none = read_checkpoint(path);
    ASSERT_TRUE(none);
    EXPECT_FALSE(none->has_value());
    test::write_file(path, "{\"stream\":\"MDREC\",\"sequ");
    EXPECT_FALSE(read_checkpoint(path));
    test::write_file(path,
                     "{\"stream\":\"S\",\"consumer\":\"c\",\"sequence\":1,\"files\":{\"../x\":1}}");
    EXPECT_FALSE(read_checkpoint(path));  // nothing outside --out is ever cut
}

TEST(store_checkpoint, truncate_cuts_files_back_to_their_acknowledged_size) {
    test::temp_dir dir;
    const fs::path a = dir.path() / "v" / "a.jsonl";
    const fs::path b = dir.path() / "v" / "b.jsonl";
    fs::create_directories(a.parent_path());
    test::write_file(a, line(1, 1) + line(2, 2));
    test::write_file(b, line(1, 1));
    checkpoint cp;
    cp.files["v/a.jsonl"] = line(1, 1).size();
    cp.files["v/b.jsonl"] = line(1, 1).size();
    cp.files["v/new.jsonl"] = 0;  // listed, never created: fine
    auto cut = truncate_to_checkpoint(dir.path().string(), cp);
    ASSERT_TRUE(cut) << cut.error().message;
    EXPECT_EQ(*cut, 1u);
    EXPECT_EQ(test::read_file(a), line(1, 1));
    EXPECT_EQ(test::read_file(b), line(1, 1));
    cp.files["v/b.jsonl"] = 1000;  // shorter than acknowledged: the disk lost lines
    EXPECT_FALSE(truncate_to_checkpoint(dir.path().string(), cp));
}

TEST(store_checkpoint, commit_writes_syncs_and_records_sizes_and_sequence) {
    test::temp_dir dir;
    const std::string out = dir.path().string();
    const std::string cp_path = checkpoint_path(out, "c");
    store_files files(out, writer::posix_files(), cp_path, checkpoint{"S", "c", 0, {}, {}});
    files.add("binance-spot", "a@trade", t0 + 5, line(t0 + 5, 1), queue::record_kind::data);
    files.add("binance-spot", "a@trade", t0 + hour_ns + 1, line(t0 + hour_ns + 1, 2),
              queue::record_kind::data);
    files.add("binance-spot", "a@trade", t0 + 6, line(t0 + 6, 3), queue::record_kind::data);
    EXPECT_TRUE(files.has_pending());
    ASSERT_TRUE(files.commit(7));
    EXPECT_FALSE(files.has_pending());
    const fs::path h0 = dir.path() / "binance-spot/a@trade/2025-12-02/00.jsonl";
    const fs::path h1 = dir.path() / "binance-spot/a@trade/2025-12-02/01.jsonl";
    EXPECT_EQ(test::read_file(h0), line(t0 + 5, 1) + line(t0 + 6, 3));  // by each line's hour
    EXPECT_EQ(test::read_file(h1), line(t0 + hour_ns + 1, 2));
    auto cp = read_checkpoint(cp_path);
    ASSERT_TRUE(cp && cp->has_value());
    EXPECT_EQ((*cp)->sequence, 7u);
    // The file written to last is open and listed at its durable size; the other is finished.
    EXPECT_EQ((*cp)->files.size(), 1u);
    EXPECT_EQ((*cp)->files.at("binance-spot/a@trade/2025-12-02/00.jsonl"), fs::file_size(h0));
}

// A crash after lines were written but before the checkpoint that covers them: the next start
// cuts them off (they were never acknowledged and come again).
TEST(store_checkpoint, a_crash_before_the_checkpoint_is_cut_back_at_start) {
    test::temp_dir dir;
    const std::string out = dir.path().string();
    const std::string cp_path = checkpoint_path(out, "c");
    {
        store_files files(out, writer::posix_files(), cp_path, checkpoint{"S", "c", 0, {}, {}});
        files.add("v", "a@trade", t0, line(t0, 1), queue::record_kind::data);
        ASSERT_TRUE(files.commit(1));
    }
    const fs::path h0 = dir.path() / "v/a@trade/2025-12-02/00.jsonl";
    const fs::path h1 = dir.path() / "v/a@trade/2025-12-02/01.jsonl";
    // What a killed store leaves: more lines in the listed file, and a new file the next
    // commit listed at size 0 before creating it.
    {
        auto cp = read_checkpoint(cp_path);
        ASSERT_TRUE(cp && cp->has_value());
        store_files files(out, writer::posix_files(), cp_path, **cp);
        files.add("v", "a@trade", t0 + hour_ns, line(t0 + hour_ns, 3), queue::record_kind::data);
        ASSERT_TRUE(files.commit(3));
        auto listed = read_checkpoint(cp_path);
        ASSERT_TRUE(listed && listed->has_value());
        EXPECT_EQ((*listed)->sequence, 3u);
        // Roll the checkpoint back to before that commit, as if it had not been renamed yet,
        // but with the new file already listed (the pre-listing).
        checkpoint before = **cp;
        before.files["v/a@trade/2025-12-02/01.jsonl"] = 0;
        test::write_file(h0, test::read_file(h0) + line(t0 + 1, 2));
        ASSERT_TRUE(write_checkpoint(cp_path, before));
    }
    auto cp = read_checkpoint(cp_path);
    ASSERT_TRUE(cp && cp->has_value());
    EXPECT_EQ((*cp)->sequence, 1u);
    auto cut = truncate_to_checkpoint(out, **cp);
    ASSERT_TRUE(cut) << cut.error().message;
    EXPECT_EQ(*cut, 2u);
    EXPECT_EQ(test::read_file(h0), line(t0, 1));
    EXPECT_EQ(test::read_file(h1), "");
}

TEST(store_checkpoint, a_file_is_listed_before_its_first_byte) {
    test::temp_dir dir;
    const std::string out = dir.path().string();
    const std::string cp_path = checkpoint_path(out, "c");
    // A file system that refuses writes: the commit fails after listing and opening.
    struct refusing_io : writer::posix_file_io {
        ssize_t writev(int, const iovec*, int) override { return -ENOSPC; }
    } io;
    store_files files(out, io, cp_path, checkpoint{"S", "c", 4, {}, {}});
    files.add("v", "_rejects", t0, line(t0, 1), queue::record_kind::reject);
    EXPECT_FALSE(files.commit(5));
    EXPECT_TRUE(files.has_pending());  // kept for the next try
    auto cp = read_checkpoint(cp_path);
    ASSERT_TRUE(cp && cp->has_value());
    EXPECT_EQ((*cp)->sequence, 4u);  // not acknowledged
    EXPECT_EQ((*cp)->files.at("v/_rejects/2025-12-02/00.jsonl"), 0u);
}

}  // namespace
}  // namespace mdrec::store
