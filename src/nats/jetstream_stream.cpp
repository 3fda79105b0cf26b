// The stream, created when absent; see jetstream_stream.hpp. (Temporary minimal copy in the
// store branch: main's version replaces it at the merge.)
#include "mdrec/nats/jetstream_stream.hpp"

#include "mdrec/nats/nats_link.hpp"

namespace mdrec::nats {

result<void> ensure_stream(jsCtx* js, const stream_settings& settings) {
    const std::string subjects = settings.subject_prefix + ".>";
    jsStreamInfo* info = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    natsStatus status = js_GetStreamInfo(&info, js, settings.name.c_str(), nullptr, &code);
    if (status == NATS_OK) {
        jsStreamInfo_Destroy(info);
        return {};
    }
    if (status != NATS_NOT_FOUND) {
        return fail("JetStream stream " + settings.name + ": " + status_text(status));
    }
    jsStreamConfig config;
    jsStreamConfig_Init(&config);
    config.Name = settings.name.c_str();
    const char* subject_list[] = {subjects.c_str()};
    config.Subjects = subject_list;
    config.SubjectsLen = 1;
    config.Storage = js_FileStorage;
    config.Replicas = settings.replicas;
    config.Duplicates =
        std::chrono::duration_cast<std::chrono::nanoseconds>(settings.duplicate_window).count();
    status = js_AddStream(&info, js, &config, nullptr, &code);
    if (status != NATS_OK) {
        return fail("cannot create JetStream stream " + settings.name + ": " + status_text(status));
    }
    jsStreamInfo_Destroy(info);
    return {};
}

}  // namespace mdrec::nats
