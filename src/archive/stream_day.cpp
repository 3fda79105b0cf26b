// Finding stream days; see stream_day.hpp.
#include "mdrec/archive/stream_day.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <tuple>

namespace mdrec::archive {

namespace fs = std::filesystem;

std::optional<std::int64_t> parse_time(std::string_view text) {
    if (text.empty()) return std::nullopt;
    auto number = [](std::string_view digits, std::int64_t& value) {
        if (digits.empty() || digits.size() > 19) return false;
        std::uint64_t v = 0;
        for (char c : digits) {
            if (c < '0' || c > '9') return false;
            v = v * 10 + static_cast<std::uint64_t>(c - '0');
        }
        if (v > static_cast<std::uint64_t>(INT64_MAX)) return false;
        value = static_cast<std::int64_t>(v);
        return true;
    };
    std::int64_t ns = 0;
    if (text.size() != 10 && number(text, ns)) return ns;
    const auto day = parse_date(text.substr(0, 10));
    if (!day) return std::nullopt;
    constexpr std::int64_t s = 1'000'000'000;
    std::int64_t result = *day * 86400 * s;
    std::string_view rest = text.substr(10);
    if (rest.empty()) return result;
    if (!rest.empty() && rest.back() == 'Z') rest.remove_suffix(1);
    // "THH:MM", then optionally ":SS" and ".frac"
    std::int64_t hh = 0, mm = 0, ss = 0;
    if (rest.size() < 6 || (rest[0] != 'T' && rest[0] != ' ') || rest[3] != ':' ||
        !number(rest.substr(1, 2), hh) || !number(rest.substr(4, 2), mm) || hh > 23 || mm > 59) {
        return std::nullopt;
    }
    rest.remove_prefix(6);
    if (!rest.empty()) {
        if (rest.size() < 3 || rest[0] != ':' || !number(rest.substr(1, 2), ss) || ss > 60) {
            return std::nullopt;
        }
        rest.remove_prefix(3);
    }
    std::int64_t frac = 0;
    if (!rest.empty()) {
        if (rest[0] != '.' || rest.size() > 10 || !number(rest.substr(1), frac))
            return std::nullopt;
        for (std::size_t i = rest.size() - 1; i < 9; ++i) frac *= 10;
    }
    return result + (hh * 3600 + mm * 60 + ss) * s + frac;
}

void order_segments(const std::vector<std::string>& names, std::vector<std::string>& segments,
                    std::vector<std::string>& others) {
    for (const auto& name : names) (is_segment_name(name) ? segments : others).push_back(name);
    // "HH.jsonl": the name's order is the hour's order.
    std::sort(segments.begin(), segments.end());
    std::sort(others.begin(), others.end());
}

namespace {

std::vector<fs::path> subfolders(const fs::path& dir, std::error_code& ec) {
    std::vector<fs::path> out;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code type_ec;
        if (it->is_directory(type_ec)) out.push_back(it->path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

result<std::vector<stream_day>> find_stream_days(const std::string& data_dir,
                                                 const std::string& skip) {
    std::error_code ec;
    std::vector<stream_day> days;
    const fs::path skip_path = skip.empty() ? fs::path() : fs::weakly_canonical(skip, ec);
    ec.clear();
    const auto venues = subfolders(data_dir, ec);
    if (ec) return fail("cannot list " + data_dir + ": " + ec.message());
    for (const auto& venue : venues) {
        const std::string venue_name = venue.filename().string();
        if (venue_name.empty() || venue_name[0] == '.') continue;
        if (!skip_path.empty() && fs::weakly_canonical(venue, ec) == skip_path) continue;
        for (const auto& stream : subfolders(venue, ec)) {
            for (const auto& date : subfolders(stream, ec)) {
                const auto day = parse_date(date.filename().string());
                if (!day) continue;
                std::vector<std::string> names;
                for (fs::directory_iterator it(date, ec), end; !ec && it != end; it.increment(ec)) {
                    names.push_back(it->path().filename().string());
                }
                if (ec) return fail("cannot list " + date.string() + ": " + ec.message());
                stream_day sd;
                order_segments(names, sd.segments, sd.others);
                // An empty folder is listed too (a run killed before it removed it); a folder
                // with only unknown files is not.
                if (sd.segments.empty() && !sd.others.empty()) continue;
                sd.venue = venue_name;
                sd.stream = stream.filename().string();
                sd.date = date.filename().string();
                sd.day = *day;
                sd.folder = date.string();
                days.push_back(std::move(sd));
            }
            if (ec) return fail("cannot list " + stream.string() + ": " + ec.message());
        }
        if (ec) return fail("cannot list " + venue.string() + ": " + ec.message());
    }
    std::sort(days.begin(), days.end(), [](const stream_day& a, const stream_day& b) {
        return std::tie(a.venue, a.day, a.stream) < std::tie(b.venue, b.day, b.stream);
    });
    return days;
}

}  // namespace mdrec::archive
