// Small helpers for the system-call boundary: the text of an errno value, and early return of a
// failed result<T> so that a function which calls several fallible steps reads as a list of them.
#pragma once

#include <string>
#include <system_error>
#include <utility>

#include "mdrec/common/result.hpp"

namespace mdrec {

// "No space left on device" for ENOSPC: the message every layer puts after its own context.
inline std::string errno_text(int err) {
    return std::error_code(err, std::generic_category()).message();
}

}  // namespace mdrec

// Early return of a failed result from a function that itself returns a result<U>:
//   MDREC_TRY(file.sync());                       // result<void>
//   MDREC_TRY_ASSIGN(auto fd, open_segment(path)); // result<T>: declares or assigns `fd`
// Macros because C++ has no `?` operator; each expands to plain statements (no GNU statement
// expressions; __COUNTER__, which g++ and clang both have, names the temporary).
#define MDREC_TRY(expr)                                                                  \
    do {                                                                                 \
        if (auto mdrec_try_result_ = (expr); !mdrec_try_result_) {                       \
            return tl::unexpected<::mdrec::error>(std::move(mdrec_try_result_).error()); \
        }                                                                                \
    } while (false)

#define MDREC_TRY_CONCAT_INNER(a, b) a##b
#define MDREC_TRY_CONCAT(a, b) MDREC_TRY_CONCAT_INNER(a, b)
#define MDREC_TRY_ASSIGN(lhs, expr) \
    MDREC_TRY_ASSIGN_IMPL(MDREC_TRY_CONCAT(mdrec_try_tmp_, __COUNTER__), lhs, expr)
#define MDREC_TRY_ASSIGN_IMPL(tmp, lhs, expr)                                \
    auto tmp = (expr);                                                       \
    if (!tmp) return tl::unexpected<::mdrec::error>(std::move(tmp).error()); \
    lhs = std::move(*tmp)
