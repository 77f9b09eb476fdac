// `weft trace summarize FILE`: the headline figures of a WEFT_TRACE file (or any Chrome Trace
// Event JSON file with one track per thread): how busy each worker was, how long task runs
// were, which task classes took the time, steals, parks, wake-ups, queue depths.
//
// The file is read with a streaming (SAX) parser, so a trace of millions of events is
// summarized in constant memory apart from the slice durations kept for percentiles (one per
// slice).
#pragma once

#include <cstdint>
#include <cstdio>
#include <istream>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace weft_trace {

// A file that is not a readable Chrome trace: the message says what was wrong and where.
struct trace_format_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct worker_row {
  std::uint64_t slices = 0;
  double busy_us = 0;  // summed slice durations
  std::uint64_t steals = 0;
  std::uint64_t parks = 0;
  double parked_us = 0;
  double max_queue = 0;  // peak of its "run queue" counter track
  std::string name;      // from thread_name metadata
};

struct class_row {
  std::uint64_t slices = 0;
  double total_us = 0;
  double max_us = 0;
};

struct trace_summary {
  std::string schema;   // otherData.schema ("weft.trace/1" for weft's own traces)
  std::string runtime;  // otherData.runtime
  std::uint64_t events = 0;
  std::uint64_t dropped = 0;                 // otherData.dropped_events
  double first_us = 0, last_us = 0;          // the trace's time extent
  std::map<long long, worker_row> workers;   // by tid
  std::map<std::string, class_row> classes;  // by slice name
  // Run lengths for the percentiles: one entry per slice, weighted by the task runs it stands
  // for (a coalesced slice's runs each count at its mean length), so a summary's memory grows
  // with the slices, not with the runs.
  struct run_length {
    double us;
    std::uint64_t runs;
  };
  std::vector<run_length> run_lengths;
  std::uint64_t flows_out = 0;  // wake-up arrows started
  double max_alive = 0;         // peak of the "tasks alive" counter

  double duration_us() const { return last_us > first_us ? last_us - first_us : 0; }
  // Task runs the run_lengths stand for.
  std::uint64_t runs() const;
  // The q-quantile (0..1) of the task run lengths; 0 without slices. Sorts run_lengths.
  double slice_quantile(double q);
};

// Throws trace_format_error.
trace_summary summarize(std::istream& in);

void print(trace_summary& s, const std::string& file, std::FILE* out, std::size_t top_classes);
nlohmann::json to_json(trace_summary& s);

}  // namespace weft_trace
