// mdrec-sim: replays a replay_file on one connection: every frame whose stream the
// connection subscribes, in file order, byte for byte (the envelope on combined connections,
// the "data" payload on raw ones), with the recorded gaps or as fast as possible.
#pragma once

#include <cstddef>
#include <string>
#include <unordered_set>

#include "data_feed.hpp"
#include "replay_file.hpp"
#include "sim_options.hpp"

namespace mdrec::sim {

class replay_feed final : public data_feed {
  public:
    // `file` is owned by the server and outlives every connection.
    replay_feed(const replay_file& file, replay_pace pace, bool combined);

    void add_stream(std::string_view stream) override;
    void remove_stream(std::string_view stream) override;
    feed_poll poll(clock::time_point now) override;

  private:
    const replay_file& file_;
    replay_pace pace_;
    bool combined_;
    std::unordered_set<std::string> subscribed_;
    std::size_t cursor_ = 0;
    bool started_ = false;
    clock::time_point start_{};  // when the first frame of the file is due
};

}  // namespace mdrec::sim
