// The .npz container: a zip a reader accepts (checked here by its structure; numpy reads it in
// the e2e test), the .npy header's dtype and count, the events' bytes.
#include "mdrec/export/npz_writer.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstring>
#include <filesystem>

#include "../support/temp_dir.hpp"

namespace mdrec::exporting {
namespace {

std::uint32_t u32(const std::string& s, std::size_t at) {
    std::uint32_t v = 0;
    std::memcpy(&v, s.data() + at, 4);
    return v;
}

TEST(npz_writer, npy_header_names_the_event_dtype_and_count_in_64_aligned_bytes) {
    const std::string h = npz_writer::npy_header(12345);
    EXPECT_EQ(h.size(), npz_writer::header_bytes);
    EXPECT_EQ(h.size() % 64, 0u);
    EXPECT_EQ(h.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
    EXPECT_NE(h.find("('ev', '<u8'), ('exch_ts', '<i8'), ('local_ts', '<i8'), ('px', '<f8'), "
                     "('qty', '<f8'), ('order_id', '<u8'), ('ival', '<i8'), ('fval', '<f8')"),
              std::string::npos);
    EXPECT_NE(h.find("'shape': (12345,)"), std::string::npos);
    EXPECT_EQ(h.back(), '\n');
}

TEST(npz_writer, writes_one_stored_zip_entry_with_its_crc) {
    test::temp_dir dir;
    const std::string path = (dir.path() / "x.npz").string();
    auto w = npz_writer::open(path);
    ASSERT_TRUE(w) << w.error().message;
    for (int i = 0; i < 3; ++i) {
        hbt_event e;
        e.ev = 1;
        e.exch_ts = i;
        e.px = 1.5 * i;
        ASSERT_TRUE(w->append(e));
    }
    EXPECT_FALSE(std::filesystem::exists(path));  // only the .tmp until commit
    ASSERT_TRUE(w->commit());
    const std::string z = test::read_file(path);
    ASSERT_GE(z.size(), 30u);
    EXPECT_EQ(u32(z, 0), 0x04034b50u);
    const std::uint32_t size = u32(z, 18);
    EXPECT_EQ(size, npz_writer::header_bytes + 3 * 64);
    const std::string entry = z.substr(30 + 8, size);
    EXPECT_EQ(u32(z, 14), crc32(0, reinterpret_cast<const Bytef*>(entry.data()), entry.size()));
    EXPECT_EQ(z.substr(30, 8), "data.npy");
    EXPECT_EQ(u32(z, z.size() - 22), 0x06054b50u);  // end of central directory
    hbt_event last;
    std::memcpy(&last, entry.data() + npz_writer::header_bytes + 2 * 64, 64);
    EXPECT_EQ(last.exch_ts, 2);
    EXPECT_EQ(last.px, 3.0);
}

}  // namespace
}  // namespace mdrec::exporting
