// Forwarding header, removed by the lead at merge: segment naming moved to common/data_layout.
// Kept only because writer/jsonl_writer.cpp and its tests (being split by the writer helper in
// parallel) still include it; new code includes "mdrec/common/data_layout.hpp".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "mdrec/common/data_layout.hpp"

namespace mdrec::writer {

inline constexpr std::string_view rejects_folder = data_layout::rejects_name;

inline std::int64_t hour_of(std::int64_t ts_ns) noexcept { return data_layout::hour_of(ts_ns); }

inline std::string utc_date_of_hour(std::int64_t hour) {
    return data_layout::utc_date_of_hour(hour);
}
inline std::string utc_hour_of_day(std::int64_t hour) { return data_layout::utc_hour_of_day(hour); }

inline std::string segment_folder(std::string_view stream_dir, std::int64_t hour) {
    return data_layout::segment_folder(stream_dir, hour);
}
inline std::string segment_file(std::string_view stream_dir, std::int64_t hour) {
    return data_layout::segment_file(stream_dir, hour);
}

}  // namespace mdrec::writer
