// The .npz writer; see npz_writer.hpp. Zip layout (PKWARE APPNOTE 4.3): local file header,
// the entry's bytes (.npy header + events), central directory header, end of central directory.
// The CRC of the whole entry is crc32_combine(crc(header), crc(events)), since the header, which
// holds the count, is written last.
#include "mdrec/export/npz_writer.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>

#include "mdrec/common/sys_error.hpp"

namespace mdrec::exporting {

namespace {

constexpr std::string_view entry_name = "data.npy";  // np.load(f)["data"]
constexpr std::size_t local_header_bytes = 30 + entry_name.size();
constexpr std::size_t buffered_events = (1u << 20) / sizeof(hbt_event);

void put16(std::string& out, std::uint32_t v) {
    out += static_cast<char>(v & 0xff);
    out += static_cast<char>((v >> 8) & 0xff);
}
void put32(std::string& out, std::uint32_t v) {
    put16(out, v & 0xffff);
    put16(out, v >> 16);
}

// The fields a local and a central header share, from "version needed" to the name length.
void common_fields(std::string& out, std::uint32_t crc, std::uint32_t size) {
    put16(out, 20);    // version needed: 2.0
    put16(out, 0);     // flags
    put16(out, 0);     // method: stored
    put16(out, 0);     // time 00:00
    put16(out, 0x21);  // date 1980-01-01
    put32(out, crc);
    put32(out, size);  // compressed
    put32(out, size);  // uncompressed
    put16(out, static_cast<std::uint32_t>(entry_name.size()));
}

std::string tmp_name(const std::string& path) { return path + ".tmp"; }

}  // namespace

std::string npz_writer::npy_header(std::uint64_t count) {
    // numpy's own descr for hftbacktest's event_dtype (its fields are naturally aligned, so
    // align=True adds no padding and the list form is exact).
    std::string dict =
        "{'descr': [('ev', '<u8'), ('exch_ts', '<i8'), ('local_ts', '<i8'), ('px', '<f8'), "
        "('qty', '<f8'), ('order_id', '<u8'), ('ival', '<i8'), ('fval', '<f8')], "
        "'fortran_order': False, 'shape': (" +
        std::to_string(count) + ",), }";
    std::string h = "\x93NUMPY";
    h += '\x01';
    h += '\x00';
    const std::size_t dict_bytes = header_bytes - 10;
    dict.resize(dict_bytes - 1, ' ');
    dict += '\n';
    put16(h, static_cast<std::uint32_t>(dict_bytes));
    h += dict;
    return h;
}

npz_writer::npz_writer(int fd, std::string path) : fd_(fd), path_(std::move(path)) {
    buf_.reserve(buffered_events);
    data_crc_ = crc32(0L, Z_NULL, 0);
}

npz_writer::npz_writer(npz_writer&& o) noexcept
    : fd_(std::exchange(o.fd_, -1)),
      path_(std::move(o.path_)),
      buf_(std::move(o.buf_)),
      count_(o.count_),
      data_crc_(o.data_crc_),
      committed_(std::exchange(o.committed_, true)) {}

npz_writer::~npz_writer() {
    if (fd_ < 0) return;
    ::close(fd_);
    if (!committed_) ::unlink(tmp_name(path_).c_str());
}

result<npz_writer> npz_writer::open(const std::string& path) {
    const std::string tmp = tmp_name(path);
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return fail("cannot create " + tmp + ": " + errno_text(errno));
    // The events start after the two headers, written at commit.
    if (::lseek(fd, static_cast<off_t>(local_header_bytes + header_bytes), SEEK_SET) < 0) {
        const int e = errno;
        ::close(fd);
        return fail("cannot seek in " + tmp + ": " + errno_text(e));
    }
    return npz_writer(fd, path);
}

result<void> npz_writer::append(const hbt_event& event) {
    buf_.push_back(event);
    ++count_;
    if (buf_.size() >= buffered_events) return flush();
    return {};
}

result<void> npz_writer::flush() {
    const auto* data = reinterpret_cast<const char*>(buf_.data());
    std::size_t size = buf_.size() * sizeof(hbt_event);
    data_crc_ = crc32(data_crc_, reinterpret_cast<const Bytef*>(data), static_cast<uInt>(size));
    while (size > 0) {
        const ssize_t n = ::write(fd_, data, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return fail("cannot write " + tmp_name(path_) + ": " + errno_text(errno));
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    buf_.clear();
    return {};
}

result<void> npz_writer::pwrite_all(const std::string& bytes, std::uint64_t offset) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::pwrite(fd_, bytes.data() + done, bytes.size() - done,
                                   static_cast<off_t>(offset + done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return fail("cannot write " + tmp_name(path_) + ": " + errno_text(errno));
        done += static_cast<std::size_t>(n);
    }
    return {};
}

result<void> npz_writer::commit() {
    MDREC_TRY(flush());
    const std::uint64_t data_bytes = count_ * sizeof(hbt_event);
    const std::uint64_t entry_bytes = header_bytes + data_bytes;
    if (local_header_bytes + entry_bytes > std::numeric_limits<std::uint32_t>::max()) {
        return fail(path_ + ": " + std::to_string(count_) +
                    " events do not fit one .npz (4 GiB without zip64): export fewer days or "
                    "streams per file, or to a folder (a file per day)");
    }
    const std::string npy = npy_header(count_);
    const uLong header_crc =
        crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(npy.data()), npy.size());
    const auto crc = static_cast<std::uint32_t>(
        crc32_combine(header_crc, data_crc_, static_cast<z_off_t>(data_bytes)));
    const auto size = static_cast<std::uint32_t>(entry_bytes);

    std::string local;
    put32(local, 0x04034b50);
    common_fields(local, crc, size);
    put16(local, 0);  // extra field length
    local += entry_name;
    MDREC_TRY(pwrite_all(local + npy, 0));

    std::string central;
    put32(central, 0x02014b50);
    put16(central, 20);  // version made by
    common_fields(central, crc, size);
    put16(central, 0);  // extra
    put16(central, 0);  // comment
    put16(central, 0);  // disk
    put16(central, 0);  // internal attributes
    put32(central, 0);  // external attributes
    put32(central, 0);  // offset of the local header
    central += entry_name;
    const std::uint64_t central_at = local_header_bytes + entry_bytes;
    std::string end;
    put32(end, 0x06054b50);
    put16(end, 0);
    put16(end, 0);
    put16(end, 1);
    put16(end, 1);
    put32(end, static_cast<std::uint32_t>(central.size()));
    put32(end, static_cast<std::uint32_t>(central_at));
    put16(end, 0);
    if (central_at + central.size() + end.size() > std::numeric_limits<std::uint32_t>::max()) {
        return fail(path_ + ": too many events for one .npz (4 GiB without zip64)");
    }
    MDREC_TRY(pwrite_all(central + end, central_at));

    const std::string tmp = tmp_name(path_);
    if (::fsync(fd_) != 0) return fail("cannot sync " + tmp + ": " + errno_text(errno));
    if (::rename(tmp.c_str(), path_.c_str()) != 0) {
        return fail("cannot rename " + tmp + " to " + path_ + ": " + errno_text(errno));
    }
    committed_ = true;
    return {};
}

}  // namespace mdrec::exporting
