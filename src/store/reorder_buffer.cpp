// The store's reorder window; see reorder_buffer.hpp.
#include "mdrec/store/reorder_buffer.hpp"

#include <algorithm>
#include <charconv>

#include "mdrec/store/pull_consumer.hpp"

namespace mdrec::store {

std::optional<std::uint64_t> order_key(std::string_view msg_id) {
    const auto slash = msg_id.rfind('/');
    if (slash == std::string_view::npos || slash + 2 > msg_id.size()) return std::nullopt;
    const char tag = msg_id[slash + 1];
    if (tag != 't' && tag != 'a' && tag != 'u' && tag != 'L') return std::nullopt;
    const char* first = msg_id.data() + slash + 2;
    const char* last = msg_id.data() + msg_id.size();
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(first, last, value);
    if (ec != std::errc() || end == first || (end != last && *end != '#')) return std::nullopt;
    return value;
}

reorder_buffer::~reorder_buffer() {
    for (auto& e : held_) natsMsg_Destroy(e.msg);
}

void reorder_buffer::add(natsMsg* msg, std::uint64_t sequence, clock::time_point now) {
    entry e;
    e.msg = msg;
    e.sequence = sequence;
    e.due = now + window_;
    e.bytes = static_cast<std::size_t>(natsMsg_GetDataLength(msg)) + 64;
    bytes_ += e.bytes;
    const char* id = nullptr;
    if (natsMsgHeader_Get(msg, "Nats-Msg-Id", &id) == NATS_OK && id != nullptr) {
        e.key = order_key(id);
    }
    if (!e.key) {
        held_.push_back(e);
        return;
    }
    const char* subject = natsMsg_GetSubject(msg);
    e.subject = subject == nullptr ? std::string_view() : std::string_view(subject);
    auto found = subjects_.find(e.subject);
    if (found == subjects_.end())
        found = subjects_.emplace(std::string(e.subject), subject_state{}).first;
    subject_state& s = found->second;
    if (s.released && *e.key < *s.released) ++late_;  // its place is already written
    // Most messages come in order: after every held one of their subject.
    std::size_t pos = s.keyed.size();
    while (pos > 0 && *s.keyed[pos - 1]->key > *e.key) --pos;
    if (pos == s.keyed.size()) {
        held_.push_back(e);
        s.keyed.push_back(std::prev(held_.end()));
        return;
    }
    // Before the first newer one, and released with it: the list stays ordered by `due`.
    const auto before = s.keyed[pos];
    e.due = before->due;
    s.keyed.insert(s.keyed.begin() + static_cast<std::ptrdiff_t>(pos), held_.insert(before, e));
    ++reordered_;
}

void reorder_buffer::acknowledge_held(natsConnection* nc) {
    for (auto& e : held_) {
        if (e.acked) continue;
        e.acked = acknowledge(nc, e.msg) == NATS_OK;
    }
}

reorder_buffer::sequence_ranges reorder_buffer::held_sequences(
    const std::set<std::uint64_t>& also) const {
    std::vector<std::uint64_t> seqs(also.begin(), also.end());
    seqs.reserve(held_.size() + also.size());
    for (const auto& e : held_) seqs.push_back(e.sequence);
    std::sort(seqs.begin(), seqs.end());
    sequence_ranges ranges;
    for (const std::uint64_t s : seqs) {
        if (!ranges.empty() && s <= ranges.back().second + 1) {
            ranges.back().second = std::max(ranges.back().second, s);
        } else {
            ranges.emplace_back(s, s);
        }
    }
    return ranges;
}

}  // namespace mdrec::store
