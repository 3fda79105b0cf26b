// Streaming line reader over plain or zstd-compressed JSONL; see line_source.hpp.
#include "mdrec/archive/line_source.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>

#include "mdrec/common/sys_error.hpp"

namespace mdrec::archive {

namespace {

constexpr std::size_t raw_size = 1u << 20;
constexpr unsigned char zstd_magic[4] = {0x28, 0xB5, 0x2F, 0xFD};

}  // namespace

void line_source::free_dctx::operator()(ZSTD_DCtx_s* ctx) const noexcept { ZSTD_freeDCtx(ctx); }

line_source::line_source(int fd, std::string path)
    : fd_(fd), path_(std::move(path)), raw_(raw_size), buf_(raw_size) {}

line_source::line_source(line_source&& other) noexcept
    : fd_(other.fd_),
      path_(std::move(other.path_)),
      dctx_(std::move(other.dctx_)),
      raw_(std::move(other.raw_)),
      raw_pos_(other.raw_pos_),
      raw_end_(other.raw_end_),
      raw_eof_(other.raw_eof_),
      frame_left_(other.frame_left_),
      buf_(std::move(other.buf_)),
      begin_(other.begin_),
      end_(other.end_),
      scanned_(other.scanned_),
      eof_(other.eof_),
      file_bytes_(other.file_bytes_),
      data_bytes_(other.data_bytes_) {
    other.fd_ = -1;
}

line_source::~line_source() {
    if (fd_ >= 0) ::close(fd_);
}

result<line_source> line_source::open(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return fail("cannot open " + path + ": " + errno_text(errno));
    line_source source(fd, path);
    // Sniff the first bytes: a zstd frame starts with its magic number, whatever the name.
    auto got = source.read_raw(source.raw_.data(), source.raw_.size());
    if (!got) return tl::unexpected(got.error());
    source.raw_end_ = *got;
    if (*got >= 4 && std::memcmp(source.raw_.data(), zstd_magic, 4) == 0) {
        source.dctx_.reset(ZSTD_createDCtx());
        // Archives made with --long use a 128 MiB window; allow that much, and no more.
        ZSTD_DCtx_setParameter(source.dctx_.get(), ZSTD_d_windowLogMax, 27);
    } else {
        // Plain text: the bytes read so far are data.
        std::memcpy(source.buf_.data(), source.raw_.data(), *got);
        source.end_ = *got;
        source.data_bytes_ = *got;
        source.raw_end_ = 0;
    }
    return source;
}

result<std::size_t> line_source::read_raw(char* dst, std::size_t size) {
    for (;;) {
        const ssize_t n = ::read(fd_, dst, size);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fail("cannot read " + path_ + ": " + errno_text(errno));
        file_bytes_ += static_cast<std::uint64_t>(n);
        return static_cast<std::size_t>(n);
    }
}

result<bool> line_source::fill() {
    // Make room: drop returned lines, then grow up to the line limit.
    if (begin_ > 0) {
        std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
        end_ -= begin_;
        scanned_ -= begin_;
        begin_ = 0;
    }
    if (end_ == buf_.size()) buf_.resize(buf_.size() * 2);
    if (!dctx_) {
        if (raw_eof_) return false;
        auto got = read_raw(buf_.data() + end_, buf_.size() - end_);
        if (!got) return tl::unexpected(got.error());
        if (*got == 0) raw_eof_ = true;
        end_ += *got;
        data_bytes_ += *got;
        return *got > 0;
    }
    for (;;) {
        if (raw_pos_ == raw_end_ && !raw_eof_) {
            auto got = read_raw(raw_.data(), raw_.size());
            if (!got) return tl::unexpected(got.error());
            raw_pos_ = 0;
            raw_end_ = *got;
            if (*got == 0) raw_eof_ = true;
        }
        if (raw_pos_ == raw_end_ && raw_eof_) {
            // The data ended: fine between frames, not inside one (or before the first).
            if (frame_left_ != 0 || file_bytes_ == 0) {
                return fail(path_ + ": truncated zstd data (unexpected end of file)");
            }
            return false;
        }
        ZSTD_inBuffer in{raw_.data(), raw_end_, raw_pos_};
        ZSTD_outBuffer out{buf_.data(), buf_.size(), end_};
        const std::size_t ret = ZSTD_decompressStream(dctx_.get(), &out, &in);
        if (ZSTD_isError(ret)) {
            return fail(path_ + ": corrupt zstd data (" + ZSTD_getErrorName(ret) + ")");
        }
        frame_left_ = ret;
        raw_pos_ = in.pos;
        const std::size_t produced = out.pos - end_;
        end_ = out.pos;
        data_bytes_ += produced;
        if (produced > 0) return true;
    }
}

result<std::optional<line_source::line>> line_source::next() {
    for (;;) {
        if (scanned_ < begin_) scanned_ = begin_;
        if (const void* nl = std::memchr(buf_.data() + scanned_, '\n', end_ - scanned_)) {
            const auto at = static_cast<std::size_t>(static_cast<const char*>(nl) - buf_.data());
            line out{std::string_view(buf_.data() + begin_, at - begin_), true, true};
            begin_ = at + 1;
            scanned_ = begin_;
            return out;
        }
        scanned_ = end_;
        if (end_ - begin_ >= max_line_bytes) {
            line out{std::string_view(buf_.data() + begin_, max_line_bytes), false, false};
            begin_ += max_line_bytes;
            return out;
        }
        if (eof_) {
            if (begin_ == end_) return std::optional<line>{};
            line out{std::string_view(buf_.data() + begin_, end_ - begin_), false, true};
            begin_ = end_;
            return out;
        }
        auto more = fill();
        if (!more) return tl::unexpected(more.error());
        if (!*more) eof_ = true;
    }
}

}  // namespace mdrec::archive
