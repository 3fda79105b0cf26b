// The dashboard page served at / on the metrics address: one self-contained HTML document
// (plain canvas charts, no script or font fetched from anywhere) compiled into the binary. It
// polls GET /api/dashboard once a second (dashboard_history) and keeps polling through a
// recorder restart.
#pragma once

#include <string_view>

namespace mdrec::ops {

// The whole page, text/html; charset=utf-8.
std::string_view dashboard_page() noexcept;

}  // namespace mdrec::ops
