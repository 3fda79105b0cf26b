// The JetStream stream, created or checked; see jetstream_stream.hpp.
#include "mdrec/nats/jetstream_stream.hpp"

#include <string>

#include "mdrec/nats/nats_link.hpp"

namespace mdrec::nats {

namespace {

// Does the subject filter `filter` take every subject under "<prefix>."? Only ">" and
// "<prefix>.>" do for any stream name (a stream with "mdrec.binance-spot.>" only would lose the
// other venue's lines: refused too, since the recorder cannot tell which venues will follow).
bool takes_prefix(std::string_view filter, std::string_view prefix) {
    if (filter == ">") return true;
    return filter.size() == prefix.size() + 2 && filter.substr(0, prefix.size()) == prefix &&
           filter.substr(prefix.size()) == ".>";
}

std::string seconds_text(std::int64_t nanoseconds) {
    return std::to_string(nanoseconds / 1'000'000'000) + " s";
}

}  // namespace

stream_check check_stream(jsCtx* js, const stream_settings& settings) {
    const std::int64_t window_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(settings.duplicate_window).count();
    jsStreamInfo* info = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    natsStatus status = js_GetStreamInfo(&info, js, settings.name.c_str(), nullptr, &code);
    if (status == NATS_OK && info != nullptr) {
        const jsStreamConfig* config = info->Config;
        bool covered = false;
        for (int i = 0; config != nullptr && i < config->SubjectsLen; ++i) {
            if (takes_prefix(config->Subjects[i], settings.subject_prefix)) covered = true;
        }
        const std::int64_t window = config != nullptr ? config->Duplicates : 0;
        jsStreamInfo_Destroy(info);
        if (!covered) {
            return {stream_outcome::refused,
                    "JetStream stream " + quote(settings.name) + " exists but does not take " +
                        quote(settings.subject_prefix + ".>") +
                        "; give another --publish-stream or --publish-prefix"};
        }
        if (window < window_ns) {
            return {stream_outcome::refused,
                    "JetStream stream " + quote(settings.name) + " keeps message ids for " +
                        seconds_text(window) + ", less than the " + seconds_text(window_ns) +
                        " asked (--publish-dedup-window): lines published again after an outage "
                        "would be stored twice"};
        }
        return {stream_outcome::ready, {}};
    }
    if (status != NATS_NOT_FOUND && code != JSStreamNotFoundErr) {
        return {stream_outcome::unavailable, "cannot look up JetStream stream " +
                                                 quote(settings.name) + ": " + status_text(status)};
    }

    jsStreamConfig config;
    jsStreamConfig_Init(&config);
    const std::string subject = settings.subject_prefix + ".>";
    const char* subjects[] = {subject.c_str()};
    config.Name = settings.name.c_str();
    config.Subjects = subjects;
    config.SubjectsLen = 1;
    config.Storage = js_FileStorage;
    config.Replicas = settings.replicas;
    config.Duplicates = window_ns;
    status = js_AddStream(&info, js, &config, nullptr, &code);
    if (info != nullptr) jsStreamInfo_Destroy(info);
    if (status != NATS_OK) {
        return {stream_outcome::unavailable,
                "cannot create JetStream stream " + quote(settings.name) + " (" +
                    std::to_string(settings.replicas) + " replicas): " + status_text(status)};
    }
    return {stream_outcome::ready, {}};
}

result<void> ensure_stream(jsCtx* js, const stream_settings& settings) {
    stream_check check = check_stream(js, settings);
    if (check.outcome == stream_outcome::ready) return {};
    return fail(std::move(check.message));
}

}  // namespace mdrec::nats
