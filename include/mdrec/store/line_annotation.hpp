// What `mdrec store` makes of one published line before it is written: data and snapshot lines
// stay byte for byte the recorder's; lines that concern one recorder only (its connection
// events, its own gaps, its rejects and control frames) carry that recorder's name, so that the
// merged record of several recorders says whose they are. Pure functions, any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mdrec::store {

// The Mdrec-Kind of a message (the publisher's header; the subject's token when absent).
enum class message_kind { data, event, reject, control, heartbeat };

// The kind a header names; nothing for an unknown word.
std::optional<message_kind> parse_kind(std::string_view header) noexcept;

// The kind of a message without the header: by its token (_rejects, _control, _heartbeat) and,
// for a stream, by whether the line is an event line.
message_kind kind_of(std::string_view token, std::string_view line) noexcept;

// The receive time of a line that starts `{"ts":<n>,`; nothing otherwise.
std::optional<std::int64_t> leading_ts(std::string_view line) noexcept;

// The event of a line that starts `{"ts":<n>,"event":"<name>"`; empty otherwise.
std::string_view event_name(std::string_view line) noexcept;

// The line as the store writes it, '\n' included:
//   data, and `snapshot` events:  verbatim
//   `gap` events:                 {"ts":<n>,"event":"recorder_gap","recorder":"<r>",<the rest>
//   other events, rejects, control: {"ts":<n>,"recorder":"<r>",<the rest>
// `line` must start `{"ts":<n>,` (leading_ts); `recorder` is the Mdrec-Recorder header,
// JSON-escaped here. A line with no recorder name (header absent) is kept verbatim.
std::string stored_line(std::string_view line, message_kind kind, std::string_view recorder);

}  // namespace mdrec::store
