// Segment naming; see segment_path.hpp.
#include "mdrec/writer/segment_path.hpp"

#include <chrono>
#include <cstdio>

namespace mdrec::writer {

std::int64_t hour_of(std::int64_t ts_ns) noexcept {
    constexpr std::int64_t ns_per_hour = 3600LL * 1'000'000'000;
    std::int64_t h = ts_ns / ns_per_hour;
    if (ts_ns % ns_per_hour < 0) --h;
    return h;
}

std::string utc_date_of_hour(std::int64_t hour) {
    using namespace std::chrono;
    const sys_days day{days{hour >= 0 ? hour / 24 : (hour - 23) / 24}};
    const year_month_day ymd{day};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    return buf;
}

std::string utc_hour_of_day(std::int64_t hour) {
    const auto h = static_cast<int>(((hour % 24) + 24) % 24);
    char buf[4];
    std::snprintf(buf, sizeof buf, "%02d", h);
    return buf;
}

std::string segment_folder(std::string_view stream_dir, std::int64_t hour) {
    std::string path(stream_dir);
    path += '/';
    path += utc_date_of_hour(hour);
    return path;
}

std::string segment_file(std::string_view stream_dir, std::int64_t hour) {
    std::string path = segment_folder(stream_dir, hour);
    path += '/';
    path += utc_hour_of_day(hour);
    path += ".jsonl";
    return path;
}

}  // namespace mdrec::writer
