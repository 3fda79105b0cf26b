// The JetStream stream the recorders publish into and `mdrec store` reads: created when absent,
// used as it is when present, and refused when it would break de-duplication.
#pragma once

#include <nats/nats.h>

#include <chrono>
#include <cstdint>
#include <string>

#include "mdrec/common/result.hpp"

namespace mdrec::nats {

struct stream_settings {
    std::string name = "MDREC";            // --publish-stream / store --stream
    std::string subject_prefix = "mdrec";  // subjects <prefix>.<venue>.<stream>
    int replicas = 1;                      // 3 on a three-node cluster
    // Within this window JetStream stores a Nats-Msg-Id once. It must cover the longest time a
    // recorder may publish the same message again (a backlog after an outage) and the time
    // between two recorders receiving one message.
    std::chrono::milliseconds duplicate_window{std::chrono::minutes(10)};
};

// What check_stream found: ready to use, refused (no retry can fix it), or not reachable now
// (no quorum yet, a node away, a timeout: try again).
enum class stream_outcome { ready, refused, unavailable };

struct stream_check {
    stream_outcome outcome = stream_outcome::unavailable;
    std::string message;  // why, when not ready
};

// Looks the stream up; creates it (file storage, subjects "<prefix>.>", the replicas and
// window asked) when absent. An existing stream is used as it is, unless its subjects do not
// take "<prefix>.>" or its duplicate window is shorter than the one asked: then the error says
// which, because messages published again later would be stored twice.
stream_check check_stream(jsCtx* js, const stream_settings& settings);

// check_stream as a result: the message when not ready.
result<void> ensure_stream(jsCtx* js, const stream_settings& settings);

}  // namespace mdrec::nats
