// A `.npz` file (numpy's zip of `.npy` arrays) holding one array, `data`, of hftbacktest's
// 64-byte event records, written as the events stream in: a stored (uncompressed) zip entry
// whose CRC-32 (zlib) and sizes, and the .npy header's shape, are filled in by commit(). Memory
// is one 1 MiB buffer whatever the count. The file is `<path>.tmp` until commit() (fsync,
// rename). Plain zip (no zip64): at most 4 GiB of events (67 million) per file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mdrec/common/result.hpp"

namespace mdrec::exporting {

// hftbacktest's `event_dtype` (hftbacktest.types): ev u8, exch_ts i8, local_ts i8, px f8,
// qty f8, order_id u8, ival i8, fval f8, little-endian, 64 bytes aligned.
struct hbt_event {
    std::uint64_t ev = 0;
    std::int64_t exch_ts = 0;
    std::int64_t local_ts = 0;
    double px = 0;
    double qty = 0;
    std::uint64_t order_id = 0;
    std::int64_t ival = 0;
    double fval = 0;
};
static_assert(sizeof(hbt_event) == 64);

class npz_writer {
  public:
    static result<npz_writer> open(const std::string& path);

    npz_writer(npz_writer&&) noexcept;
    npz_writer& operator=(npz_writer&&) = delete;
    ~npz_writer();  // an uncommitted file is removed

    result<void> append(const hbt_event& event);
    // Writes the buffered events, the .npy header with the count, the zip headers; fsync, rename.
    result<void> commit();

    std::uint64_t count() const noexcept { return count_; }
    const std::string& path() const noexcept { return path_; }

    // The .npy v1.0 header of `count` events, padded to `header_bytes` (exposed for the tests).
    static std::string npy_header(std::uint64_t count);
    static constexpr std::size_t header_bytes = 320;  // 64-aligned, room for any count

  private:
    npz_writer(int fd, std::string path);
    result<void> flush();
    result<void> pwrite_all(const std::string& bytes, std::uint64_t offset);

    int fd_ = -1;
    std::string path_;
    std::vector<hbt_event> buf_;
    std::uint64_t count_ = 0;
    unsigned long data_crc_ = 0;  // CRC-32 of the event bytes so far
    bool committed_ = false;
};

}  // namespace mdrec::exporting
