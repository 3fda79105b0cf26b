// The process's CPU time and memory; see process_usage.hpp.
#include "mdrec/ops/process_usage.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>

namespace mdrec::ops {

double process_cpu_seconds() {
    rusage use{};
    if (::getrusage(RUSAGE_SELF, &use) != 0) return 0;
    auto seconds = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    return seconds(use.ru_utime) + seconds(use.ru_stime);
}

double process_resident_bytes() {
    std::FILE* f = std::fopen("/proc/self/statm", "r");
    if (f == nullptr) return 0;
    unsigned long pages = 0, resident = 0;
    const int read = std::fscanf(f, "%lu %lu", &pages, &resident);
    std::fclose(f);
    if (read != 2) return 0;
    return static_cast<double>(resident) * static_cast<double>(::sysconf(_SC_PAGESIZE));
}

}  // namespace mdrec::ops
