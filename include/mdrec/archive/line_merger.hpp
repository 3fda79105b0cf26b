// `mdrec cat --merge`: the lines of many streams' files as one sequence in receive-time order.
// A k-way merge that streams: one open line_source per stream (its files read one after the
// other, in the order given, which expand_paths makes time order), the next line of each
// compared by its leading "ts". Memory is one source's buffers per stream, whatever the files'
// sizes. A line longer than line_source's limit comes in pieces that follow each other, never
// interleaved with another stream's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mdrec/archive/line_source.hpp"
#include "mdrec/common/result.hpp"

namespace mdrec::archive {

class line_merger {
  public:
    // `streams`: per stream, its files in time order. Nothing is opened yet.
    explicit line_merger(std::vector<std::vector<std::string>> streams);
    // Groups `files` by stream (stream_of_path; files of no known stream each on their own),
    // keeping their order within a stream.
    static line_merger of_files(const std::vector<std::string>& files);

    // The next line of the merge (ties: the stream given first), nothing at the end, or an
    // error naming a file that could not be opened or read; after an error the merge goes on
    // with that stream's next file. A line without a leading ts keeps its place in its stream.
    // The text is valid until the next call. One thread; blocking reads.
    result<std::optional<line_source::line>> next();
    // The file the line next() returned last comes from (empty before the first).
    const std::string& path() const noexcept;

  private:
    struct cursor {
        std::vector<std::string> files;
        std::size_t next_file = 0;
        std::optional<line_source> source;
        line_source::line head{};
        std::int64_t ts = INT64_MIN;  // of the head line (or the last with a ts)
    };
    // Moves `c` to its next line, opening its next file when one ends; false when it has none
    // left. An open or read error is returned (the cursor has moved past that file).
    result<bool> advance(cursor& c);
    void push(std::size_t index);
    std::size_t pop();

    std::vector<cursor> cursors_;
    std::vector<std::size_t> heap_;        // indexes into cursors_, least (ts, index) on top
    std::optional<std::size_t> emitting_;  // whose head was returned last (to advance next)
    std::size_t next_start_ = 0;           // cursors not yet read for the first time
};

}  // namespace mdrec::archive
