// The type-independent half of a channel: its lock, its wait queues, its closed flag and its
// name. chan<T> adds the typed ring buffer.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

#include "weft/detail/chan_waiter.hpp"
#include "weft/detail/spin_lock.hpp"
#include "weft/detail/wait_site.hpp"

namespace weft::detail {

// 16-byte aligned (what frames and operator new give anyway; more is not honoured for a
// coroutine frame's locals by GCC 12), so its first 16 bytes always share one cache line.
struct alignas(16) chan_core {
  chan_core(std::size_t capacity, std::string name);
  ~chan_core();
  chan_core(const chan_core&) = delete;
  chan_core& operator=(const chan_core&) = delete;

  // Wakes every waiter: receivers with `recv_result`, senders with `send_result`. Lock held;
  // returns the list of waiters to wake after unlocking (linked through wnext_).
  chan_waiter* drain_locked(wait_result recv_result, wait_result send_result) noexcept;
  static void wake_all(chan_waiter* list) noexcept;
  // Throws usage_error when the channel is already closed. Lock held.
  void mark_closed_locked();
  // Lock held. relaxed: size() is a snapshot, ordered with nothing (a mov on x86).
  void set_count(std::uint32_t n) noexcept {
    std::atomic_ref<std::uint32_t>(count_).store(n, std::memory_order_relaxed);
  }
  // Any thread, no lock: the count as some recent operation left it.
  std::uint32_t count_snapshot() const noexcept {
    return std::atomic_ref<const std::uint32_t>(count_).load(std::memory_order_relaxed);
  }

  // What every send and receive reads and writes, in the first 16 bytes: the lock and the ring's
  // indices on one line. Spread over 56 bytes (as they were), they straddled two lines at 3 of
  // the 4 offsets a 16-byte-aligned channel can have, and when tasks on two workers share the
  // channel every operation then moved both lines between the cores (chan_mpmc at procs 2:
  // 59.5 -> 45.5 ns an item, 8 interleaved rounds; docs/PERFORMANCE.md, tenth session).
  spin_lock lock_;
  bool closed_ = false;  // guarded by lock_
  // Buffered values. Written under lock_, and only through set_count(): size() reads it without
  // the lock, and a plain write racing an atomic read is a data race (undefined, and reported
  // by TSan). The lock holder's own plain reads race with no write.
  std::uint32_t count_ = 0;
  std::uint32_t head_ = 0;   // index of the oldest buffered value; guarded by lock_
  const std::uint32_t cap_;  // at most k_max_capacity
  waiter_queue recvq_;       // guarded by lock_; read by every operation, written by waits
  waiter_queue sendq_;       // guarded by lock_
  wait_site site_;

  static constexpr std::size_t k_max_capacity = 0xffff'ffff;
};

// Budgeted completion: an operation that finished without waiting costs the task one unit of
// its budget; at zero the task yields (it goes to the back of the queue) so a busy
// producer/consumer pair cannot starve the other tasks on its worker.
//
// take_budget: spends a unit if that leaves some; false when the task must yield instead.
inline bool take_budget(task_header* t) noexcept {
  if (t->budget_ <= 1) return false;
  --t->budget_;
  return true;
}
// From an await_suspend(): spends a unit, or reschedules the task at the back of the queue.
// Returns true if the caller must suspend (the task was rescheduled).
bool spend_budget(std::coroutine_handle<> h) noexcept;

}  // namespace weft::detail
