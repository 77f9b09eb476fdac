// A task waiting on a channel (or on several, in a select). The node lives in the awaiter, so
// a wait allocates nothing. It sits in the channel's send or receive queue, guarded by the
// channel's lock; whoever pops it under that lock completes the operation for it (moves the
// value in or out of slot_), records the result, and wakes it.
//
// A select puts one node on each channel it waits on, all pointing at one select_state. A
// waker must first *claim* the select (one CAS on fired_); a node whose select is already
// claimed is stale and is skipped.
//
// Publishing a wait and suspending are two steps: the node is queued (and the channel
// unlocked) before the cancel callback is registered and before the task has suspended. So a
// wake goes through a phase word: the waker exchanges it to k_woken_early and schedules the
// task only if it had already reached k_suspended; the waiting task exchanges it to
// k_suspended as its very last step and, finding k_woken_early, does not suspend at all.
#pragma once

#include <atomic>
#include <coroutine>
#include <cstdint>

#include "weft/detail/cancel.hpp"
#include "weft/detail/spin_lock.hpp"
#include "weft/detail/task_header.hpp"

namespace weft::detail {

enum class wait_result : std::uint8_t { pending, ok, closed, destroyed, cancelled };

inline constexpr std::uint8_t k_setting_up = 0;
inline constexpr std::uint8_t k_suspended = 1;
inline constexpr std::uint8_t k_woken_early = 2;

struct select_state {
  static constexpr int k_none = -1;
  static constexpr int k_cancelled = -2;

  std::atomic<int> fired_{k_none};  // the case that won, or k_cancelled
  std::atomic<std::uint8_t> phase_{k_setting_up};
  task_header* t_ = nullptr;
};

// Ends the setting-up phase: true if the task must suspend, false if it was woken already.
inline bool commit_suspend(std::atomic<std::uint8_t>& phase) noexcept {
  // acq_rel: acquire sees the waker's writes (result, value) when it came first; release
  // orders our setup before a later waker's schedule.
  return phase.exchange(k_suspended, std::memory_order_acq_rel) != k_woken_early;
}

struct chan_waiter : cancel_callback {
  chan_waiter() noexcept
      : t_(nullptr),
        wprev_(nullptr),
        wnext_(nullptr),
        sel_(nullptr),
        slot_(nullptr),
        lock_(nullptr),
        queue_(nullptr),
        case_(0),
        result_(wait_result::pending),
        queued_(false),
        yield_after_(false) {}
  // For an awaiter that mostly completes without waiting (a channel operation's fast path):
  // sets only what is read when no wait happens (t_, result_, yield_after_);
  // park_waiter_locked() sets the rest before the node is published. Writing a dozen fields
  // just before the channel lock's exchange made that exchange wait for them to drain.
  struct lazy_t {};
  explicit chan_waiter(lazy_t) noexcept
      : cancel_callback(cancel_callback::lazy_t{}),  // NOLINT: set in park_waiter_locked()
        t_(nullptr),
        result_(wait_result::pending),
        yield_after_(false) {}
  // Awaiters may be moved before they are awaited (into a with_timeout frame, say), never
  // while waiting: a copy starts unlinked.
  chan_waiter(const chan_waiter&) noexcept : chan_waiter() {}
  chan_waiter& operator=(const chan_waiter&) = delete;

  // No member initialisers (they would apply to the lazy constructor too), but phase_'s: it
  // must read k_setting_up before any wait, and one byte costs nothing.
  task_header* t_;
  chan_waiter* wprev_;  // channel queue links; guarded by the channel's lock
  chan_waiter* wnext_;
  select_state* sel_;           // non-null for a select case
  void* slot_;                  // recv: std::optional<T>* to fill; send: T* to move from
  spin_lock* lock_;             // the lock guarding queue_ (for cancellation)
  struct waiter_queue* queue_;  // the queue it is linked in
  int case_;
  wait_result result_;
  bool queued_;
  std::atomic<std::uint8_t> phase_{k_setting_up};  // plain waits; a select uses sel_->phase_
  // A channel awaiter's await_ready() completed the operation but the task is out of budget:
  // await_suspend() yields (spend_budget) instead of parking.
  bool yield_after_;
};

bool runtime_shutting_down() noexcept;

struct waiter_queue {
  chan_waiter* head_ = nullptr;
  chan_waiter* tail_ = nullptr;

  bool empty() const noexcept { return head_ == nullptr; }
  void push(chan_waiter* w) noexcept {
    w->wnext_ = nullptr;
    w->wprev_ = tail_;
    if (tail_) {
      tail_->wnext_ = w;
    } else {
      head_ = w;
    }
    tail_ = w;
    w->queued_ = true;
  }
  void remove(chan_waiter* w) noexcept {
    if (!w->queued_) return;
    if (w->wprev_) {
      w->wprev_->wnext_ = w->wnext_;
    } else {
      head_ = w->wnext_;
    }
    if (w->wnext_) {
      w->wnext_->wprev_ = w->wprev_;
    } else {
      tail_ = w->wprev_;
    }
    w->wprev_ = w->wnext_ = nullptr;
    w->queued_ = false;
  }
  // Pops the first waiter that can still be completed: a plain one, or a select case whose
  // select this call wins. Stale select cases are dropped on the way. While the runtime shuts
  // down, the waiters' frames are being destroyed in no particular order: the queue is then
  // forgotten without touching them.
  chan_waiter* pop_claimed() noexcept {
    if (head_ && runtime_shutting_down()) {
      head_ = tail_ = nullptr;
      return nullptr;
    }
    while (auto* w = head_) {
      remove(w);
      if (!w->sel_) return w;
      int expected = select_state::k_none;
      // acq_rel: the winner's later writes to the slot are ordered after the claim; losing
      // means another channel, the timer or a cancel already owns the select.
      if (w->sel_->fired_.compare_exchange_strong(expected, w->case_, std::memory_order_acq_rel)) {
        return w;
      }
    }
    return nullptr;
  }
  // True if some waiter could be completed now (used by select's readiness check). Does not
  // claim; stale select cases are dropped.
  bool has_live() noexcept {
    while (auto* w = head_) {
      if (!w->sel_ || w->sel_->fired_.load(std::memory_order_acquire) == select_state::k_none) {
        return true;
      }
      remove(w);
    }
    return false;
  }
};

// With `lock` held: queues w on q, unlocks, registers w for cancellation, and ends the setup
// phase. True if the task must suspend; false if it was completed meanwhile (or was already
// cancelled: then result_ is `cancelled`).
bool park_waiter_locked(chan_waiter* w, spin_lock& lock, waiter_queue& q, std::coroutine_handle<> h,
                        task_header* t, wait_kind kind, const wait_site* site, void* slot);
// With the object's lock held, as the object is destroyed: sets a popped waiter's result to
// `destroyed`, and clears its task's wait_site_ (the site goes with the object, so the run loop
// must not count the wait on it). Before the wake-up, which publishes both.
inline void orphan_waiter(chan_waiter* w) noexcept {
  w->result_ = wait_result::destroyed;
  if (w->t_) w->t_->wait_site_ = nullptr;
}
// The cancel callback of a parked waiter: unlinks it if still queued and wakes it cancelled.
void cancel_parked_waiter(cancel_callback* cb) noexcept;
// On resumption: unregisters from cancellation. (The blocked time was counted, sampled or left
// to the samples when the task's run began: worker::begin_run.)
void finish_parked_waiter(chan_waiter* w) noexcept;

// Wakes the task of a completed waiter. For a select, the task may still be registering its
// other cases: then it finds k_woken_early and does not suspend.
void wake_waiter(chan_waiter* w) noexcept;
void wake_select(select_state* s) noexcept;

}  // namespace weft::detail
