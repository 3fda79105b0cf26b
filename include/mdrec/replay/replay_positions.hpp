// Where the replay is in the recording, for its REST endpoint: each WebSocket client's position
// (the receive time of the last line it has reached) and the latest REST depth snapshot per
// diff-depth stream up to it (one body per stream a client, kept as it reads forward; never a
// day's). `GET /api/v3/depth` answers from the most advanced client: a snapshot never older
// than what any client has been sent. All on the server's one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace mdrec::replay {

// A snapshot as recorded: its receive time and the REST body, verbatim.
struct recorded_snapshot {
    std::int64_t ts = 0;
    std::string body;
};

// One client's position; owned by its session, listed in replay_positions while it lives.
struct replay_position {
    std::int64_t ts = std::numeric_limits<std::int64_t>::min();       // nothing reached yet
    std::map<std::string, recorded_snapshot, std::less<>> snapshots;  // by diff-depth stream

    // The client has reached a snapshot line of `stream`: it replaces the stream's last one.
    void keep_snapshot(std::int64_t at, std::string_view stream, std::string_view body);
    // The latest snapshot of any diff-depth stream of `symbol` (lower case, as in stream
    // names: `btcusdt@depth`, `btcusdt@depth@100ms`), or null if none was reached.
    const recorded_snapshot* latest(std::string_view symbol) const;
};

class replay_positions {
  public:
    // A session adds its position when its client starts and removes it when it ends.
    void add(const replay_position* position);
    void remove(const replay_position* position);

    // The client furthest in the recording (ties: the first added), or null if no client has
    // reached a line yet.
    const replay_position* most_advanced() const noexcept;

  private:
    std::vector<const replay_position*> clients_;
};

}  // namespace mdrec::replay
