// mdrec's files on disk; see data_layout.hpp.
#include "mdrec/common/data_layout.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <limits>

namespace mdrec::data_layout {

namespace {

constexpr std::int64_t ns_per_hour = 3600LL * 1'000'000'000;
constexpr std::int64_t ns_per_day = 24 * ns_per_hour;

std::string joined(std::string_view folder, std::string_view name) {
    std::string path;
    path.reserve(folder.size() + 1 + name.size());
    path += folder;
    path += '/';
    path += name;
    return path;
}

// Floor division, also for negative times.
std::int64_t floor_div(std::int64_t value, std::int64_t unit) noexcept {
    std::int64_t q = value / unit;
    if (value % unit < 0) --q;
    return q;
}

}  // namespace

std::string venue_folder(std::string_view out_dir, std::string_view venue) {
    return joined(out_dir, venue);
}

std::string stream_folder(std::string_view venue_dir, std::string_view stream) {
    return joined(venue_dir, stream);
}

std::string rejects_folder(std::string_view venue_dir) { return joined(venue_dir, rejects_name); }

std::string control_folder(std::string_view venue_dir) { return joined(venue_dir, control_name); }

std::string lock_file(std::string_view out_dir) { return joined(out_dir, lock_name); }

std::string lost_file(std::string_view venue_dir) { return joined(venue_dir, lost_name); }

std::int64_t hour_of(std::int64_t ts_ns) noexcept { return floor_div(ts_ns, ns_per_hour); }

std::pair<std::int64_t, std::int64_t> hour_range(std::int64_t hour) noexcept {
    std::int64_t begin = 0;
    std::int64_t end = 0;
    if (__builtin_mul_overflow(hour, ns_per_hour, &begin)) {
        begin = std::numeric_limits<std::int64_t>::min();
    }
    if (__builtin_mul_overflow(hour + 1, ns_per_hour, &end)) {
        end = std::numeric_limits<std::int64_t>::max();
    }
    return {begin, end};
}

std::int64_t day_of(std::int64_t ts_ns) noexcept { return floor_div(ts_ns, ns_per_day); }

std::int64_t day_of_hour(std::int64_t hour) noexcept { return floor_div(hour, 24); }

int hour_of_day(std::int64_t hour) noexcept { return static_cast<int>(((hour % 24) + 24) % 24); }

std::string format_date(std::int64_t day) {
    using namespace std::chrono;
    const year_month_day ymd{sys_days{days{day}}};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    return buf;
}

std::optional<std::int64_t> parse_date(std::string_view text) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
    auto digits = [&](std::size_t from, std::size_t count) -> std::optional<int> {
        int value = 0;
        for (std::size_t i = from; i < from + count; ++i) {
            if (text[i] < '0' || text[i] > '9') return std::nullopt;
            value = value * 10 + (text[i] - '0');
        }
        return value;
    };
    const auto y = digits(0, 4), m = digits(5, 2), d = digits(8, 2);
    if (!y || !m || !d) return std::nullopt;
    using namespace std::chrono;
    const year_month_day ymd{year{*y}, month{static_cast<unsigned>(*m)},
                             day{static_cast<unsigned>(*d)}};
    if (!ymd.ok()) return std::nullopt;
    return sys_days{ymd}.time_since_epoch().count();
}

std::string utc_date_of_hour(std::int64_t hour) { return format_date(day_of_hour(hour)); }

std::string utc_hour_of_day(std::int64_t hour) {
    char buf[4];
    std::snprintf(buf, sizeof buf, "%02d", hour_of_day(hour));
    return buf;
}

std::string segment_folder(std::string_view stream_dir, std::int64_t hour) {
    return joined(stream_dir, utc_date_of_hour(hour));
}

std::string segment_file(std::string_view stream_dir, std::int64_t hour) {
    std::string path = segment_folder(stream_dir, hour);
    path += '/';
    path += utc_hour_of_day(hour);
    path += segment_extension;
    return path;
}

bool is_day_folder_name(std::string_view name) noexcept { return parse_date(name).has_value(); }

bool is_segment_name(std::string_view name) noexcept {
    if (name.size() != 8 || name.substr(2) != segment_extension) return false;
    if (name[0] < '0' || name[0] > '2' || name[1] < '0' || name[1] > '9') return false;
    return (name[0] - '0') * 10 + (name[1] - '0') < 24;
}

std::optional<segment_location> parse_segment_path(std::string_view path) {
    // std::filesystem's idea of the parts (repeated or trailing separators, "." folders), the
    // same as the callers' that walk folders with it.
    namespace fs = std::filesystem;
    const fs::path file(path);
    const std::string name = file.filename().string();
    if (!is_segment_name(name)) return std::nullopt;
    const fs::path date = file.parent_path();
    const auto day = parse_date(date.filename().string());
    if (!day) return std::nullopt;
    segment_location where;
    where.stream = date.parent_path().filename().string();
    if (where.stream.empty()) return std::nullopt;
    where.day = *day;
    where.hour = (name[0] - '0') * 10 + (name[1] - '0');
    return where;
}

std::string archive_day_folder(std::string_view archive_dir, std::string_view venue,
                               std::string_view date) {
    return joined(joined(archive_dir, venue), date);
}

std::string file_in(std::string_view folder, std::string_view name) { return joined(folder, name); }

std::optional<std::string> stream_of_file_name(std::string_view name) {
    for (std::string_view ext : {rejects_archive_extension, archive_extension, segment_extension}) {
        if (name.ends_with(ext)) return std::string(name.substr(0, name.size() - ext.size()));
    }
    return std::nullopt;
}

}  // namespace mdrec::data_layout
