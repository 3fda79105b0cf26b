// Errors by layer: module boundaries return `result<T>` (a value or a one-line message);
// exceptions are kept for start-up failures and caught once in main.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <utility>

namespace mdrec {

// A failure a caller can report as one line; `message` never ends with a newline.
struct error {
    std::string message;
};

template <class T>
using result = tl::expected<T, error>;

// Builds the error side of a result: `return fail("cannot open " + path);`
inline tl::unexpected<error> fail(std::string message) {
    return tl::unexpected<error>(error{std::move(message)});
}

// 'text' in single quotes, for messages that name a bad value.
inline std::string quote(std::string_view text) {
    std::string out;
    out.reserve(text.size() + 2);
    out += '\'';
    out += text;
    out += '\'';
    return out;
}

// Thrown only before recording starts (bad option, unwritable folder, ...); main turns it into
// one line on stderr and `exit_code`.
class startup_error : public std::runtime_error {
  public:
    explicit startup_error(const std::string& what, int exit_code = 2)
        : std::runtime_error(what), exit_code_(exit_code) {}
    int exit_code() const noexcept { return exit_code_; }

  private:
    int exit_code_;
};

}  // namespace mdrec
