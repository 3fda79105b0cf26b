// Tests of archive checks (src/archive/archive_verifier.cpp, line_source.cpp): a damaged,
// truncated or mismatched archive fails with a message naming the problem.
#include "mdrec/archive/archive_verifier.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "../support/temp_dir.hpp"
#include "mdrec/archive/checksum_file.hpp"
#include "mdrec/archive/zstd_sink.hpp"
#include "mdrec/common/sha256.hpp"

namespace mdrec::archive {
namespace {

std::string make_archive(const test::temp_dir& dir, const std::string& content) {
    const std::string path = (dir.path() / "s.jsonl.zst").string();
    auto sink = zstd_sink::create(path, zstd_settings{});
    EXPECT_TRUE(sink);
    EXPECT_TRUE(sink->write(content));
    EXPECT_TRUE(sink->finish());
    EXPECT_TRUE(write_checksum_file(path, *sha256_of_file(path)));
    return path;
}

std::string many_lines() {
    std::string out;
    for (int i = 0; i < 20000; ++i) {
        out += "{\"ts\":" + std::to_string(1763769600000000000LL + i) +
               ",\"n\":" + std::to_string(i * 7919 % 10007) + "}\n";
    }
    return out;
}

TEST(archive_verifier, accepts_a_good_archive) {
    test::temp_dir dir;
    const auto path = make_archive(dir, many_lines());
    archive_verifier verifier;
    auto ok = verifier.verify(path);
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_EQ(ok->lines, 20000u);
}

TEST(archive_verifier, a_missing_or_wrong_checksum_fails) {
    test::temp_dir dir;
    const auto path = make_archive(dir, many_lines());
    archive_verifier verifier;
    std::filesystem::remove(path + ".sha256");
    auto missing = verifier.verify(path);
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message.find("no checksum file"), std::string::npos);
    test::write_file(path + ".sha256", checksum_line(std::string(64, '0'), "s.jsonl.zst"));
    auto wrong = verifier.verify(path);
    ASSERT_FALSE(wrong);
    EXPECT_NE(wrong.error().message.find("does not match"), std::string::npos);
}

TEST(archive_verifier, a_truncated_archive_fails) {
    test::temp_dir dir;
    const auto path = make_archive(dir, many_lines());
    std::filesystem::resize_file(path, std::filesystem::file_size(path) / 2);
    test::write_file(path + ".sha256", checksum_line(*sha256_of_file(path), "s.jsonl.zst"));
    archive_verifier verifier;
    auto truncated = verifier.verify(path);
    ASSERT_FALSE(truncated);
    EXPECT_NE(truncated.error().message.find("truncated"), std::string::npos)
        << truncated.error().message;
}

TEST(archive_verifier, a_corrupt_archive_fails) {
    test::temp_dir dir;
    const auto path = make_archive(dir, many_lines());
    std::string bytes = test::read_file(path);
    bytes[bytes.size() / 2] ^= 0x5a;
    test::write_file(path, bytes);
    test::write_file(path + ".sha256", checksum_line(*sha256_of_file(path), "s.jsonl.zst"));
    archive_verifier verifier;
    auto corrupt = verifier.verify(path);
    ASSERT_FALSE(corrupt);
    EXPECT_NE(corrupt.error().message.find("corrupt"), std::string::npos)
        << corrupt.error().message;
}

TEST(archive_verifier, a_line_without_ts_fails_with_its_number) {
    test::temp_dir dir;
    const auto path = make_archive(dir, "{\"ts\":1,\"a\":1}\n{\"a\":2}\n");
    archive_verifier verifier;
    auto bad = verifier.verify(path);
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("line 2"), std::string::npos) << bad.error().message;
}

}  // namespace
}  // namespace mdrec::archive
