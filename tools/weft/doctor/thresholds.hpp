// The numbers the verdict rules compare against. Each has a name (the flag
// `--threshold NAME=VALUE` overrides it), a default and a one-line meaning; docs/doctor.md
// explains how each default was chosen. Keeping them in one table means the report, the help
// text and the documentation cannot disagree about what a rule checked.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace weft_doctor {

struct thresholds {
  // A procs value is a problem only when it loses at least this share of the CPU capacity it
  // could use (min(procs, cores) x wall), against the baseline.
  double material_loss = 0.15;
  // Recommended procs: the smallest whose throughput is at least this share of the best.
  double near_best = 0.95;
  // io-bound: at the baseline, the process used less than this share of the cores it could use...
  double io_cpu_max = 0.3;
  // ...while on average at least this many tasks waited on I/O, the blocking pool or timers.
  double io_waiting_min = 0.5;
  // scheduling: the process's runnable threads (on CPU or waiting for one) at least this many
  // times the cores.
  double oversub_demand = 1.25;
  // scheduling: scheduler time (search excluded: that is idleness) at least this share of the
  // workers' busy time.
  double sched_share = 0.3;
  // too-fine: a task run averages less than this many times the measured spawn+join cost...
  double fine_factor = 10;
  // ...the scheduler takes at least this share of the workers' busy time...
  double fine_sched_share = 0.1;
  // ...and the workers were busy (not parked) at least this share of their time: tiny tasks
  // only cost throughput when the workers are what limits it.
  double fine_busy_min = 0.5;
  // synchronization (blocking): idle + search time grew by at least this share of the capacity
  // the program itself lost...
  double sync_idle_share = 0.4;
  // ...and task time blocked on mutexes, semaphores, channels, select and wait_groups grew by at
  // least this many task-seconds per lost worker-second.
  double sync_blocked_growth = 0.5;
  // synchronization (coherency): the workers' run time on CPU grew by at least this share (the
  // same tasks running slower), with no blocking or idling to explain the loss.
  double coherency_inflation = 0.25;
  // decomposition rules: idle + search time grew by at least this share of the lost capacity.
  double idle_share = 0.5;
  // imbalance: the longest single task run is at least this share of the run's wall time.
  double imbalance_run_share = 0.5;
  // too-coarse: fewer tasks were spawned than this many per worker.
  double coarse_tasks_per_worker = 2;
  // serial-path: work / span below this share of min(procs, cores).
  double serial_parallelism = 0.75;
  // Warn, and mark the diagnosis disturbed, when other processes used at least this share of
  // the cores during the runs compared.
  double external_load = 0.25;
};

struct threshold_info {
  const char* name;
  double thresholds::*field;
  const char* meaning;
};

// Every threshold, in the order the rules use them.
std::span<const threshold_info> threshold_table();

// Applies "name=value"; returns an error message naming what was wrong, or "" when applied.
std::string set_threshold(thresholds& t, std::string_view assignment);

}  // namespace weft_doctor
