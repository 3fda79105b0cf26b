// One replay client's reading position over the recording: its own line_merger (every stream's
// files merged by receive time), read from --from to --to, filtered to the streams the client
// has subscribed to, turning lines into frames and holes. Each client has its own, so clients
// read the recording independently. Used by one replay_session, on the server's thread.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "mdrec/archive/line_merger.hpp"
#include "mdrec/common/result.hpp"
#include "mdrec/replay/control_reply.hpp"
#include "mdrec/replay/replay_line.hpp"

namespace mdrec::replay {

class replay_source {
  public:
    // `files`: the recording's stream files (not _control or _rejects), as expand_paths lists
    // them. Lines with ts outside [from, to) are skipped.
    replay_source(const std::vector<std::string>& files, std::int64_t from, std::int64_t to);

    // The next frame or hole of a subscribed stream, or REST snapshot of any stream (for the
    // replay's /api/v3/depth), or nothing at the end of the recording (or at --to). A `stopped`
    // stream that is `resumed` later comes out as a hole then (the recorder was not running in
    // between). The views are valid until the next call. Blocking file reads; an unreadable file is
    // an error (the merge goes on past it).
    result<std::optional<replay_line>> next();

    // The client's streams (SUBSCRIBE / UNSUBSCRIBE change them: control_reply); a change
    // takes effect from the next line.
    stream_set& streams() noexcept { return streams_; }
    bool subscribed(std::string_view stream) const {
        return streams_.find(stream) != streams_.end();
    }

  private:
    archive::line_merger merger_;
    std::int64_t from_, to_;
    stream_set streams_;
    std::set<std::string, std::less<>> stopped_;  // streams the recorder stopped (kind::stopped)
};

}  // namespace mdrec::replay
