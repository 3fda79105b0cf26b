// Clients' positions and the snapshots they reached; see replay_positions.hpp.
#include "mdrec/replay/replay_positions.hpp"

#include <algorithm>

#include "mdrec/book/depth_stream.hpp"

namespace mdrec::replay {

void replay_position::keep_snapshot(std::int64_t at, std::string_view stream,
                                    std::string_view body) {
    auto it = snapshots.find(stream);
    if (it == snapshots.end())
        it = snapshots.emplace(std::string(stream), recorded_snapshot{}).first;
    it->second.ts = at;
    it->second.body.assign(body);
}

const recorded_snapshot* replay_position::latest(std::string_view symbol) const {
    // The streams of a symbol sort together: "<symbol>@depth", "<symbol>@depth@100ms", ...
    const std::string prefix = std::string(symbol) + "@depth";
    const recorded_snapshot* found = nullptr;
    for (auto it = snapshots.lower_bound(prefix);
         it != snapshots.end() && std::string_view(it->first).starts_with(prefix); ++it) {
        if (!book::is_diff_depth_stream(it->first)) continue;
        if (!found || it->second.ts > found->ts) found = &it->second;
    }
    return found;
}

void replay_positions::add(const replay_position* position) { clients_.push_back(position); }

void replay_positions::remove(const replay_position* position) {
    clients_.erase(std::remove(clients_.begin(), clients_.end(), position), clients_.end());
}

const replay_position* replay_positions::most_advanced() const noexcept {
    const replay_position* best = nullptr;
    for (const replay_position* p : clients_) {
        if (p->ts == std::numeric_limits<std::int64_t>::min()) continue;
        if (!best || p->ts > best->ts) best = p;
    }
    return best;
}

}  // namespace mdrec::replay
