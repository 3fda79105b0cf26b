// Tests of parse/structural_walk.hpp: the walk vouches for every real Binance frame (so the DOM
// parse is the exception), answers "not sure" for what only the DOM may decide, and reports
// the members frame_parser reads. That its verdicts match the DOM's is frame_parser_test's
// fast_path_agrees_with_the_dom, and the frame_parse fuzz target's.
#include "mdrec/parse/structural_walk.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <vector>

#include "../support/fixtures.hpp"

namespace mdrec::parse {
namespace {

struct walked {
    bool vouched = false;
    std::vector<std::string> members;  // "parent/key=value"
};

walked walk(std::string_view text) {
    static simdjson::dom::parser parser;
    EXPECT_EQ(parser.allocate(1 << 16), simdjson::SUCCESS);
    const test::padded_frame frame(text);
    const auto* buf = reinterpret_cast<const std::uint8_t*>(frame.data());
    auto& stage1 = *parser.implementation;
    walked out;
    if (stage1.stage1(buf, frame.size(), simdjson::stage1_mode::regular) != simdjson::SUCCESS) {
        return out;
    }
    out.vouched = walk_structurals(
        buf, stage1.structural_indexes.get(), stage1.n_structural_indexes,
        [&](std::string_view parent, std::string_view key, std::string_view value) {
            out.members.push_back(std::string(parent) + "/" + std::string(key) + "=" +
                                  std::string(value));
        });
    return out;
}

TEST(structural_walk, vouches_for_every_real_frame) {
    for (const char* file : {test::spot_fixture, test::futures_fixture, test::us_fixture}) {
        const auto frames = test::load_fixture_frames(file);
        ASSERT_GT(frames.size(), 100u);
        for (const auto& frame : frames) {
            SCOPED_TRACE(frame);
            EXPECT_TRUE(walk(frame).vouched);
        }
    }
}

TEST(structural_walk, reports_root_members_and_their_objects_members) {
    const walked w =
        walk(R"({"stream":"btcusdt@depth" , "data":{"U":1,"u":-2,"b":[["0.1","2"]],"k":{"x":1}},)"
             R"("n":null,"list":[{"in":1}],"f":1.5})");
    ASSERT_TRUE(w.vouched);
    const std::vector<std::string> expected = {"/stream=\"btcusdt@depth\"",
                                               "/data={",
                                               "data/U=1",
                                               "data/u=-2",
                                               "data/b=[",
                                               "data/k={",
                                               "/n=null",
                                               "/list=[",
                                               "/f=1.5"};
    EXPECT_EQ(w.members, expected);
}

TEST(structural_walk, reports_nothing_inside_a_root_array) {
    const walked w = walk(R"([{"u":1},{"U":2}])");
    EXPECT_TRUE(w.vouched);
    EXPECT_TRUE(w.members.empty());
}

TEST(structural_walk, leaves_to_the_dom_what_only_it_may_decide) {
    for (const char* text : {
             R"({"a":1e5})",                  // exponent: range
             R"({"a":1234567890123456789})",  // 19 digits: range
             R"("scalar")",                   // scalar document
             R"({"a":1}x)",
             R"({"a":1}})",  // trailing content
             R"({"a":[1,]})",
             R"({"a" 1})",  // grammar
             R"({"a":01})",
             R"({"a":1.})",
             R"({"a":-})",
             R"({"a":tru})",
             R"({"a":nulls})",
         }) {
        SCOPED_TRACE(text);
        EXPECT_FALSE(walk(text).vouched);
    }
    const std::string deep = std::string(65, '[') + std::string(65, ']');
    EXPECT_FALSE(walk(deep).vouched);
    const std::string deep_enough = std::string(64, '[') + std::string(64, ']');
    EXPECT_TRUE(walk(deep_enough).vouched);
}

TEST(structural_walk, takes_whitespace_anywhere_between_tokens) {
    EXPECT_TRUE(walk(" \t{ \"a\" :\r\n 1 , \"b\" : [ \"x\" , true ] , \"c\" : { } }\n ").vouched);
}

}  // namespace
}  // namespace mdrec::parse
