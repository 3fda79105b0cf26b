// The k-way merge of streams' lines by receive time; see line_merger.hpp.
#include "mdrec/archive/line_merger.hpp"

#include <algorithm>
#include <map>

#include "mdrec/archive/path_list.hpp"
#include "mdrec/record/record_check.hpp"

namespace mdrec::archive {

line_merger::line_merger(std::vector<std::vector<std::string>> streams) {
    cursors_.reserve(streams.size());
    for (auto& files : streams) {
        cursors_.emplace_back();
        cursors_.back().files = std::move(files);
    }
}

line_merger line_merger::of_files(const std::vector<std::string>& files) {
    std::vector<std::vector<std::string>> groups;
    std::map<std::string, std::size_t> group_of;
    for (const auto& file : files) {
        const std::string stream = stream_of_path(file);
        if (stream.empty()) {
            groups.push_back({file});
            continue;
        }
        const auto [it, added] = group_of.emplace(stream, groups.size());
        if (added) groups.emplace_back();
        groups[it->second].push_back(file);
    }
    return line_merger(std::move(groups));
}

result<bool> line_merger::advance(cursor& c) {
    for (;;) {
        if (!c.source) {
            if (c.next_file >= c.files.size()) return false;
            auto opened = line_source::open(c.files[c.next_file++]);
            if (!opened) return tl::unexpected(opened.error());
            c.source.emplace(std::move(*opened));
        }
        auto line = c.source->next();
        if (!line) {
            c.source.reset();  // the rest of a damaged file is lost to the merge, as to cat
            return tl::unexpected(line.error());
        }
        if (!*line) {
            c.source.reset();
            continue;
        }
        c.head = **line;
        if (!c.head.continued) {
            if (const auto ts = record::leading_ts(c.head.text)) c.ts = *ts;
        }
        return true;
    }
}

void line_merger::push(std::size_t index) {
    heap_.push_back(index);
    std::push_heap(heap_.begin(), heap_.end(), [this](std::size_t a, std::size_t b) {
        // std::*_heap keep the greatest on top: "greater" puts the least (ts, index) there.
        return std::pair(cursors_[a].ts, a) > std::pair(cursors_[b].ts, b);
    });
}

std::size_t line_merger::pop() {
    std::pop_heap(heap_.begin(), heap_.end(), [this](std::size_t a, std::size_t b) {
        return std::pair(cursors_[a].ts, a) > std::pair(cursors_[b].ts, b);
    });
    const std::size_t index = heap_.back();
    heap_.pop_back();
    return index;
}

const std::string& line_merger::path() const noexcept {
    static const std::string none;
    if (!emitting_) return none;
    const cursor& c = cursors_[*emitting_];
    return c.next_file == 0 ? none : c.files[c.next_file - 1];
}

result<std::optional<line_source::line>> line_merger::next() {
    // Every stream's first line, once; after an error the same stream is tried again (its
    // next file) on the next call.
    while (next_start_ < cursors_.size()) {
        auto more = advance(cursors_[next_start_]);
        if (!more) return tl::unexpected(more.error());
        if (*more) push(next_start_);
        ++next_start_;
    }
    if (emitting_) {
        const std::size_t index = *emitting_;
        cursor& c = cursors_[index];
        auto more = advance(c);
        if (!more) return tl::unexpected(more.error());
        emitting_.reset();
        if (*more) {
            if (c.head.continued) {  // the rest of a long line follows it at once
                emitting_ = index;
                return c.head;
            }
            push(index);
        }
    }
    if (heap_.empty()) return std::nullopt;
    const std::size_t index = pop();
    emitting_ = index;
    return cursors_[index].head;
}

}  // namespace mdrec::archive
