// Tests of source_manifest (src/archive/source_manifest.cpp): the list of sources beside an
// archive reads back exactly as written, and any other line is refused (the list decides which
// sources consolidate may delete).
#include "mdrec/archive/source_manifest.hpp"

#include <gtest/gtest.h>

#include <string>

namespace mdrec::archive {
namespace {

const std::string digest(64, 'a');

TEST(source_manifest, text_reads_back) {
    source_manifest written;
    written.add({"00.jsonl", 0, std::string(64, '0')});
    written.add({"23.jsonl", 18446744073709551615u, digest});
    auto read = source_manifest::parse(written.text());
    ASSERT_TRUE(read) << read.error().message;
    ASSERT_EQ(read->entries().size(), 2u);
    EXPECT_EQ(read->entries()[1].name, "23.jsonl");
    EXPECT_EQ(read->entries()[1].size, 18446744073709551615u);
    EXPECT_EQ(read->entries()[1].sha256, digest);
    ASSERT_NE(read->find("00.jsonl"), nullptr);
}

// Found by fuzzing (issue 18): "-5" was read as 18446744073709551611, trailing words were
// ignored and any 64 characters passed for a SHA-256.
TEST(source_manifest, refuses_anything_but_the_written_form) {
    for (const std::string& line :
         {"-5 " + digest + " 00.jsonl", "+5 " + digest + " 00.jsonl",
          "5 " + digest + " 00.jsonl junk", "5 " + std::string(64, 'g') + " 00.jsonl",
          "5 " + std::string(64, 'A') + " 00.jsonl", "5 " + digest.substr(1) + " 00.jsonl",
          "18446744073709551616 " + digest + " 00.jsonl", "5  " + digest + " 00.jsonl",
          " 5 " + digest + " 00.jsonl", "5 " + digest, "5 " + digest + " ",
          "5 " + digest + " ../00.jsonl", "5 " + digest + " 00.jsonl\r", "0x5 " + digest + " a"}) {
        SCOPED_TRACE(line);
        auto parsed = source_manifest::parse(line + "\n");
        EXPECT_FALSE(parsed) << "accepted, size " << parsed->entries()[0].size;
        if (!parsed) {
            EXPECT_NE(parsed.error().message.find("malformed"), std::string::npos);
        }
    }
}

TEST(source_manifest, empty_lines_and_a_missing_last_newline_are_fine) {
    auto parsed =
        source_manifest::parse("\n5 " + digest + " 00.jsonl\n\n7 " + digest + " 01.jsonl");
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_EQ(parsed->entries().size(), 2u);
}

}  // namespace
}  // namespace mdrec::archive
