// Where a recorded line goes on NATS and what travels with it. One place, shared by the
// publisher and `mdrec store`.
//   data and event lines: <prefix>.<venue>.<stream>     e.g.
//   mdrec.binance-spot.btcusdt@depth20@100ms reject lines:         <prefix>.<venue>._rejects
//   control lines:        <prefix>.<venue>._control
//   heartbeats:           <prefix>.<venue>._heartbeat
//   {"ts":<ns>,"event":"heartbeat","recorder":"<name>"}
// The payload is the line exactly as the recorder's file has it, without its '\n'.
#pragma once

#include <string>
#include <string_view>

namespace mdrec::nats {

inline constexpr const char* msg_id_header = "Nats-Msg-Id";
inline constexpr const char* recorder_header = "Mdrec-Recorder";  // the instance name
inline constexpr const char* ts_header = "Mdrec-Ts";              // receive time, ns
inline constexpr const char* kind_header = "Mdrec-Kind";  // data, event, reject, control, heartbeat

inline constexpr std::string_view rejects_token = "_rejects";
inline constexpr std::string_view control_token = "_control";
inline constexpr std::string_view heartbeat_token = "_heartbeat";

// "<prefix>.<venue>.<token>", with every '@' of the token written '~'
// (mdrec.binance-spot.btcusdt~depth20~100ms). Binance's stream names hold '@', and nats-server
// 2.9 cuts a JetStream delivery that crosses a cluster route at the last '@' of its subject
// (it appends "@<subject>" to the reply there): the store then got "100ms {...}" as payload.
std::string subject_for(std::string_view prefix, std::string_view venue, std::string_view token);

// The token after "<prefix>.<venue>." of a subject (the stream, or _control, ...) with '~' read
// back as '@', and the venue; empty when the subject does not have that shape.
struct subject_parts {
    std::string_view venue;
    std::string token;
};
subject_parts split_subject(std::string_view prefix, std::string_view subject);

}  // namespace mdrec::nats
