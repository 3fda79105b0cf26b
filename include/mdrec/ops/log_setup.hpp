// Where log lines go and how they look. Under systemd (stderr is the journal stream named by
// $JOURNAL_STREAM) each line starts with its syslog priority, `<6>stats: ...`, which journald
// turns into the entry's priority, and carries no timestamp (journald stamps every entry).
// Elsewhere a readable console line: `2026-11-22T05:47:52.686 info  message`.
#pragma once

#include <spdlog/common.h>

#include <memory>
#include <string>
#include <string_view>

namespace mdrec::ops {

class status_line_sink;

// The syslog priority journald should file a level under (debug 7 ... critical 2).
int syslog_priority(spdlog::level::level_enum level) noexcept;

// True when stderr is the stream $JOURNAL_STREAM names (device:inode), i.e. journald reads it.
bool stderr_is_journal() noexcept;

// Makes "mdrec" the default logger on stderr at `level` (trace ... off): journal format under
// journald, else console format. When stderr is a terminal the sink can also keep a live
// status line under the log (status_sink()).
void setup_logging(std::string_view level);

// The terminal status sink set up by setup_logging, or nullptr (stderr is not a terminal, or is
// the journal).
std::shared_ptr<status_line_sink> status_sink();

}  // namespace mdrec::ops
