// What the recorder process costs its host, read from the kernel: CPU time of every thread
// (getrusage) and resident memory (/proc/self/statm). For the dashboard's history and the
// standard process_* metrics; each call is a system call or two, on the ops thread.
#pragma once

namespace mdrec::ops {

// User plus system CPU time of the whole process, in seconds.
double process_cpu_seconds();
// Resident set size in bytes (0 where /proc is not mounted).
double process_resident_bytes();

}  // namespace mdrec::ops
