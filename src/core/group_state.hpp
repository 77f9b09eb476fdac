// The shared state of a task_group: its children count, its waiters, its first error and the
// cancel source its children inherit.
//
// Spawning children is the hot path of fork-join, so a child costs one atomic RMW to add and
// two to end, and no lock unless it fails. state_ packs (references << 32) | live children:
//   * the group object holds one reference; each live child one (added with its count in one
//     fetch_add);
//   * a child ends with fetch_sub(1) on the count (the one taking it to zero wakes the
//     waiters), then fetch_sub(1 << 32) on its reference (the last reference frees the state).
// Keeping the reference until after the wake-up is what makes it safe for the owner to destroy
// the group as soon as wait() returns. Children borrow the group's cancel source (the state
// outlives them), so they do not count references on it.
//
// Any number of tasks may wait (like Go's WaitGroup). A waiter checks the count under lock_
// and links itself only if it is non-zero; the last child takes the list under lock_.
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>

#include "weft/detail/cancel.hpp"
#include "weft/detail/spin_lock.hpp"
#include "weft/detail/task_header.hpp"

namespace weft::detail {

struct group_state {
  static constexpr std::uint64_t k_ref = std::uint64_t{1} << 32;
  static constexpr std::uint64_t k_live_mask = k_ref - 1;

  std::atomic<std::uint64_t> state_{k_ref};
  std::atomic<std::uint64_t> max_span_{0};  // the longest child span, for the waiters
  spin_lock lock_;
  task_header* waiters_ = nullptr;  // guarded by lock_; linked through next_
  std::exception_ptr first_error_;  // guarded by lock_
  cancel_source* cancel_ = nullptr;

  std::uint64_t live() const noexcept {
    // acquire: pairs with the children's release RMWs; their effects are visible.
    return state_.load(std::memory_order_acquire) & k_live_mask;
  }
};

// Drops one reference (a child destroyed at shutdown, or the group object); frees at zero.
void release(group_state* g) noexcept;
// A child of g ended; `error` is what it threw (or null). Wakes the waiters after the last
// one, then drops the child's reference.
void group_child_done(group_state* g, std::exception_ptr error, std::uint64_t span) noexcept;

}  // namespace weft::detail
