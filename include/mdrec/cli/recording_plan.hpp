// The one home of the recording configuration: make_plan() turns the options of `capture` or
// `run` (command line, config file) into the validated stream list and the configs of ingest,
// writer and ops, with every duration parsed once into std::chrono. Start-up, the config-file
// check and the SIGHUP reload all go through it, so they agree on what a value means.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mdrec/cli/recording_options.hpp"
#include "mdrec/common/result.hpp"
#include "mdrec/common/stream_table.hpp"
#include "mdrec/ingest/ingest_engine.hpp"
#include "mdrec/ingest/venue_profile.hpp"
#include "mdrec/ops/ops_service.hpp"
#include "mdrec/publish/jetstream_publisher.hpp"
#include "mdrec/writer/jsonl_writer.hpp"

namespace mdrec::cli {

// Everything start-up needs, checked; owned by cli::record() for the whole recording.
struct recording_plan {
    stream_table streams;                  // the validated, de-duplicated stream list
    const ingest::venue_profile* venue{};  // static; --venue's limits and endpoint
    ingest::ingest_config ingest{};
    writer::writer_config writer{};
    ops::ops_config ops{};  // without the terminal status sink, which only start-up can find
    std::uint64_t queue_bytes = 0;
    std::string out{};  // --out: "-" is standard output, "none" no files, else the data folder
    std::optional<publish::publish_config> publish{};  // --publish
    std::string destination{};            // "<out>/<venue>" or "standard output", for the logs
    std::string config_file{};            // empty: no SIGHUP reload
    std::string shutdown_timeout_text{};  // --shutdown-timeout as written, for the log
    // Where to ask which symbols exist (exchangeInfo) at start; none with --no-symbol-check.
    std::optional<ingest::endpoint> symbols_from{};
    // Doubts that do not stop the start (a stream type only another venue lists), one line
    // each, for the log.
    std::vector<std::string> warnings{};
};

// What the plan is for: the commands differ in how a first failed connect and a hang-up end the
// run; a reload applies only the stream list, to an engine whose endpoint is already set.
enum class plan_use {
    capture,  // fail fast: a first failed connect ends the run, a hang-up stops it
    run,      // retry forever
    reload,   // as run, but a raw endpoint's one-stream rule is left to the running engine
};

// Checks `options` as a whole (stream names, types and duplicates, venue, endpoint, durations,
// listen address) and builds the plan. The first problem comes back as one line, as start-up has
// always reported it. Pure: touches neither network nor disk; any thread.
result<recording_plan> make_plan(const recording_options& options, plan_use use);

}  // namespace mdrec::cli
