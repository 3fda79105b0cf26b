// Names of the invalid reasons, as `mdrec book` writes them; see book_sink.hpp.
#include "mdrec/book/book_sink.hpp"

namespace mdrec::book {

const char* to_string(invalid_reason reason) noexcept {
    switch (reason) {
        case invalid_reason::no_snapshot:
            return "no_snapshot";
        case invalid_reason::stale_snapshot:
            return "stale_snapshot";
        case invalid_reason::sequence:
            return "sequence";
        case invalid_reason::disconnected:
            return "disconnected";
        case invalid_reason::connected:
            return "connected";
        case invalid_reason::gap:
            return "gap";
        case invalid_reason::recovered:
            return "recovered";
        case invalid_reason::unsubscribed:
            return "unsubscribed";
        case invalid_reason::bad_event:
            return "bad_event";
    }
    return "unknown";
}

}  // namespace mdrec::book
