// mdrec-sim: --inject-bad K, the first of the simulator's fault modes. Every K-th data
// frame of a connection is replaced by a malformed one, cycling through the three ways a
// recorder's parser can be surprised. Later fault modes follow the same shape: a small
// per-connection object consulted by sim_connection's send loop for each data frame.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mdrec::sim {

class bad_frame_injector {
  public:
    // `every` == 0 disables injection.
    explicit bad_frame_injector(std::uint64_t every) : every_(every) {}

    // Called once per data frame about to be sent, in order. Returns `frame` itself or the
    // malformed replacement; the result is valid until the next call.
    std::string_view filter(std::string_view frame);

    [[nodiscard]] std::uint64_t injected() const { return injected_; }

  private:
    std::uint64_t every_;
    std::uint64_t seen_ = 0;
    std::uint64_t injected_ = 0;
    std::string buffer_;
};

}  // namespace mdrec::sim
