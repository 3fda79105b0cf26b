// One JetStream message into the lines `mdrec store` writes: its subject says the venue and
// the stream (or _rejects, _control, _heartbeat), its headers the recorder and the kind; the
// hole tracker adds the store's own gap lines before it, line_annotation names the recorder
// where a line concerns one recorder only. Main thread only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "mdrec/parse/frame_parser.hpp"
#include "mdrec/store/hole_tracker.hpp"
#include "mdrec/store/line_annotation.hpp"
#include "mdrec/store/store_files.hpp"

namespace mdrec::store {

struct incoming_message {
    std::string_view subject;
    std::string_view payload;   // the recorder's line without its '\n'
    std::string_view recorder;  // Mdrec-Recorder ("" when absent)
    std::string_view kind;      // Mdrec-Kind ("" when absent)
};

struct route_result {
    bool written = false;  // lines were queued (else: a heartbeat, or not ours)
    bool heartbeat = false;
    bool invalid = false;  // no leading ts or a subject of another shape: kept in _rejects
    bool stale = false;    // depth ids behind the stored ones
    std::int64_t ts = 0;
};

class message_router {
  public:
    message_router(std::string prefix, store_files& files);

    // Queues the message's lines (and any gap line before them) in `files`.
    route_result route(const incoming_message& msg);

    const hole_tracker& holes() const noexcept { return holes_; }

  private:
    std::string prefix_;
    store_files& files_;
    hole_tracker holes_;
    parse::frame_parser parser_;
    std::string buffer_;  // a data line copied with simdjson's padding, for its depth ids
};

}  // namespace mdrec::store
