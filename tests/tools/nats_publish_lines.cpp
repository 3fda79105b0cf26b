// Test helper for e2e_store: publishes recorder lines to JetStream as a recorder's publisher
// would, one row of stdin each:  subject<TAB>msg-id<TAB>recorder<TAB>kind<TAB>line
// (an empty msg-id: no Nats-Msg-Id header). Creates the stream when absent. Prints
// "published N duplicates D" on stdout.
//   nats_publish_lines nats://127.0.0.1:PORT [STREAM] [PREFIX]
#include <nats/nats.h>

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "mdrec/nats/jetstream_stream.hpp"
#include "mdrec/nats/nats_link.hpp"
#include "mdrec/nats/subjects.hpp"

namespace {

std::vector<std::string> split_tabs(const std::string& row, std::size_t fields) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (out.size() + 1 < fields) {
        const std::size_t tab = row.find('\t', start);
        if (tab == std::string::npos) break;
        out.push_back(row.substr(start, tab - start));
        start = tab + 1;
    }
    out.push_back(row.substr(start));
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: nats_publish_lines URL [STREAM] [PREFIX] < rows\n");
        return 2;
    }
    mdrec::nats::nats_settings settings;
    settings.servers = {argv[1]};
    mdrec::nats::stream_settings stream;
    if (argc > 2) stream.name = argv[2];
    if (argc > 3) stream.subject_prefix = argv[3];
    auto link = mdrec::nats::nats_link::connect(settings, nullptr, true, {});
    if (!link) {
        std::fprintf(stderr, "nats_publish_lines: %s\n", link.error().message.c_str());
        return 1;
    }
    if (auto ok = mdrec::nats::ensure_stream((*link)->jetstream(), stream); !ok) {
        std::fprintf(stderr, "nats_publish_lines: %s\n", ok.error().message.c_str());
        return 1;
    }
    std::string row;
    long published = 0;
    long duplicates = 0;
    while (std::getline(std::cin, row)) {
        if (row.empty()) continue;
        const auto f = split_tabs(row, 5);
        if (f.size() != 5) {
            std::fprintf(stderr, "nats_publish_lines: a row needs 5 fields: %s\n", row.c_str());
            return 2;
        }
        natsMsg* msg = nullptr;
        natsMsg_Create(&msg, f[0].c_str(), nullptr, f[4].data(), static_cast<int>(f[4].size()));
        if (!f[1].empty()) natsMsgHeader_Set(msg, mdrec::nats::msg_id_header, f[1].c_str());
        if (!f[2].empty()) natsMsgHeader_Set(msg, mdrec::nats::recorder_header, f[2].c_str());
        if (!f[3].empty()) natsMsgHeader_Set(msg, mdrec::nats::kind_header, f[3].c_str());
        const auto comma = f[4].find(',');
        if (f[4].starts_with("{\"ts\":") && comma != std::string::npos) {
            natsMsgHeader_Set(msg, mdrec::nats::ts_header, f[4].substr(6, comma - 6).c_str());
        }
        jsPubAck* ack = nullptr;
        jsErrCode code = static_cast<jsErrCode>(0);
        const natsStatus s = js_PublishMsg(&ack, (*link)->jetstream(), msg, nullptr, &code);
        natsMsg_Destroy(msg);
        if (s != NATS_OK) {
            std::fprintf(stderr, "nats_publish_lines: publish: %s\n",
                         mdrec::nats::status_text(s).c_str());
            return 1;
        }
        ++published;
        if (ack->Duplicate) ++duplicates;
        jsPubAck_Destroy(ack);
    }
    std::printf("published %ld duplicates %ld\n", published, duplicates);
    return 0;
}
