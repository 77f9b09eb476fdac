// Which workers sleep, and how many look for work (Go's "spinning" Ms, Tokio's idle.rs).
//
// state_ packs two counts: (unparked << 16) | searching. A worker that runs out of local work
// becomes *searching* (steals, polls the injector) only if fewer than half the workers already
// are, so a burst of idleness does not turn into a stampede on the victims' queues. When a task
// is made runnable and nobody is searching, one sleeping worker is woken and starts out
// searching; when a searching worker finds work and it was the last searcher, it wakes another,
// so there is always someone looking while there is work.
//
// Parking protocol (no lost wake-ups):
//   1. The worker moves itself to the sleepers list and decrements `unparked` (seq_cst RMW,
//      under lock_).
//   2. It checks every queue once more; if it finds work it unparks itself and goes on.
//   3. It sleeps on its parker.
// A producer publishes the task, then reads state_ with an RMW: either it sees the worker
// parked and wakes it, or the worker's step 2 sees the task (see notify_should_wakeup()).
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <vector>

namespace weft::detail {

class idle {
 public:
  explicit idle(int procs);

  // A worker out of local work asks to search. False: enough workers search already.
  bool try_start_searching() noexcept;
  // Returns true if this was the last searching worker.
  bool stop_searching() noexcept;
  // Step 1 of parking. Returns true if the worker was the last searcher.
  bool park_worker(int id, bool searching);
  // A worker that found work after step 1 (or that woke by itself) takes itself off the
  // sleepers list. False: another thread already woke it (and counted it as unparked).
  bool unpark_self(int id);
  // Picks a sleeping worker to wake because work appeared; -1 if none is needed. The chosen
  // worker is counted as unparked and searching.
  int worker_to_notify();
  // Wakes every worker (shutdown): returns the sleepers, now counted as unparked.
  std::vector<int> take_all_sleepers();

  // relaxed: a hint for notify_parked_hint(); the real decision is made by an RMW.
  bool maybe_needs_wakeup() const noexcept {
    auto s = state_.load(std::memory_order_relaxed);
    return (s & 0xffff) == 0 && (s >> 16) < static_cast<std::uint32_t>(procs_);
  }
  int unparked() const noexcept { return static_cast<int>(state_.load() >> 16); }
  int searching() const noexcept { return static_cast<int>(state_.load() & 0xffff); }
  std::mutex& lock() noexcept { return lock_; }

 private:
  bool notify_should_wakeup() noexcept;

  const int procs_;
  std::atomic<std::uint32_t> state_;
  std::mutex lock_;
  std::vector<int> sleepers_;  // guarded by lock_
};

}  // namespace weft::detail
