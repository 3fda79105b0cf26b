// An export's output files; see output_files.hpp.
#include "mdrec/export/output_files.hpp"

#include <filesystem>

#include "mdrec/common/data_layout.hpp"
#include "mdrec/common/sys_error.hpp"
#include "mdrec/export/tardis_rows.hpp"

namespace mdrec::exporting {

void append_csv_field(std::string& out, std::string_view text) {
    if (text.find_first_of(",\"\n\r") == std::string_view::npos) {
        out += text;
        return;
    }
    out += '"';
    for (const char c : text) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
}

output_files::output_files(const export_request& request, export_summary& summary)
    : request_(request), summary_(summary) {}

std::string output_files::path_of(const std::string& name, std::int64_t day) const {
    if (!request_.out_is_folder) return request_.out;
    const bool npz = request_.format == export_format::hftbacktest;
    const std::string file = name + "_" + request_.kind.name() + "_" +
                             data_layout::format_date(day) +
                             (npz             ? ".npz"
                              : request_.gzip ? ".csv.gz"
                                              : ".csv");
    return (std::filesystem::path(request_.out) / file).string();
}

result<void> output_files::open_for(const std::string& name, std::int64_t day) {
    if (open_ && (!request_.out_is_folder || day == day_)) return {};
    MDREC_TRY(close());
    const std::string path = path_of(name, day);
    if (!names_.insert(path).second) {
        return fail(path +
                    ": written twice (two venues' streams of one name? export each "
                    "venue folder on its own)");
    }
    if (request_.format == export_format::hftbacktest) {
        MDREC_TRY_ASSIGN(auto npz, npz_writer::open(path));
        npz_.emplace(std::move(npz));
    } else {
        MDREC_TRY_ASSIGN(auto csv, csv_sink::open(path, request_.gzip));
        csv_.emplace(std::move(csv));
        MDREC_TRY(csv_->write(header()));
    }
    if (path != "-") {
        MDREC_TRY_ASSIGN(auto gaps, csv_sink::open(path + ".gaps.csv", false));
        gaps_.emplace(std::move(gaps));
        MDREC_TRY(gaps_->write("start,end,stream,reason\n"));
    }
    path_ = path;
    day_ = day;
    open_ = true;
    return {};
}

result<void> output_files::close() {
    if (!open_) return {};
    open_ = false;
    if (csv_) MDREC_TRY(csv_->commit());
    if (npz_) MDREC_TRY(npz_->commit());
    if (gaps_) MDREC_TRY(gaps_->commit());
    summary_.outputs.push_back(path_);
    csv_.reset();
    npz_.reset();
    gaps_.reset();
    return {};
}

result<void> output_files::write_rows(std::string_view rows) { return csv_->write(rows); }

result<void> output_files::write_events(const std::vector<hbt_event>& events) {
    for (const auto& e : events) MDREC_TRY(npz_->append(e));
    return {};
}

result<void> output_files::write_hole(std::int64_t start, std::int64_t end, std::string_view stream,
                                      std::string_view reason) {
    ++summary_.holes;
    if (!gaps_) return {};
    std::string row;
    append_int(row, start / 1000);
    row += ',';
    if (end != 0) append_int(row, end / 1000);
    row += ',';
    row += stream;
    row += ',';
    append_csv_field(row, reason);
    row += '\n';
    return gaps_->write(row);
}

std::string output_files::header() const {
    switch (request_.kind.value) {
        case export_kind::type::trades:
            return tardis_rows::trades_header();
        case export_kind::type::quotes:
            return tardis_rows::quotes_header();
        case export_kind::type::book_snapshot:
            return tardis_rows::book_snapshot_header(request_.kind.levels);
        case export_kind::type::incremental_book_l2:
            return tardis_rows::incremental_header();
        case export_kind::type::all:
            break;
    }
    return {};
}

}  // namespace mdrec::exporting
