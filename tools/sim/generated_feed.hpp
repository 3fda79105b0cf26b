// mdrec-sim: the default data source, synthetic partial depth for every subscribed
// `<symbol>@depthN` stream, at --rate per stream or unthrottled round-robin (--rate 0, where
// the socket's backpressure is the only brake). Other streams are accepted and stay silent.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "data_feed.hpp"
#include "depth_generator.hpp"
#include "sim_options.hpp"

namespace mdrec::sim {

class generated_feed final : public data_feed {
  public:
    // `combined`: wrap each payload in the {"stream":..,"data":..} envelope.
    generated_feed(const sim_options& options, bool combined);

    void add_stream(std::string_view stream) override;
    void remove_stream(std::string_view stream) override;
    feed_poll poll(clock::time_point now) override;

  private:
    struct scheduled {
        std::string name;
        depth_generator* generator;
        clock::time_point next_due;
    };

    std::string_view produce(scheduled& entry);

    venue venue_;
    std::uint64_t seed_;
    clock::duration period_;  // zero: unthrottled
    bool combined_;
    std::vector<scheduled> active_;  // in subscription order; a linear scan is cheap at <=1024
    std::size_t next_round_robin_ = 0;
    // Generators outlive an UNSUBSCRIBE so that a re-subscribed stream continues its ids
    // instead of starting over, as the real exchange would.
    std::unordered_map<std::string, std::unique_ptr<depth_generator>> generators_;
    std::string buffer_;  // reused for every frame
};

}  // namespace mdrec::sim
