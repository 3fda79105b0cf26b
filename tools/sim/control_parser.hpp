// mdrec-sim: the client side of Binance's control protocol (SUBSCRIBE, UNSUBSCRIBE,
// LIST_SUBSCRIPTIONS). The parser only validates and decodes; sim_connection applies the
// request and formats the success reply. Error replies are produced here, byte-exact, in the
// two shapes Binance uses: {"error":{...},"id":..} and the flat {"code":..,"msg":..}.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

namespace mdrec::sim {

// One decoded, validated client request.
struct control_request {
    enum class kind { subscribe, unsubscribe, list_subscriptions };
    kind method = kind::list_subscriptions;
    std::vector<std::string> params;  // valid stream names (subscribe / unsubscribe only)
    std::uint64_t id = 0;
};

// One per connection (it keeps simdjson's buffers warm); called from the read loop only.
class control_parser {
  public:
    // Decodes one text message. On failure the error is the complete reply to send.
    [[nodiscard]] tl::expected<control_request, std::string> parse(std::string_view text);

  private:
    simdjson::dom::parser parser_;
};

}  // namespace mdrec::sim
