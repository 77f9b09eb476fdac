// Always-on runtime counters. Each worker writes its own counters, on its own cache line, with
// plain (relaxed) stores; snapshot() sums them. WEFT_METRICS=path writes the final snapshot as
// JSON when run() ends (schema: docs/metrics.md).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace weft {

// A progress point: `n` more units of work named `name` are done (items processed, requests
// served). The doctor measures throughput as progress per second; it costs a relaxed atomic
// add. Call it from anywhere, in or out of a task.
void progress(std::string_view name, std::uint64_t n = 1);

}  // namespace weft

namespace weft::metrics {

struct worker_stats {
  int worker = 0;
  std::uint64_t tasks_run = 0;         // task resumptions
  std::uint64_t timed_runs = 0;        // of those, the ones timed (all, unless sampling)
  std::uint64_t run_ns = 0;            // time inside tasks
  std::uint64_t sched_latency_ns = 0;  // summed time tasks waited runnable before running
  std::uint64_t steals_tried = 0;      // steal attempts on other workers
  std::uint64_t steals_won = 0;        // attempts that took work
  std::uint64_t steals_retry = 0;      // attempts that lost a race (contention, not idleness)
  std::uint64_t parks = 0;             // times the worker slept for lack of work
  std::uint64_t idle_ns = 0;           // time parked
  std::uint64_t spin_ns = 0;           // time searching for work without finding it
  std::uint64_t wall_ns = 0;           // worker lifetime
  std::uint64_t lifo_runs = 0;         // tasks run from the LIFO slot (hand-offs)
  std::uint64_t injector_pops = 0;     // tasks taken from the shared injection queue
  std::uint64_t overflows = 0;         // local queue overflows moved to the injector
  std::uint64_t long_runs = 0;         // task runs that held the worker past the threshold
  std::uint64_t max_run_ns = 0;        // the longest single task run
  std::uint64_t tasks_spawned = 0;     // tasks whose first run was here (each counted once)
  // The longest span of a path that ended on this worker (a task nobody joins: a joined
  // task's span goes on in its joiner's).
  std::uint64_t max_span_ns = 0;
  // Time tasks spent blocked, by cause ("join", "timer", "channel_recv", ...).
  std::map<std::string, std::uint64_t> blocked_ns;

  // Time on the worker not accounted to tasks, parking or searching: queue operations,
  // wake-ups, timer polling.
  std::uint64_t sched_ns() const noexcept {
    auto used = run_ns + idle_ns + spin_ns;
    return wall_ns > used ? wall_ns - used : 0;
  }
};

// Time tasks spent blocked on one named object (channel, mutex, semaphore, wait_group).
struct object_stats {
  std::string kind;
  std::string name;
  std::uint64_t blocked_ns = 0;
  std::uint64_t waits = 0;
};

// The tasks started from one place (a go/spawn/task_group::spawn/run call site): a task class.
struct class_stats {
  std::string site;          // "file:line" of the call that started them; "other" past 128 sites
  std::string function;      // the function that contains that call
  std::uint64_t tasks = 0;   // tasks started (on workers; the root is not counted)
  std::uint64_t runs = 0;    // resumptions
  std::uint64_t run_ns = 0;  // time running
  std::uint64_t sched_latency_ns = 0;               // time runnable but not yet running
  std::map<std::string, std::uint64_t> blocked_ns;  // time blocked, by cause
};

struct runtime_stats {
  std::string name;
  int procs = 0;
  double wall_s = 0;
  std::uint64_t long_run_threshold_ns = 0;
  // worker_pools created with more workers than procs, and the largest such request.
  std::uint64_t pools_oversubscribed = 0;
  int max_pool_workers = 0;
  std::string long_run_last;  // "file:line (function)" where the longest too-long run started
  std::vector<worker_stats> workers;
  // Every named object of this process so far (objects outlive runtimes, so this is not
  // reset between runs).
  std::vector<object_stats> objects;
  // Per task class, the busiest (most run time) first.
  std::vector<class_stats> classes;
  // Progress points counted during this runtime (weft::progress), by name.
  std::map<std::string, std::uint64_t> progress;
  worker_stats total() const;
  // Fork-join accounting: work is the total run time of all tasks, span the longest chain of
  // dependent run time (spawn -> child, child -> join), parallelism = work / span: the speedup
  // no number of workers can exceed.
  std::uint64_t work_ns() const { return total().run_ns; }
  std::uint64_t span_ns() const { return total().max_span_ns; }
  double parallelism() const {
    auto s = span_ns();
    return s ? static_cast<double>(work_ns()) / static_cast<double>(s) : 0.0;
  }
};

// Records that a worker_pool asked for more workers than procs (reported in the stats).
void note_pool_oversubscribed(int workers, int procs) noexcept;

// Fills the process-wide figures (pool oversubscription) into s.
void fill_process_stats(runtime_stats& s);

// The counters of the runtime running now, or of the last one to end on this process.
runtime_stats snapshot();

// What one reading of the runtime's clock costs on this machine, in nanoseconds (measured on the
// first call, about a millisecond). The always-on accounting reads it two or three times per
// task run (start, end, and once per spawn for the child's span), which is most of what the
// counters cost: the doctor reports it beside the spawn cost.
double clock_read_ns();

// Writes the stats as JSON (schema: docs/metrics.md).
void write_json(const runtime_stats& s, std::ostream& out);

}  // namespace weft::metrics
