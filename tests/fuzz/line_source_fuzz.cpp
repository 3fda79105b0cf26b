// Fuzz target: archive/line_source, the reader of every .jsonl and .jsonl.zst that consolidate,
// verify and cat open. The first byte picks the file: the rest as it is (plain, or zstd if it
// starts with the magic number), or compressed by zstd and then truncated, bit-flipped or
// followed by junk. The lines must give back the data byte for byte, a long line only in
// continued pieces, and a damaged archive must end in an error or in data, never a crash.
#include <zstd.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "mdrec/archive/line_source.hpp"

using mdrec::archive::line_source;
using mdrec::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 3) return 0;
    static const std::string& path = mdrec::fuzz::scratch_path(".jsonl");
    static mdrec::fuzz::scratch_cleanup cleanup{path};
    const unsigned mode = data[0] % 4;
    const std::size_t where = data[1] | (std::size_t{data[2]} << 8);
    const std::string original(reinterpret_cast<const char*>(data) + 3, size - 3);
    std::string file = original;
    if (mode != 0) {
        file.resize(ZSTD_compressBound(original.size()));
        const std::size_t n =
            ZSTD_compress(file.data(), file.size(), original.data(), original.size(), 1);
        require(!ZSTD_isError(n), "zstd cannot compress");
        file.resize(n);
        if (mode == 1) file.resize(where % (file.size() + 1));  // truncated
        if (mode == 2) file[where % file.size()] ^= static_cast<char>(1u << (where >> 13));  // flip
        if (mode == 3) file += original.substr(0, where % 64);  // junk after
    }
    mdrec::fuzz::write_scratch(path, file);

    auto source = line_source::open(path);
    require(source.has_value(), "a readable file does not open");
    std::string text;
    bool open_piece = false;  // the last piece was part of an unfinished long line
    for (;;) {
        auto line = source->next();
        if (!line) break;  // damaged data: an error is the right answer
        if (!*line) {
            // Everything was read: the lines are the data.
            require(text.size() == source->data_bytes(), "the lines do not add up to the data");
            if (!source->compressed())
                require(text == file, "the lines differ from the plain file");
            // Cut or followed by junk, an archive that still reads to its end gave a prefix of
            // its data, or all of it and then more (a bit flip may change any byte).
            if (mode == 1 && source->compressed()) {
                require(original.compare(0, text.size(), text) == 0,
                        "a truncated archive gave data it does not hold");
            }
            if (mode == 3 && source->compressed()) {
                require(text.compare(0, original.size(), original) == 0,
                        "junk after an archive changed its data");
            }
            break;
        }
        const auto& l = **line;
        require(l.text.size() <= line_source::max_line_bytes, "a piece over the limit");
        require(l.continued == open_piece, "a piece continues nothing, or a line was split");
        if (l.continued) require(!l.complete, "a continued piece marked complete");
        open_piece = !l.complete && !l.terminated && l.text.size() == line_source::max_line_bytes;
        text.append(l.text);
        if (l.terminated) text += '\n';
    }
    return 0;
}
