// Cancellation plumbing shared by every cancellable wait. A cancel_source is a flag plus a list
// of callbacks registered by the waits currently in progress under it; cancel() sets the flag
// and runs each callback once. A wait and its callback race to finish the wait: each wait
// decides the winner under its own lock (timer, channel, ...), so exactly one of "woken
// normally" and "cancelled" happens.
#pragma once

#include <atomic>

#include "weft/detail/spin_lock.hpp"

namespace weft::detail {

struct cancel_callback {
  // Tag: leave the fields unset; the owner sets fn_ and linked_ before the node is used (see
  // chan_waiter's lazy constructor). add_callback() sets the links.
  struct lazy_t {};

  cancel_callback() noexcept : fn_(nullptr), prev_(nullptr), next_(nullptr), linked_(false) {}
  explicit cancel_callback(lazy_t) noexcept {}  // NOLINT: fields set before use (above)

  // No member initialisers: they would apply to the lazy constructor too.
  void (*fn_)(cancel_callback*);
  cancel_callback* prev_;
  cancel_callback* next_;
  bool linked_;
};

struct cancel_source {
  // relaxed readers only poll it; the callbacks are what guarantee a waiting task is woken.
  std::atomic<bool> cancelled_{false};
  std::atomic<int> refs_{1};
  spin_lock lock_;
  cancel_callback* head_ = nullptr;
  cancel_source* parent_ = nullptr;  // cancelling the parent cancels this source
  struct parent_link : cancel_callback {
    cancel_source* child_ = nullptr;
  } parent_link_;

  bool is_cancelled() const noexcept { return cancelled_.load(std::memory_order_acquire); }
};

cancel_source* make_cancel_source(cancel_source* parent);
void retain(cancel_source* s) noexcept;
void release(cancel_source* s) noexcept;
void cancel(cancel_source* s) noexcept;
// Registers `cb` to run on cancellation. Returns false (and registers nothing) if already
// cancelled.
bool add_callback(cancel_source* s, cancel_callback* cb) noexcept;
// The same, with s->lock_ already held. A wait that must register and publish itself
// atomically with respect to cancellation holds the lock across both steps; the wake-up that
// publishing allows can then not finish (remove_callback) before the lock is released.
bool add_callback_locked(cancel_source* s, cancel_callback* cb) noexcept;
void remove_callback_locked(cancel_source* s, cancel_callback* cb) noexcept;
// Unregisters `cb`; once this returns, cb's function is not running and will not run.
void remove_callback(cancel_source* s, cancel_callback* cb) noexcept;

}  // namespace weft::detail
