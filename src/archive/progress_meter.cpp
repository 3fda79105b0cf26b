// Progress line; see progress_meter.hpp.
#include "mdrec/archive/progress_meter.hpp"

namespace mdrec::archive {

progress_meter::progress_meter(bool live)
    : live_(live), start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

double progress_meter::seconds() const noexcept {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

std::string progress_meter::figures() const {
    const double in_mb = static_cast<double>(in_) / 1e6;
    const double out_mb = static_cast<double>(out_) / 1e6;
    const double ratio = out_ > 0 ? static_cast<double>(in_) / static_cast<double>(out_) : 0.0;
    const double secs = seconds();
    char buf[160];
    std::snprintf(buf, sizeof buf, "%llu file%s, %.1f MB in, %.1f MB out (%.1fx), %.1f MB/s",
                  static_cast<unsigned long long>(files_), files_ == 1 ? "" : "s", in_mb, out_mb,
                  ratio, secs > 0 ? in_mb / secs : 0.0);
    return buf;
}

void progress_meter::add(std::uint64_t in_bytes, std::uint64_t out_bytes) {
    in_ += in_bytes;
    out_ += out_bytes;
    if (!live_) return;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_draw_ < std::chrono::milliseconds(500)) return;
    last_draw_ = now;
    std::fprintf(stderr, "\r\033[Kconsolidating: %s", figures().c_str());
    std::fflush(stderr);
    drawn_ = true;
}

void progress_meter::clear() {
    if (!drawn_) return;
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
    drawn_ = false;
}

}  // namespace mdrec::archive
