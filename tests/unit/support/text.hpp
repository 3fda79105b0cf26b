// Test support: string building. `cat("a", std::to_string(n), s)` appends every part to one
// string; it also keeps clear of g++ 12's false -Wrestrict on `"literal" + std::string&&`.
#pragma once

#include <string>
#include <string_view>

namespace mdrec::test {

template <class... Parts>
std::string cat(const Parts&... parts) {
    std::string out;
    (out.append(std::string_view(parts)), ...);
    return out;
}

}  // namespace mdrec::test
