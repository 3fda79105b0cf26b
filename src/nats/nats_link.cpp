// One NATS connection with its JetStream context; see nats_link.hpp.
#include "mdrec/nats/nats_link.hpp"

#include <algorithm>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "mdrec/common/sys_error.hpp"

namespace mdrec::nats {

namespace {

// The links whose callbacks may still run, by id. The lock is held while a callback runs, so a
// destructor that took its link out waits for one in progress and no later one finds it.
std::mutex live_mutex;
std::unordered_map<std::uintptr_t, nats_link*> live_links;
std::uintptr_t last_id = 0;

// Backoff between rounds over the server list: 100 ms doubling to 5 s. The first rounds are
// quick because a cluster node that restarts is back within a second or two; the cap keeps a
// long outage from being hammered.
std::int64_t reconnect_delay(natsConnection*, int attempts, void*) {
    const int shift = std::clamp(attempts, 0, 6);
    return std::min<std::int64_t>(100LL << shift, 5000);
}

}  // namespace

std::string status_text(natsStatus status) {
    std::string text = natsStatus_GetText(status);
    natsStatus last = NATS_OK;
    const char* detail = nats_GetLastError(&last);
    if (detail != nullptr && *detail != '\0' && last == status) {
        text += " (";
        text += detail;
        text += ')';
    }
    return text;
}

result<std::unique_ptr<nats_link>> nats_link::connect(const nats_settings& settings,
                                                      const jsOptions* js_options,
                                                      bool wait_for_first, callbacks events) {
    std::unique_ptr<nats_link> link(new nats_link());
    link->events_ = std::move(events);
    {
        const std::lock_guard lock(live_mutex);
        link->id_ = ++last_id;
        live_links.emplace(link->id_, link.get());
    }
    void* const closure = reinterpret_cast<void*>(link->id_);
    link->where_ = redact_urls(settings.servers);
    const auto check = [&](natsStatus status, const char* what) -> result<void> {
        if (status == NATS_OK) return {};
        return fail(std::string("NATS ") + what + ": " + status_text(status));
    };
    MDREC_TRY(check(natsOptions_Create(&link->options_), "options"));
    natsOptions* opts = link->options_;
    std::vector<const char*> servers;
    servers.reserve(settings.servers.size());
    for (const auto& url : settings.servers) servers.push_back(url.c_str());
    MDREC_TRY(check(natsOptions_SetServers(opts, servers.data(), static_cast<int>(servers.size())),
                    "server list"));
    if (!settings.client_name.empty()) {
        MDREC_TRY(check(natsOptions_SetName(opts, settings.client_name.c_str()), "name"));
    }
    if (!settings.creds_file.empty()) {
        MDREC_TRY(check(
            natsOptions_SetUserCredentialsFromFiles(opts, settings.creds_file.c_str(), nullptr),
            "credentials file"));
    }
    if (!settings.ca_file.empty()) {
        MDREC_TRY(check(natsOptions_LoadCATrustedCertificates(opts, settings.ca_file.c_str()),
                        "CA file"));
        MDREC_TRY(check(natsOptions_SetSecure(opts, true), "TLS"));
    }
    MDREC_TRY(check(natsOptions_SetTimeout(opts, 2000), "timeout"));
    MDREC_TRY(check(natsOptions_SetMaxReconnect(opts, -1), "reconnect"));
    MDREC_TRY(
        check(natsOptions_SetCustomReconnectDelay(opts, reconnect_delay, nullptr), "backoff"));
    MDREC_TRY(check(natsOptions_SetPingInterval(opts, 2000), "ping interval"));
    MDREC_TRY(check(natsOptions_SetMaxPingsOut(opts, 2), "pings"));
    MDREC_TRY(check(natsOptions_SetDisconnectedCB(opts, &nats_link::on_disconnected, closure),
                    "callbacks"));
    MDREC_TRY(check(natsOptions_SetReconnectedCB(opts, &nats_link::on_reconnected, closure),
                    "callbacks"));
    if (!wait_for_first) {
        MDREC_TRY(check(
            natsOptions_SetRetryOnFailedConnect(opts, true, &nats_link::on_connected, closure),
            "retry"));
    }
    const natsStatus status = natsConnection_Connect(&link->conn_, opts);
    if (status != NATS_OK && !(status == NATS_NOT_YET_CONNECTED && !wait_for_first)) {
        return fail("cannot reach NATS at " + link->where_ + ": " + status_text(status));
    }
    jsOptions defaults;
    if (js_options == nullptr) {
        jsOptions_Init(&defaults);
        js_options = &defaults;
    }
    MDREC_TRY(
        check(natsConnection_JetStream(&link->js_, link->conn_, const_cast<jsOptions*>(js_options)),
              "JetStream context"));
    return link;
}

nats_link::~nats_link() {
    {
        const std::lock_guard lock(live_mutex);
        live_links.erase(id_);
    }
    if (js_ != nullptr) jsCtx_Destroy(js_);
    if (conn_ != nullptr) {
        natsConnection_Close(conn_);
        natsConnection_Destroy(conn_);
    }
    if (options_ != nullptr) natsOptions_Destroy(options_);
}

bool nats_link::connected() const noexcept {
    return conn_ != nullptr && natsConnection_Status(conn_) == NATS_CONN_STATUS_CONNECTED;
}

void nats_link::notify(void* closure, bool lost) {
    const std::lock_guard lock(live_mutex);
    const auto found = live_links.find(reinterpret_cast<std::uintptr_t>(closure));
    if (found == live_links.end()) return;  // closed and destroyed: nobody to tell
    const callbacks& events = found->second->events_;
    if (lost && events.disconnected) events.disconnected();
    if (!lost && events.reconnected) events.reconnected();
}

void nats_link::on_disconnected(natsConnection*, void* closure) { notify(closure, true); }

void nats_link::on_reconnected(natsConnection*, void* closure) { notify(closure, false); }

// A first connection made in the background counts as a return for whoever waits for one.
void nats_link::on_connected(natsConnection*, void* closure) { notify(closure, false); }

}  // namespace mdrec::nats
