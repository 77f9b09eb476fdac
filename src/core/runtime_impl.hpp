// The state of one running runtime: workers, shared queues, timers, blocking pool, live tasks,
// and the stop/fail protocol.
//
// Stop protocol (root returns, a detached task fails, or a deadlock is found):
//   1. stop() sets stopping_ under the idle lock and wakes every sleeping worker; a worker about
//      to park checks stopping_ under the same lock, so none can sleep through it.
//   2. Each worker finishes the task it is running (to its next suspension point) and leaves
//      its loop; run() joins the threads.
//   3. The blocking pool drains (its jobs write into awaiters that still exist).
//   4. Timers are forgotten without being touched; then every task still registered, and
//      every unregistered one left in a queue, is destroyed, with shutting_down() set so sync
//      objects in dying frames do not wake tasks that are also dying.
#pragma once

#include <atomic>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <source_location>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "core/blocking_pool.hpp"
#include "core/idle.hpp"
#include "core/injector.hpp"
#include "core/registry.hpp"
#include "core/time/timer_service.hpp"
#include "core/worker.hpp"
#include "weft/observe.hpp"
#include "weft/runtime.hpp"

namespace weft::detail {

class runtime_impl {
 public:
  runtime_impl(std::string name, int procs);
  ~runtime_impl();

  void start_root(spawn_base* root);
  // Runs worker 0 on the calling thread until stop; then shuts down. Rethrows a failure.
  void run_until_stopped();

  // Makes t runnable. `how` picks the queue when called on one of this runtime's workers:
  // behind_lifo is `ready` for a task yielding at the end of its budget, except that it swaps
  // places with the LIFO task when that is the only other one there (worker::yield_behind_lifo).
  enum class placement { lifo, ready, fork, behind_lifo };
  void make_runnable(task_header* t, placement how) noexcept;
  void notify_parked() noexcept;
  // For work pushed on a worker's own queues: wakes a sleeper only if a relaxed look says one
  // is needed. A stale look can miss a wake-up; that costs parallelism for a moment, never the
  // task, which its own worker will run (Go's wakep() after runqput makes the same trade).
  void notify_parked_hint() noexcept {
    if (idle_.maybe_needs_wakeup()) notify_parked();
  }
  // A timer due at when_us became the earliest: make sure some worker will wake for it.
  void wake_timer_driver(std::uint64_t when_us) noexcept;

  // A task is started: counted, and registered unless it starts on a worker (see
  // task_header::registered_). unregister_task() when it ends.
  void register_task(task_header* t) noexcept;
  // The running task t is about to wait for the first time: it takes its registry slot.
  void register_waiting(task_header* t) noexcept;
  // The running task t, unregistered, is about to wait: registers it, then the tasks that wait
  // on it in place (register_joiners).
  void register_chain(task_header* t) noexcept {
    register_waiting(t);
    register_joiners(t);
  }
  // A joiner that took its child back and switched to it (join_wait::suspend) skips its
  // registry slot: while the chain runs on this worker, nothing but the chain can reach it.
  // Once the innermost task of the chain really waits or goes to a queue, they are reachable
  // only through join words, so shutdown and the deadlock report need them in the registry:
  // registers them, up to the first task already registered. Registration always walks up, so
  // the tasks above a registered one are registered too. Only firm joiners (no cancel source)
  // skip their slot, so nothing can resume one elsewhere while this walks.
  void register_joiners(task_header* t) noexcept;
  void unregister_task(task_header* t) noexcept;

  void root_done() noexcept { stop(); }
  void fail(std::exception_ptr e) noexcept;
  void stop() noexcept;
  bool stopping() const noexcept { return stopping_.load(std::memory_order_acquire); }
  bool shutting_down() const noexcept { return shutting_down_.load(std::memory_order_acquire); }

  // Called by a worker about to park, with the idle lock held. True when it was the last one
  // awake and nothing can wake a task: the failure is then a deadlock_error, and the caller
  // must stop() the runtime once it has released the lock.
  bool check_deadlock_locked();
  bool deadlocked() const noexcept { return deadlocked_; }
  // During shutdown: true for a task being destroyed (it must not be touched by handles).
  bool is_dying(const task_header* t) const noexcept;
  bool root_destroyed() const noexcept { return root_destroyed_; }
  bool has_work_anywhere() const noexcept;

  void enter_blocking_thread() noexcept;

  int procs() const noexcept { return procs_; }
  const std::string& name() const noexcept { return name_; }
  worker& worker_at(int i) noexcept { return *workers_[static_cast<std::size_t>(i)]; }
  injector& inject() noexcept { return injector_; }
  idle& idle_state() noexcept { return idle_; }
  timer_service& timers() noexcept { return timers_; }
  blocking_pool& blocking() noexcept { return blocking_; }
  std::atomic<int>& timer_driver() noexcept { return timer_driver_; }
  std::atomic<std::uint64_t>& driver_deadline() noexcept { return driver_deadline_; }
  // Wakes the parked timer driver (if any) so it re-reads the next deadline.
  void wake_timer_driver_now() noexcept;
  metrics::runtime_stats stats() const;

 private:
  void shutdown();
  void publish_stats();
  void fill_class_stats(metrics::runtime_stats& s) const;
  std::string deadlock_report();

  const std::string name_;
  const int procs_;
  std::unique_ptr<tracer> tracer_;  // WEFT_TRACE; null when not tracing
  injector injector_;
  idle idle_;
  timer_service timers_;
  task_registry registry_;
  std::vector<std::unique_ptr<worker>> workers_;
  std::vector<std::thread> threads_;
  blocking_pool blocking_;
  std::atomic<int> timer_driver_{-1};  // index of the worker parked until the next deadline
  std::atomic<std::uint64_t> driver_deadline_{0};  // the deadline that worker sleeps until
  std::atomic<bool> stopping_{false};
  std::atomic<bool> shutting_down_{false};
  std::mutex failure_m_;
  std::exception_ptr failure_;  // guarded by failure_m_
  bool deadlocked_ = false;     // guarded by failure_m_
  std::chrono::steady_clock::time_point started_;
  std::unordered_set<task_header*> dying_;  // filled once shutdown starts
  bool root_destroyed_ = false;
  std::mutex external_m_;                                   // guards the registry's external shard
  std::map<std::string, std::uint64_t> progress_at_start_;  // progress counted by earlier runs
};

// The runtime this thread works for (a worker, run()'s thread, a blocking-pool thread), or
// null. Inline (constinit: one TLS load, no call, no guard): spawns and wakes read it.
inline bool worker::may_switch() const noexcept {
  return (tick_ + 1) % k_fairness_interval != 0 && !rt_.stopping();
}

extern constinit thread_local runtime_impl* tl_runtime;
inline runtime_impl* current_runtime() noexcept {
  return tl_runtime;
}

// Resolves `procs` from options, then WEFT_PROCS, then the hardware; throws config_error naming
// the bad value and its source.
int resolve_procs(const std::optional<int>& from_options);

// The running task t goes back to a run queue (a yield, a spent budget), to resume at h. There
// it may be stolen, so the tasks waiting on it in place are registered first (register_joiners).
void requeue(task_header* t, std::coroutine_handle<> h, runtime_impl::placement how) noexcept;

}  // namespace weft::detail
