// A client's reading position over the recording; see replay_source.hpp.
#include "mdrec/replay/replay_source.hpp"

namespace mdrec::replay {

replay_source::replay_source(const std::vector<std::string>& files, std::int64_t from,
                             std::int64_t to)
    : merger_(archive::line_merger::of_files(files)), from_(from), to_(to) {}

result<std::optional<replay_line>> replay_source::next() {
    for (;;) {
        auto line = merger_.next();
        if (!line) return tl::unexpected(line.error());
        if (!*line) return std::optional<replay_line>();
        const auto& l = **line;
        // A piece of a line longer than line_source's limit (16 MiB) is no frame Binance sends.
        if (!l.complete || l.continued) continue;
        replay_line r = read_replay_line(l.text);
        if (r.what == replay_line::kind::other) continue;
        if (r.ts < from_) continue;
        if (r.ts >= to_) return std::optional<replay_line>();
        // The stopped/resumed state is kept for every stream, subscribed or not, so that a
        // later SUBSCRIBE sees the same holes.
        if (r.what == replay_line::kind::stopped) {
            stopped_.insert(std::string(r.stream));
            continue;
        }
        if (r.what == replay_line::kind::resumed) {
            const auto it = stopped_.find(r.stream);
            if (it == stopped_.end()) continue;
            stopped_.erase(it);
            r.what = replay_line::kind::hole;
            r.reason = "the recorder was stopped";
        }
        // REST snapshots are for the client's GET /api/v3/depth, whatever it subscribed to.
        if (!subscribed(r.stream) && r.what != replay_line::kind::snapshot) continue;
        return std::optional<replay_line>(r);
    }
}

}  // namespace mdrec::replay
