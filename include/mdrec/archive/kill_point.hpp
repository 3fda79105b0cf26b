// Test hook for the crash tests: MDREC_CONSOLIDATE_STOP_AT=<step> makes consolidation kill
// itself (SIGKILL, as `kill -9`) the first time it reaches that step, so that every interrupted
// state can be produced deterministically. Unset in production: one getenv, then a compare.
#pragma once

#include <string_view>

namespace mdrec::archive {

// Dies by SIGKILL here if the environment names `step`. Steps, in order: "written" (archive
// .tmp complete), "verified" (checked, not yet renamed), "committed" (renamed, sources still
// there), "deleting" (one source deleted, others not).
void kill_point(std::string_view step);

}  // namespace mdrec::archive
