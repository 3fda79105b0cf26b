// One NATS connection with its JetStream context; see nats_link.hpp. (Temporary minimal copy in
// the store branch: main's version replaces it at the merge.)
#include "mdrec/nats/nats_link.hpp"

#include <vector>

namespace mdrec::nats {

std::string status_text(natsStatus status) {
    std::string text = natsStatus_GetText(status);
    natsStatus last = NATS_OK;
    const char* detail = nats_GetLastError(&last);
    if (detail != nullptr && *detail != '\0' && last == status) {
        text.append(" (").append(detail).append(")");
    }
    return text;
}

result<std::unique_ptr<nats_link>> nats_link::connect(const nats_settings& settings,
                                                      const jsOptions* js_options,
                                                      bool wait_for_first, callbacks events) {
    std::unique_ptr<nats_link> link(new nats_link());
    link->events_ = std::move(events);
    link->where_ = redact_urls(settings.servers);
    natsStatus s = natsOptions_Create(&link->options_);
    natsOptions* opts = link->options_;
    std::vector<const char*> servers;
    for (const auto& url : settings.servers) servers.push_back(url.c_str());
    if (s == NATS_OK)
        s = natsOptions_SetServers(opts, servers.data(), static_cast<int>(servers.size()));
    if (s == NATS_OK && !settings.client_name.empty()) {
        s = natsOptions_SetName(opts, settings.client_name.c_str());
    }
    if (s == NATS_OK && !settings.creds_file.empty()) {
        s = natsOptions_SetUserCredentialsFromFiles(opts, settings.creds_file.c_str(), nullptr);
    }
    if (s == NATS_OK && !settings.ca_file.empty()) {
        s = natsOptions_LoadCATrustedCertificates(opts, settings.ca_file.c_str());
        if (s == NATS_OK) s = natsOptions_SetSecure(opts, true);
    }
    if (s == NATS_OK) s = natsOptions_SetTimeout(opts, 2000);
    if (s == NATS_OK) s = natsOptions_SetMaxReconnect(opts, -1);
    if (s == NATS_OK) s = natsOptions_SetReconnectWait(opts, 500);
    if (s == NATS_OK) {
        s = natsOptions_SetDisconnectedCB(opts, &nats_link::on_disconnected, link.get());
    }
    if (s == NATS_OK) {
        s = natsOptions_SetReconnectedCB(opts, &nats_link::on_reconnected, link.get());
    }
    if (s == NATS_OK && !wait_for_first) {
        s = natsOptions_SetRetryOnFailedConnect(opts, true, &nats_link::on_connected, link.get());
    }
    if (s != NATS_OK) return fail("NATS options: " + status_text(s));
    s = natsConnection_Connect(&link->conn_, opts);
    if (s != NATS_OK && !(s == NATS_NOT_YET_CONNECTED && !wait_for_first)) {
        return fail("cannot reach NATS at " + link->where_ + ": " + status_text(s));
    }
    jsOptions defaults;
    if (js_options == nullptr) {
        jsOptions_Init(&defaults);
        js_options = &defaults;
    }
    s = natsConnection_JetStream(&link->js_, link->conn_, const_cast<jsOptions*>(js_options));
    if (s != NATS_OK) return fail("JetStream context: " + status_text(s));
    return link;
}

nats_link::~nats_link() {
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

void nats_link::on_disconnected(natsConnection*, void* self) {
    auto* link = static_cast<nats_link*>(self);
    if (link->events_.disconnected) link->events_.disconnected();
}

void nats_link::on_reconnected(natsConnection*, void* self) {
    auto* link = static_cast<nats_link*>(self);
    if (link->events_.reconnected) link->events_.reconnected();
}

void nats_link::on_connected(natsConnection*, void* self) {
    auto* link = static_cast<nats_link*>(self);
    if (link->events_.reconnected) link->events_.reconnected();
}

}  // namespace mdrec::nats
