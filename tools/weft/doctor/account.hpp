// The time account: where each worker-second and each task-second of a run went, and, across
// the sweep, where the capacity lost at P workers went.
//
// Per run, from the runtime's metrics and the operating system's figures:
// * worker-seconds (procs x the runtime's wall time) split into running tasks, scheduler work,
//   searching (spinning), parked, and unknown: whatever the counters do not cover (thread start
//   and stop, or counters that overlap) is shown, never folded into another column;
// * how much of the workers' busy time was spent off the CPU: busy time the process could not
//   have had, since its threads used only cpu_s of CPU in all (a lower bound), and whether the
//   process itself asked for more CPU than the machine has (runnable threads vs cores) or other
//   processes took it;
// * task-seconds: running, runnable but waiting (scheduling latency), blocked by cause and by
//   named object. Tasks overlap, so task-seconds can exceed worker-seconds many times over;
// * fork-join work, span and parallelism.
//
// Across the sweep, against the baseline (the smallest procs): the capacity lost at P,
// P T(P) - P0 T(P0) worker-seconds, is split exactly into the growth of run time on CPU, in two
// parts (what the machine's own slowdown at that width explains, measured by a probe beside each
// run, machine_probe.hpp; and the rest, the same tasks running slower: caches, coherency, memory
// bandwidth), of busy time off CPU
// (descheduled), of scheduler and search time on CPU, of parked time, and of unknown time.
// Parked-time growth is further split by the growth of blocked time, cause by cause, up to the
// parked growth; the rest is idle with nothing to run. That last split is an apportioning (a
// parked worker does not say which blocked task it would have run), and is labelled so.
#pragma once

#include <map>
#include <span>
#include <string>
#include <vector>

#include "doctor/sweep.hpp"

namespace weft_doctor {

struct worker_time {
  double total_s = 0;  // procs x wall
  double running_s = 0;
  double scheduler_s = 0;
  double spinning_s = 0;
  double parked_s = 0;
  double unknown_s = 0;  // total - the four above (negative: the counters overlap)
  double busy_s() const { return running_s + scheduler_s + spinning_s; }
};

struct object_time {
  std::string kind;
  std::string name;
  double blocked_s = 0;
  double waits = 0;
};

// One task class (the tasks started from one source line), in seconds.
struct class_time {
  std::string site{};  // "file:line", or "other"
  std::string function{};
  double tasks = 0;  // started
  double runs = 0;
  double running_s = 0;
  double runnable_s = 0;
  std::map<std::string, double> blocked_s{};  // by cause
  double run_ns_per_task() const { return tasks > 0 ? running_s * 1e9 / tasks : 0; }
};

struct task_time {
  double running_s = 0;
  double runnable_s = 0;                    // summed scheduling latency
  std::map<std::string, double> blocked_s;  // by cause
  std::vector<object_time> objects;         // named objects, most blocked first
  std::vector<class_time> classes;          // task classes, most run time first
  double tasks_run = 0;                     // resumptions
  double tasks_spawned = 0;
  double longest_run_s = 0;
  double long_runs = 0;
  std::string long_run_site;  // where the longest too-long run was started, when known
  double mean_run_ns() const { return tasks_run > 0 ? running_s * 1e9 / tasks_run : 0; }
};

struct cpu_time {
  double cpu_s = 0;     // the process's user + system time
  double offcpu_s = 0;  // at least this much worker busy time had no CPU: max(0, busy - cpu)
  // offcpu_s split by who took the CPU: the program's own threads beyond the cores (busy x
  // (demand - cores) / demand, what it would lose on an idle machine), and the rest, other
  // processes.
  double offcpu_own_s = 0;
  double offcpu_external_s = 0;
  double outside_s = 0;    // CPU used beyond the workers' busy time: max(0, cpu - busy)
  double run_delay_s = 0;  // its threads' time runnable, waiting for a CPU (sampled)
  double demand = 0;       // mean runnable threads: (cpu + run_delay) / process wall
  double external = 0;     // other processes' CPU per second of wall, in cores
  int max_threads = 0;
  bool sampled = false;  // run_delay and demand come from /proc
};

struct run_account {
  int procs = 0;
  int runs = 1;               // runs averaged into this account
  double wall_s = 0;          // the runtime's
  double process_wall_s = 0;  // the process's
  worker_time workers;
  task_time tasks;
  cpu_time cpu;
  double work_s = 0;
  double span_s = 0;
  double parallelism = 0;
  double pools_oversubscribed = 0;
  double max_pool_workers = 0;
  double steals_tried = 0;
  double steals_won = 0;
  double steals_retry = 0;
  // The machine probe around the runs (sweep.hpp, run_record::probe_ns): ns per thread for a
  // fixed piece of private work on min(procs, cores) threads at once; 0 when any run lacks it.
  double probe_ns = 0;
};

// The account of one run that wrote metrics, on a machine with `cores` usable CPUs.
run_account account_of(const run_record& r, int cores);
// The mean of several runs' accounts (same procs). Object lists are merged by kind and name.
run_account mean_account(std::span<const run_account> runs);
// One mean account per procs value that has runs with metrics, in increasing procs.
std::vector<run_account> accounts(const sweep_result& s, int cores);

struct capacity_loss {
  int procs = 0;
  int baseline_procs = 0;
  double speedup = 0;     // median throughput / the baseline's
  double ideal = 0;       // min(P, cores) / min(P0, cores)
  double efficiency = 0;  // speedup / ideal
  double karp_flatt = 0;  // NaN at the baseline
  double lost_s = 0;      // P T(P) - P0 T(P0)
  // How much slower the machine probe ran around these runs than around the baseline's (1: the
  // same, or not probed).
  double machine_factor = 1;
  double usable_lost_s = 0;      // min(P, cores) T(P) - min(P0, cores) T(P0)
  double usable_capacity_s = 0;  // min(P, cores) T(P)
  // The exact split of lost_s:
  // Growth of run time on CPU that the machine's own slowdown explains: the baseline's run time
  // x (machine_factor - 1), at most the growth seen, and never below 0 (a machine that sped up
  // is not held against the program: the probe's noise would then read as a loss).
  double machine_s = 0;
  double run_inflation_s = 0;  // the rest of the growth of run time on CPU: the program's
  double descheduled_s = 0;    // growth of busy time off CPU
  double scheduler_s = 0;      // growth of scheduler time on CPU
  double spinning_s = 0;       // growth of search time on CPU
  double idle_blocked_s = 0;   // parked growth matched by blocked-time growth (apportioned)
  std::map<std::string, double> idle_by_cause;
  double idle_empty_s = 0;  // the rest of parked growth
  double unknown_s = 0;
  // Beside it, in task-seconds:
  std::map<std::string, double> blocked_growth_s;
  // Growth of the descheduling that other processes caused (cpu_time::offcpu_external_s):
  double external_descheduled_s = 0;
  // What the program itself lost of the capacity it could use: usable_lost_s minus the external
  // descheduling and machine_s, but never less than the growth of parked + search time (a worker
  // with no work is the program's loss however busy the machine was), capped at usable_lost_s.
  double own_lost_s = 0;
  double own_share = 0;            // own_lost_s / usable_capacity_s
  double run_inflation_ratio = 0;  // run_inflation_s / the baseline's run time on CPU
  double idle_growth_s() const { return idle_blocked_s + idle_empty_s + spinning_s; }
};

// Splits the busy time of an account into on-CPU and off-CPU parts, in proportion.
struct on_cpu {
  double running_s;
  double scheduler_s;
  double spinning_s;
};
on_cpu on_cpu_part(const run_account& a);

// The capacity lost at each procs value against the first (the baseline).
std::vector<capacity_loss> attribute(std::span<const run_account> acc,
                                     std::span<const sweep_point> pts, int cores);

// The causes whose blocked time means tasks wait on each other (not on I/O, timers or joins).
bool is_sync_cause(const std::string& cause);
// The causes whose blocked time means waiting on the outside world.
bool is_io_cause(const std::string& cause);

}  // namespace weft_doctor
