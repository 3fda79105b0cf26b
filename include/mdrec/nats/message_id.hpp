// The Nats-Msg-Id of a recorded line: the same for the same exchange message whichever recorder
// received it, different for two different messages, so that JetStream stores each message once
// within its duplicate window however many recorders publish it.
//
// The rule, per line kind (documented in the README, "Publishing to NATS JetStream"):
//   data lines: "<venue>/<stream>/" + the payload's own ids, taken by its event type:
//     trade "t<t>", aggTrade "a<a>", kline "k<k.t>.<k.L>.<k.n>.<x|o>", depthUpdate and
//     bookTicker (spot, which has no "e", and USD-M) "u<u>", partial depth spot "L<lastUpdateId>"
//     and USD-M "u<u>"; a payload with none of these ids (tickers, mark prices, ...) is named by
//     a hash of its bytes without its top-level "E", because some event times are stamped per
//     connection and must not make one message look like two.
//     A base that repeats the stream's previous one (a partial depth pushed again over an
//     unchanged book, a kline pushed again without a trade) gets "#<n>", its place in the run,
//     so two messages never share an id. A recorder that joins in the middle of such a run
//     numbers it from 0: the repeat it missed the start of is then stored once more.
//   snapshot events (REST depth): "<venue>/<stream>/snapshot/L<lastUpdateId>": the same book,
//     whoever asked for it.
//   other events (connected, gap, ...), rejects, control frames and heartbeats concern one
//     recorder: "<venue>/<token>/<event>/<recorder>/<ts>" (plus a hash of the line for rejects
//     and control frames), never shared between two recorders.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace mdrec::nats {

enum class line_kind { data, event, reject, control, heartbeat };

const char* to_string(line_kind kind) noexcept;

// One per publisher (its thread): keeps the last base id of each stream for the repeat rule and
// simdjson's buffers.
class message_ids {
  public:
    explicit message_ids(std::string recorder);

    // `token` is the stream (data, event) or "_rejects" / "_control" / "_heartbeat"; `line` the
    // recorded line without its '\n'; `ts` its receive time.
    std::string id_for(std::string_view venue, line_kind kind, std::string_view token,
                       std::string_view line, std::int64_t ts);

  private:
    std::string data_base(std::string_view line);
    std::string snapshot_base(std::string_view line);

    struct last_seen {
        std::string base;
        std::uint64_t repeats = 0;
    };
    std::string recorder_;
    simdjson::dom::parser parser_;
    std::unordered_map<std::string, last_seen> last_;  // by "<venue>/<stream>"
};

}  // namespace mdrec::nats
