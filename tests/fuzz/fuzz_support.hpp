// Helpers shared by the libFuzzer targets in tests/fuzz: a failed invariant aborts with one line
// (libFuzzer then saves the input as a crash), and the targets that read files get one scratch
// file per process.
#pragma once

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

namespace mdrec::fuzz {

// The code under test logs what it rejects; a fuzzing run would print millions of such lines
// (and spend its time on them), so logging is off in every target.
inline const bool logging_off = [] {
    spdlog::set_level(spdlog::level::off);
    return true;
}();

// Aborts with `what` unless `ok`: an invariant of the code under test did not hold.
inline void require(bool ok, const char* what) {
    if (ok) return;
    std::fprintf(stderr, "fuzz invariant failed: %s\n", what);
    std::abort();
}

// A file of this process under $TMPDIR (or /tmp), rewritten for each input.
inline const std::string& scratch_path(const char* suffix) {
    static const std::string path = [suffix] {
        const char* dir = std::getenv("TMPDIR");
        return std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") + "/mdrec-fuzz-" +
               std::to_string(::getpid()) + suffix;
    }();
    return path;
}

inline void write_scratch(const std::string& path, std::string_view bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    require(static_cast<bool>(out.flush()), "cannot write the scratch file");
}

inline std::string read_scratch(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Removes the scratch file when the process ends normally.
struct scratch_cleanup {
    std::string path;
    ~scratch_cleanup() { ::unlink(path.c_str()); }
};

}  // namespace mdrec::fuzz
