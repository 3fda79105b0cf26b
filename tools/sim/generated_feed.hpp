// mdrec-sim: the default data source, synthetic partial depth for every subscribed
// `<symbol>@depthN` stream. At --rate R each stream follows its market-wide stream_tape (every
// connection gets the same message at the same moment); with --rate 0 the connection's streams
// are generated round-robin as fast as the socket takes them. Other streams, and those named by
// --silent-stream, are accepted and stay silent, as on Binance.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "data_feed.hpp"
#include "depth_generator.hpp"
#include "sim_context.hpp"
#include "stream_tape.hpp"

namespace mdrec::sim {

class generated_feed final : public data_feed {
  public:
    // `combined`: wrap each payload in the {"stream":..,"data":..} envelope.
    generated_feed(sim_context& context, bool combined);

    void add_stream(std::string_view stream) override;
    void remove_stream(std::string_view stream) override;
    feed_poll poll(clock::time_point now) override;

  private:
    struct scheduled {
        std::string name;
        depth_generator* generator = nullptr;  // --rate 0
        stream_tape* tape = nullptr;           // --rate > 0
        std::uint64_t next_index = 0;          // the tape's next message for this connection
        clock::time_point silent_from = clock::time_point::max();
    };

    std::string_view produce(const scheduled& entry, std::string_view payload);
    feed_poll poll_unthrottled(clock::time_point now);

    sim_context& context_;
    venue venue_;
    std::uint64_t seed_;
    clock::duration period_;  // zero: unthrottled
    bool combined_;
    std::vector<scheduled> active_;  // in subscription order; a linear scan is cheap at <=1024
    std::size_t next_round_robin_ = 0;
    // Unthrottled generators outlive an UNSUBSCRIBE so that a re-subscribed stream continues
    // its ids instead of starting over, as the real exchange would.
    std::unordered_map<std::string, std::unique_ptr<depth_generator>> generators_;
    std::string buffer_;   // reused for every frame
    std::string payload_;  // unthrottled: the payload before produce() wraps it
};

}  // namespace mdrec::sim
