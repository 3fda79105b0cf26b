// Tests of the checksum file format (src/archive/checksum_file.cpp): what consolidate writes is
// what `sha256sum -c` accepts, and what verify reads back.
#include "mdrec/archive/checksum_file.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

#include "../support/temp_dir.hpp"
#include "mdrec/common/sha256.hpp"

namespace mdrec::archive {
namespace {

constexpr const char* abc_sha256 =
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

TEST(checksum_file, line_is_hex_two_spaces_name) {
    EXPECT_EQ(checksum_line(abc_sha256, "a.jsonl.zst"),
              std::string(abc_sha256) + "  a.jsonl.zst\n");
}

TEST(checksum_file, sha256_of_known_input) {
    sha256 hash;
    hash.update("a");
    hash.update("bc");
    EXPECT_EQ(hash.hex_digest(), abc_sha256);
}

TEST(checksum_file, parses_text_and_binary_forms_and_rejects_others) {
    auto text = parse_checksum_line(std::string(abc_sha256) + "  x.zst\n");
    ASSERT_TRUE(text);
    EXPECT_EQ(text->hex, abc_sha256);
    EXPECT_EQ(text->file_name, "x.zst");
    auto binary = parse_checksum_line(std::string(abc_sha256) + " *x.zst");
    ASSERT_TRUE(binary);
    EXPECT_EQ(binary->file_name, "x.zst");
    EXPECT_FALSE(parse_checksum_line("abc  x.zst"));
    EXPECT_FALSE(parse_checksum_line(std::string(abc_sha256) + "x.zst"));
    EXPECT_FALSE(parse_checksum_line(std::string(abc_sha256) + "  "));
}

TEST(checksum_file, written_file_is_accepted_by_sha256sum) {
    test::temp_dir dir;
    const std::string archive = (dir.path() / "s@depth20@100ms.jsonl.zst").string();
    test::write_file(archive, "abc");
    ASSERT_TRUE(write_checksum_file(archive, *sha256_of_file(archive)));
    EXPECT_EQ(test::read_file(archive + ".sha256"),
              std::string(abc_sha256) + "  s@depth20@100ms.jsonl.zst\n");
    auto entry = read_checksum_file(archive + ".sha256");
    ASSERT_TRUE(entry);
    EXPECT_EQ(entry->hex, abc_sha256);
    const std::string cmd = "cd '" + dir.str() + "' && sha256sum --strict --quiet -c " +
                            "s@depth20@100ms.jsonl.zst.sha256 >/dev/null 2>&1";
    EXPECT_EQ(std::system(cmd.c_str()), 0);
    test::write_file(archive, "abd");  // and a changed archive fails there too
    EXPECT_NE(std::system(cmd.c_str()), 0);
}

}  // namespace
}  // namespace mdrec::archive
