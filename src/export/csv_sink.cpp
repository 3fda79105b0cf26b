// The export's output; see csv_sink.hpp.
#include "mdrec/export/csv_sink.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstdio>

#include "mdrec/common/sys_error.hpp"

namespace mdrec::exporting {

namespace {

constexpr std::size_t buffer_bytes = 1u << 20;

std::string tmp_name(const std::string& path) { return path + ".tmp"; }

}  // namespace

void csv_sink::free_zstream::operator()(z_stream_s* z) const noexcept {
    deflateEnd(z);
    delete z;
}

csv_sink::csv_sink(int fd, std::string path, bool gzip) : fd_(fd), path_(std::move(path)) {
    buf_.reserve(buffer_bytes + 4096);
    if (gzip) {
        z_.reset(new z_stream_s{});
        // windowBits 15 + 16: a gzip header and trailer, what `gzip -d` and pandas expect.
        deflateInit2(z_.get(), Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
        zbuf_.resize(buffer_bytes);
    }
}

result<csv_sink> csv_sink::open(const std::string& path, bool gzip) {
    if (path == "-") return csv_sink(STDOUT_FILENO, std::string(), false);
    const std::string tmp = tmp_name(path);
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return fail("cannot create " + tmp + ": " + errno_text(errno));
    return csv_sink(fd, path, gzip);
}

csv_sink::csv_sink(csv_sink&& o) noexcept
    : fd_(std::exchange(o.fd_, -1)),
      path_(std::move(o.path_)),
      z_(std::move(o.z_)),
      buf_(std::move(o.buf_)),
      zbuf_(std::move(o.zbuf_)),
      bytes_in_(o.bytes_in_),
      committed_(std::exchange(o.committed_, true)) {}

csv_sink& csv_sink::operator=(csv_sink&& o) noexcept {
    if (this != &o) {
        this->~csv_sink();
        new (this) csv_sink(std::move(o));
    }
    return *this;
}

csv_sink::~csv_sink() {
    if (fd_ < 0 || path_.empty()) return;
    ::close(fd_);
    if (!committed_) ::unlink(tmp_name(path_).c_str());
}

result<void> csv_sink::write(std::string_view text) {
    buf_.append(text);
    bytes_in_ += text.size();
    if (buf_.size() >= buffer_bytes) return flush(false);
    return {};
}

result<void> csv_sink::write_out(const char* data, std::size_t size) {
    while (size > 0) {
        const ssize_t n = ::write(fd_, data, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            return fail("cannot write " +
                        (path_.empty() ? std::string("standard output") : tmp_name(path_)) + ": " +
                        errno_text(n < 0 ? errno : EIO));
        }
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    return {};
}

result<void> csv_sink::flush(bool finish) {
    if (!z_) {
        MDREC_TRY(write_out(buf_.data(), buf_.size()));
        buf_.clear();
        return {};
    }
    z_->next_in = reinterpret_cast<Bytef*>(buf_.data());
    z_->avail_in = static_cast<uInt>(buf_.size());
    int rc = Z_OK;
    do {
        z_->next_out = reinterpret_cast<Bytef*>(zbuf_.data());
        z_->avail_out = static_cast<uInt>(zbuf_.size());
        rc = deflate(z_.get(), finish ? Z_FINISH : Z_NO_FLUSH);
        if (rc == Z_STREAM_ERROR) return fail("gzip: " + std::string(z_->msg ? z_->msg : "error"));
        MDREC_TRY(write_out(zbuf_.data(), zbuf_.size() - z_->avail_out));
    } while (z_->avail_out == 0 || (finish && rc != Z_STREAM_END));
    buf_.clear();
    return {};
}

result<void> csv_sink::commit() {
    MDREC_TRY(flush(true));
    if (path_.empty()) return {};
    const std::string tmp = tmp_name(path_);
    if (::fsync(fd_) != 0) return fail("cannot sync " + tmp + ": " + errno_text(errno));
    if (::rename(tmp.c_str(), path_.c_str()) != 0) {
        return fail("cannot rename " + tmp + " to " + path_ + ": " + errno_text(errno));
    }
    committed_ = true;
    return {};
}

}  // namespace mdrec::exporting
