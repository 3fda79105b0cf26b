// Tests of the replay's REST depth endpoint (src/replay/depth_request.cpp): the levels cut to
// `limit` with every byte of the exchange's kept, the snapshot at the position, and Binance's
// error replies for a missing or bad symbol or limit and a snapshot not recorded yet.
#include "mdrec/replay/depth_request.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "../support/text.hpp"

namespace mdrec::replay {
namespace {

using test::cat;

const std::string spot_body =
    R"({"lastUpdateId":1027024,"bids":[["4.00000000","431.00000000"],["3.99","9"],["3.98","1"]],)"
    R"("asks":[["4.00000200","12.00000000"],["4.01","0.5"]]})";

TEST(depth_request, levels_cut_to_limit_keep_the_exchanges_bytes) {
    EXPECT_EQ(cut_depth_levels(spot_body, 1),
              R"({"lastUpdateId":1027024,"bids":[["4.00000000","431.00000000"]],)"
              R"("asks":[["4.00000200","12.00000000"]]})");
    EXPECT_EQ(cut_depth_levels(spot_body, 2),
              R"({"lastUpdateId":1027024,"bids":[["4.00000000","431.00000000"],["3.99","9"]],)"
              R"("asks":[["4.00000200","12.00000000"],["4.01","0.5"]]})");
    EXPECT_EQ(cut_depth_levels(spot_body, 3), spot_body);     // as many as recorded: verbatim
    EXPECT_EQ(cut_depth_levels(spot_body, 5000), spot_body);  // more
}

TEST(depth_request, cut_keeps_usdm_fields_spaces_and_tricky_strings) {
    // USD-M's body has E and T; keys may come in any order; a string may hold brackets.
    const std::string body =
        R"({"E":1,"T":2,"asks":[ ["2","1"] , ["3","1"] ],"note":"a],[\"b","bids":[],"lastUpdateId":5})";
    EXPECT_EQ(cut_depth_levels(body, 1),
              R"({"E":1,"T":2,"asks":[ ["2","1"] ],"note":"a],[\"b","bids":[],"lastUpdateId":5})");
    EXPECT_EQ(cut_depth_levels(body, 2), body);
    EXPECT_FALSE(cut_depth_levels(R"({"bids":[["1","2"])", 1));      // unbalanced
    EXPECT_FALSE(cut_depth_levels(R"({"bids":[["1","2"]]}]})", 1));  // closes too much
    EXPECT_FALSE(cut_depth_levels(R"({"bids":"x)", 1));              // unterminated string
}

// Random bodies (whitespace anywhere JSON allows it, strings holding brackets, commas and
// escaped quotes, nested values, keys in any order) and, built beside each, the text the cut
// must give: the first `limit` entries of each side with the bytes between them. (Strings are
// built by append and test::cat: g++ 12 misreports -Wrestrict on chains of operator+.)
TEST(depth_request, cut_of_random_bodies_is_the_prefix_of_each_side) {
    std::mt19937 rng(15);
    const auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
    const std::vector<std::string> spaces{"", "", "", " ", "\n", " \t"};
    const std::vector<std::string> texts{"1.5", "0.00100000", "a]b", "[,]", "x\\\"y", "{}", ""};
    const auto ws = [&] { return spaces[static_cast<std::size_t>(pick(6))]; };
    const auto str = [&] { return cat("\"", texts[static_cast<std::size_t>(pick(7))], "\""); };
    for (int round = 0; round < 3000; ++round) {
        const std::size_t limit = static_cast<std::size_t>(1 + pick(4));
        std::vector<std::string> fields, cut_fields;
        for (const char* side : {"bids", "asks"}) {
            const int n = pick(7);
            const std::string head = cat("\"", side, "\"", ws(), ":", ws(), "[", ws());
            std::string text = head, cut = head;
            for (int i = 0; i < n; ++i) {
                const std::string entry =
                    pick(5) == 0 ? str() : cat("[", ws(), str(), ws(), ",", ws(), str(), ws(), "]");
                const std::string after = ws();
                const std::string between = cat(",", ws());
                text.append(entry).append(after);
                if (static_cast<std::size_t>(i) < limit) cut.append(entry).append(after);
                if (i + 1 < n) {
                    text.append(between);
                    if (static_cast<std::size_t>(i + 1) < limit) cut.append(between);
                }
            }
            text += ']';
            cut += ']';
            if (static_cast<std::size_t>(n) <= limit) cut = text;  // nothing cut: verbatim
            fields.push_back(text);
            cut_fields.push_back(cut);
        }
        const std::string other = pick(2) == 0
                                      ? cat(R"("lastUpdateId":)", std::to_string(round))
                                      : cat(R"("x":{"bids":[1,[2,"]"]],"n":[)", str(), "]}");
        fields.push_back(other);
        cut_fields.push_back(other);
        const auto order = static_cast<std::size_t>(pick(3));  // the other field's place
        std::swap(fields[order], fields[2]);
        std::swap(cut_fields[order], cut_fields[2]);
        std::string body = cat("{", ws());
        std::string want = body;
        for (std::size_t i = 0; i < fields.size(); ++i) {
            const std::string sep = i + 1 < fields.size() ? cat(ws(), ",", ws()) : ws();
            body.append(fields[i]).append(sep);
            want.append(cut_fields[i]).append(sep);
        }
        body += '}';
        want += '}';
        ASSERT_EQ(cut_depth_levels(body, limit), want) << body << " limit " << limit;
    }
}

struct fixture {
    fixture() {
        catalog.add_file("/data/binance-spot/btcusdt@depth@100ms/2026-11-22/05.jsonl");
        catalog.add_file("/data/binance-spot/ethusdt@depth20@100ms/2026-11-22/05.jsonl");
        catalog.add_file("/archive/binance-usdm/2026-11-22/sushiusdt@depth.jsonl.zst");
        position.ts = 100;
    }
    http_reply ask(std::string_view target, const replay_position* now = nullptr) {
        return answer_depth(target, catalog, now ? now : &position);
    }
    depth_catalog catalog;
    replay_position position;
};

TEST(depth_request, serves_the_snapshot_at_the_position_cut_to_limit) {
    fixture f;
    EXPECT_TRUE(is_depth_target("/api/v3/depth?symbol=BTCUSDT"));
    EXPECT_TRUE(is_depth_target("/fapi/v1/depth"));
    EXPECT_FALSE(is_depth_target("/api/v3/depthx"));
    EXPECT_FALSE(is_depth_target("/stream?streams=a"));

    // Nothing recorded up to the position yet: 503, Binance's "try again".
    auto r = f.ask("/api/v3/depth?symbol=BTCUSDT&limit=2");
    EXPECT_EQ(r.status, 503u);
    EXPECT_TRUE(r.body.starts_with(R"({"code":-1001,"msg":"No depth snapshot of BTCUSDT)"))
        << r.body;

    f.position.keep_snapshot(90, "btcusdt@depth@100ms", spot_body);
    r = f.ask("/api/v3/depth?symbol=BTCUSDT&limit=1");
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(r.body, *cut_depth_levels(spot_body, 1));
    r = f.ask("/api/v3/depth?limit=1000&symbol=BTCUSDT");
    EXPECT_EQ(r.body, spot_body);
    r = f.ask("/api/v3/depth?symbol=BTCUSDT");  // default limit 100
    EXPECT_EQ(r.body, spot_body);

    // USD-M's path for a USD-M recording.
    f.position.keep_snapshot(95, "sushiusdt@depth",
                             R"({"lastUpdateId":3,"E":1,"T":1,"bids":[],"asks":[]})");
    r = f.ask("/fapi/v1/depth?symbol=SUSHIUSDT&limit=5");
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(r.body, R"({"lastUpdateId":3,"E":1,"T":1,"bids":[],"asks":[]})");

    // No client with a position: 503 too.
    r = answer_depth("/api/v3/depth?symbol=BTCUSDT", f.catalog, nullptr);
    EXPECT_EQ(r.status, 503u);
    EXPECT_TRUE(r.body.starts_with(R"({"code":-1001,"msg":"No replay client)")) << r.body;
}

TEST(depth_request, binance_errors_for_bad_requests) {
    fixture f;
    const auto expect = [&](std::string_view target, unsigned status, std::string_view body) {
        const auto r = f.ask(target);
        EXPECT_EQ(r.status, status) << target;
        EXPECT_EQ(r.body, body) << target;
    };
    expect(
        "/api/v3/depth", 400,
        R"({"code":-1102,"msg":"Mandatory parameter 'symbol' was not sent, was empty/null, or malformed."})");
    expect(
        "/api/v3/depth?symbol=", 400,
        R"({"code":-1102,"msg":"Mandatory parameter 'symbol' was not sent, was empty/null, or malformed."})");
    expect(
        "/api/v3/depth?symbol=btcusdt", 400,
        R"({"code":-1100,"msg":"Illegal characters found in parameter 'symbol'; legal range is '^[A-Z0-9-_.]{1,20}$'."})");
    expect(
        "/api/v3/depth?symbol=BTCUSDT&limit=ten", 400,
        R"({"code":-1100,"msg":"Illegal characters found in parameter 'limit'; legal range is '^[0-9]{1,20}$'."})");
    expect("/api/v3/depth?symbol=BTCUSDT&limit=0", 400,
           R"({"code":-1130,"msg":"Data sent for parameter 'limit' is not valid."})");
    // Unknown: not recorded, only a partial-depth stream, or another venue's.
    for (const auto* target : {"/api/v3/depth?symbol=XRPUSDT", "/api/v3/depth?symbol=ETHUSDT",
                               "/fapi/v1/depth?symbol=BTCUSDT", "/api/v3/depth?symbol=SUSHIUSDT"}) {
        expect(target, 400, R"({"code":-1121,"msg":"Invalid symbol."})");
    }
}

}  // namespace
}  // namespace mdrec::replay
