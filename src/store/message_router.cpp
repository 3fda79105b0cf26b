// Messages into lines; see message_router.hpp.
#include "mdrec/store/message_router.hpp"

#include "mdrec/nats/subjects.hpp"
#include "mdrec/record/line_format.hpp"

namespace mdrec::store {

namespace {

constexpr std::string_view rejects = "_rejects";

bool depth_stream(std::string_view stream) noexcept {
    return stream.find("@depth") != std::string_view::npos;
}

}  // namespace

message_router::message_router(std::string prefix, store_files& files)
    : prefix_(std::move(prefix)), files_(files) {}

route_result message_router::route(const incoming_message& msg) {
    route_result out;
    const nats::subject_parts parts = nats::split_subject(prefix_, msg.subject);
    const std::optional<std::int64_t> ts = leading_ts(msg.payload);
    if (parts.venue.empty() || !ts) {
        // Never dropped in silence: what cannot be placed is kept as a reject of the store,
        // with its subject, under the venue it names (or "_unknown").
        out.invalid = true;
        out.written = true;
        out.ts = holes_.newest_ts();
        const std::string_view venue = parts.venue.empty() ? "_unknown" : parts.venue;
        std::string frame(msg.subject);
        frame += ' ';
        frame.append(msg.payload);
        files_.add(venue, rejects, out.ts,
                   record::format_reject_line(out.ts, "store_invalid_line", 0, frame),
                   queue::record_kind::reject);
        return out;
    }
    out.ts = *ts;
    const std::optional<message_kind> header_kind = parse_kind(msg.kind);
    const message_kind kind = header_kind ? *header_kind : kind_of(parts.token, msg.payload);
    holes_.advance(*ts);
    switch (kind) {
        case message_kind::heartbeat:
            holes_.heartbeat(parts.venue, msg.recorder, *ts);
            out.heartbeat = true;
            return out;
        case message_kind::reject:
        case message_kind::control:
            files_.add(parts.venue, kind == message_kind::reject ? rejects : "_control", *ts,
                       stored_line(msg.payload, kind, msg.recorder),
                       kind == message_kind::reject ? queue::record_kind::reject
                                                    : queue::record_kind::control);
            out.written = true;
            return out;
        case message_kind::event: {
            const std::string_view event = event_name(msg.payload);
            std::string gap = holes_.on_event(parts.venue, parts.token, msg.recorder, event, *ts);
            if (!gap.empty()) {
                files_.add(parts.venue, parts.token, *ts, std::move(gap),
                           queue::record_kind::event);
            }
            files_.add(parts.venue, parts.token, *ts, stored_line(msg.payload, kind, msg.recorder),
                       queue::record_kind::event);
            out.written = true;
            return out;
        }
        case message_kind::data:
            break;
    }
    parse::depth_ids ids;
    bool have_ids = false;
    if (depth_stream(parts.token)) {
        // The line is an envelope with a leading "ts": the recorder's parser reads it as is.
        buffer_.assign(msg.payload);
        buffer_.append(simdjson::SIMDJSON_PADDING, '\0');
        const parse::parsed_frame frame =
            parser_.parse(buffer_.data(), msg.payload.size(), buffer_.size(), false);
        if (frame.kind == parse::frame_kind::data) {
            ids = frame.ids;
            have_ids = true;
        }
    }
    std::string gap = holes_.on_data(parts.venue, parts.token, msg.recorder, *ts,
                                     have_ids ? &ids : nullptr, &out.stale);
    if (!gap.empty()) {
        files_.add(parts.venue, parts.token, *ts, std::move(gap), queue::record_kind::event);
    }
    files_.add(parts.venue, parts.token, *ts, stored_line(msg.payload, kind, msg.recorder),
               queue::record_kind::data);
    out.written = true;
    return out;
}

}  // namespace mdrec::store
