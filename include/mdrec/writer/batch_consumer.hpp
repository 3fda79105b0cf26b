// The seam for a second destination of the recorded lines, beside the files (a JetStream
// publisher, in a later issue): the writer thread hands it each batch of records it read from
// the queue, once they are in their files and before their queue space is released. The files
// know nothing of it; with none plugged in it costs one branch per record.
#pragma once

#include <span>

#include "mdrec/queue/spsc_ring.hpp"

namespace mdrec::writer {

class batch_consumer {
  public:
    virtual ~batch_consumer() = default;

    // Writer thread, once per pass that wrote lines: every record read from the queue since the
    // last call, in queue order, each exactly once, after all of them are in their files (the
    // writer's own clock lines are not records and are not included). The views' bytes are valid
    // only during the call. The writer waits for it while the queue fills: it must not block.
    virtual void consume(std::span<const queue::record_view> records) = 0;
};

}  // namespace mdrec::writer
