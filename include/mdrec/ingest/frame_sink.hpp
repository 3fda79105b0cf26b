// What a WebSocket session hands its frames to: ws_session knows this interface only, not the
// router behind it (frame_router in the recorder, a fake in tests). One virtual call per frame;
// the frame's bytes stay in the session's read buffer.
#pragma once

#include <cstddef>
#include <cstdint>

#include "mdrec/common/stream_table.hpp"

namespace mdrec::ingest {

// The connection a frame came from.
struct connection_info {
    std::uint64_t id = 0;
    const stream_id* raw_stream = nullptr;  // set when the connection carries one raw stream
};

// Receives every message frame of a connection, on the thread that reads it (the ingest thread).
class frame_sink {
  public:
    // Handles one frame read at `ts`. `capacity` bytes are readable from `data`, at least
    // simdjson::SIMDJSON_PADDING more than `len` (a parser may read ahead). Must not block.
    virtual void on_frame(const char* data, std::size_t len, std::size_t capacity, std::int64_t ts,
                          const connection_info& conn) = 0;
    // Asked before each socket read (`now_ns` on the steady clock): true while the queue behind
    // the sink is too full to read more (the session waits a little and asks again; TCP holds
    // the sender back meanwhile). Must not block.
    virtual bool hold_reading(std::int64_t now_ns) = 0;
    // The most bytes one socket read should take (what it brings is queued before the next
    // hold_reading()).
    virtual std::size_t read_limit() const = 0;

  protected:
    ~frame_sink() = default;
};

}  // namespace mdrec::ingest
