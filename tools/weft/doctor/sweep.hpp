// The sweep: the command run once per repeat and per procs value, with WEFT_PROCS and
// WEFT_METRICS set, each run measured from outside (child_process) and from inside (the
// metrics file it writes). Runs go round-robin over procs (1, 2, 4, 1, 2, 4, ...) so that a
// slow spell of the machine spreads over every procs value instead of landing on one.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "doctor/child_process.hpp"
#include "doctor/metrics_file.hpp"

namespace weft_doctor {

struct sweep_options {
  std::vector<std::string> command;
  std::vector<int> procs;
  int repeat = 3;
  double timeout_s = 0;  // per run; 0: none
  std::string work_dir;  // metrics files and run logs go here
  bool show_progress = true;
  // Time the machine probe (machine_probe.hpp) on min(procs, probe_cores) threads just before
  // and just after each run; 0: do not probe.
  int probe_cores = 0;
};

struct run_record {
  int procs = 0;
  int repeat = 0;  // 1-based
  child_outcome process;
  std::optional<run_metrics> metrics;
  std::string metrics_error;  // why metrics is empty
  std::string log_path;
  std::string metrics_path;
  // The machine probe's time (ns per thread) just before and just after the run; 0: not probed.
  double probe_before_ns = 0;
  double probe_after_ns = 0;

  // Ran to a clean exit and wrote its metrics.
  bool ok() const { return process.ok() && metrics.has_value(); }
  // Ran to a clean exit (a timing exists, even without metrics).
  bool timed() const { return process.ok(); }
  // The runtime's lifetime when metrics exist (it excludes process start-up and the program's
  // own set-up), else the process's wall time.
  double wall_s() const;
  // Units of work: the progress points when the program has them, else 1 (the whole run).
  double work() const;
  double throughput() const { return wall_s() > 0 ? work() / wall_s() : 0; }
  // The machine's speed around the run: the mean of the two probes, or 0 when not probed.
  double probe_ns() const {
    return probe_before_ns > 0 && probe_after_ns > 0 ? (probe_before_ns + probe_after_ns) / 2 : 0;
  }
};

struct sweep_result {
  std::vector<run_record> runs;
  bool progress_points = false;  // throughput counts progress points, not runs
};

// One procs value, over its clean runs: the median throughput (robust to one slow run) and the
// spread.
struct sweep_point {
  int procs = 0;
  int runs = 0;
  double throughput = 0;
  double throughput_min = 0;
  double throughput_max = 0;
  double wall_s = 0;  // median
};

sweep_result run_sweep(const sweep_options& o);

// Per procs value with at least one timed run, in increasing procs.
std::vector<sweep_point> points(const sweep_result& s);

// 1, 2, 4, ... up to 2 x cores, with cores and 2 x cores themselves included.
std::vector<int> default_procs(int cores);

// The last `lines` lines of a file (a failed run's output, for the error message).
std::string tail_of(const std::string& path, int lines);

}  // namespace weft_doctor
