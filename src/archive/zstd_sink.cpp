// Streaming zstd file writer; see zstd_sink.hpp.
#include "mdrec/archive/zstd_sink.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>

#include "mdrec/common/sys_error.hpp"

namespace mdrec::archive {

void zstd_sink::free_cctx::operator()(ZSTD_CCtx_s* ctx) const noexcept { ZSTD_freeCCtx(ctx); }

zstd_sink::zstd_sink(int fd, std::string path)
    : fd_(fd), path_(std::move(path)), cctx_(ZSTD_createCCtx()), out_(ZSTD_CStreamOutSize()) {}

zstd_sink::zstd_sink(zstd_sink&& other) noexcept
    : fd_(other.fd_),
      path_(std::move(other.path_)),
      cctx_(std::move(other.cctx_)),
      out_(std::move(other.out_)),
      bytes_in_(other.bytes_in_),
      bytes_out_(other.bytes_out_) {
    other.fd_ = -1;
}

zstd_sink::~zstd_sink() {
    if (fd_ >= 0) ::close(fd_);
}

result<zstd_sink> zstd_sink::create(const std::string& path, const zstd_settings& settings) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return fail("cannot create " + path + ": " + errno_text(errno));
    zstd_sink sink(fd, path);
    ZSTD_CCtx* c = sink.cctx_.get();
    auto check = [&](std::size_t rc, const char* what) -> result<void> {
        if (ZSTD_isError(rc))
            return fail(std::string("zstd ") + what + ": " + ZSTD_getErrorName(rc));
        return {};
    };
    if (auto r = check(ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, settings.level), "level");
        !r) {
        return tl::unexpected(r.error());
    }
    // A checksum of the content in the frame, so that `zstd -t` catches a damaged archive.
    if (auto r = check(ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1), "checksum"); !r) {
        return tl::unexpected(r.error());
    }
    if (settings.threads > 0) {
        if (auto r = check(ZSTD_CCtx_setParameter(c, ZSTD_c_nbWorkers, settings.threads),
                           "threads (is libzstd built with multi-threading?)");
            !r) {
            return tl::unexpected(r.error());
        }
    }
    if (settings.long_mode) {
        // 2^27 = 128 MiB: the largest window `zstd -d` accepts without a --long flag.
        if (auto r = check(ZSTD_CCtx_setParameter(c, ZSTD_c_enableLongDistanceMatching, 1), "long");
            !r) {
            return tl::unexpected(r.error());
        }
        if (auto r = check(ZSTD_CCtx_setParameter(c, ZSTD_c_windowLog, 27), "window"); !r) {
            return tl::unexpected(r.error());
        }
    }
    return sink;
}

result<void> zstd_sink::drain(std::size_t size) {
    std::size_t done = 0;
    while (done < size) {
        const ssize_t n = ::write(fd_, out_.data() + done, size - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return fail("cannot write " + path_ + ": " + errno_text(n < 0 ? errno : EIO));
        done += static_cast<std::size_t>(n);
    }
    bytes_out_ += size;
    return {};
}

result<void> zstd_sink::pump(std::string_view bytes, int mode) {
    ZSTD_inBuffer in{bytes.data(), bytes.size(), 0};
    const auto directive = static_cast<ZSTD_EndDirective>(mode);
    for (;;) {
        ZSTD_outBuffer out{out_.data(), out_.size(), 0};
        const std::size_t left = ZSTD_compressStream2(cctx_.get(), &out, &in, directive);
        if (ZSTD_isError(left)) return fail("zstd: " + std::string(ZSTD_getErrorName(left)));
        if (out.pos > 0) {
            if (auto r = drain(out.pos); !r) return r;
        }
        const bool done = directive == ZSTD_e_end ? left == 0 : in.pos == in.size;
        if (done) return {};
    }
}

result<void> zstd_sink::write(std::string_view bytes) {
    bytes_in_ += bytes.size();
    return pump(bytes, ZSTD_e_continue);
}

result<void> zstd_sink::finish() {
    if (auto r = pump({}, ZSTD_e_end); !r) return r;
    if (::fsync(fd_) != 0) return fail("cannot sync " + path_ + ": " + errno_text(errno));
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) return fail("cannot close " + path_ + ": " + errno_text(errno));
    return {};
}

}  // namespace mdrec::archive
