// One connection to a NATS deployment with its JetStream context (nats.c), reconnecting for
// ever with backoff: the publisher and `mdrec store` each own one. nats.c runs its own threads
// for reading, reconnecting and callbacks; the callbacks given here run on those threads, and
// never after the link is destroyed (nats.c may deliver a disconnect after Close returns, so
// the closure is an id looked up among the live links, not the link's address).
#pragma once

#include <nats/nats.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "mdrec/common/result.hpp"
#include "mdrec/nats/nats_settings.hpp"

namespace mdrec::nats {

class nats_link {
  public:
    struct callbacks {
        std::function<void()> disconnected;  // the connection was lost (nats.c thread)
        std::function<void()> reconnected;   // and is back (nats.c thread)
    };

    // Connects to the first server that answers. With `wait_for_first` false, a deployment that is
    // down at start is not an error: the link keeps trying in the background (publishing must not
    // stop a recorder from recording). `js_options` (may be null) configure the JetStream context,
    // e.g. the async publish handlers and MaxPending.
    static result<std::unique_ptr<nats_link>> connect(const nats_settings& settings,
                                                      const jsOptions* js_options,
                                                      bool wait_for_first, callbacks events);
    ~nats_link();
    nats_link(const nats_link&) = delete;
    nats_link& operator=(const nats_link&) = delete;

    natsConnection* connection() const noexcept { return conn_; }
    jsCtx* jetstream() const noexcept { return js_; }
    bool connected() const noexcept;
    // The server list, redacted, for log lines.
    const std::string& where() const noexcept { return where_; }

  private:
    nats_link() = default;
    static void on_disconnected(natsConnection*, void* self);
    static void on_reconnected(natsConnection*, void* self);
    static void on_connected(natsConnection*, void* self);
    static void notify(void* closure, bool lost);

    natsOptions* options_ = nullptr;
    natsConnection* conn_ = nullptr;
    jsCtx* js_ = nullptr;
    callbacks events_;
    std::uintptr_t id_ = 0;  // the callbacks' closure: a key into the live links, never reused
    std::string where_;
};

// A nats.c status as text, with the library's last error detail when it has one.
std::string status_text(natsStatus status);

}  // namespace mdrec::nats
