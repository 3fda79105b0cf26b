// Fuzz target: writer/tail_repair, which cuts what a crash left at the end of a segment before
// the recorder appends to it. The input is the segment. The repaired file must be a prefix of
// it ending in a record line (or empty), and what was cut must be exactly the pieces returned.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "mdrec/record/record_check.hpp"
#include "mdrec/writer/tail_repair.hpp"

using mdrec::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::string& path = mdrec::fuzz::scratch_path(".jsonl");
    static mdrec::fuzz::scratch_cleanup cleanup{path};
    const std::string before(reinterpret_cast<const char*>(data), size);
    mdrec::fuzz::write_scratch(path, before);
    const auto repaired = mdrec::writer::repair_tail(path);
    require(repaired.has_value(), "repair of a readable file failed");
    const std::string after = mdrec::fuzz::read_scratch(path);

    require(before.compare(0, after.size(), after) == 0, "the repair changed kept bytes");
    require(repaired->cut_bytes == before.size() - after.size(), "cut_bytes is wrong");
    std::string cut;
    for (std::size_t i = 0; i < repaired->cut_pieces.size(); ++i) {
        if (i != 0) cut += '\n';
        cut += repaired->cut_pieces[i];
    }
    if (!repaired->cut_pieces.empty() && before.back() == '\n') cut += '\n';
    require(after + cut == before, "the pieces are not what was cut");
    // At most 64 lines are cut per repair (a file of garbage is not searched to its start).
    if (repaired->cut_pieces.size() < 64 && !after.empty()) {
        require(after.back() == '\n', "the repaired file ends without a newline");
        const std::string_view body(after.data(), after.size() - 1);  // without its newline
        const std::size_t nl = body.rfind('\n');
        const std::string_view last = nl == std::string_view::npos ? body : body.substr(nl + 1);
        mdrec::record::record_check check;
        require(check.is_record(last), "the repaired file ends in a line that is not a record");
    }
    return 0;
}
