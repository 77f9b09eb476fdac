// The shared state of a task_group: its children count, its waiters, its first error and the
// cancel source its children inherit.
//
// Spawning children is the hot path of fork-join, so a child costs one atomic RMW to add and
// one to end, and no lock unless it fails or someone waits. state_ packs
// (references << 32) | waiting flag << 31 | live children:
//   * the group object holds one reference; each live child one (added with its count in one
//     fetch_add, dropped with it in one fetch_sub);
//   * the waiters, while any are linked, hold one reference between them, and say so with the
//     waiting flag. The child that takes the count to zero wakes them only if the flag was set
//     in the value its fetch_sub replaced; then their reference keeps the state alive while it
//     takes the list. Without the flag nobody needs it, and it touches the state no more.
// The flag is set and cleared only under lock_, so a waiter that finds it set may link itself:
// the child that will take the list has not taken it yet. Children borrow the group's cancel
// source (the state outlives them), so they do not count references on it.
//
// Any number of tasks may wait (like Go's WaitGroup).
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
  static constexpr std::uint64_t k_waiting = std::uint64_t{1} << 31;
  static constexpr std::uint64_t k_live_mask = k_waiting - 1;

  std::atomic<std::uint64_t> state_{k_ref};
  spin_lock lock_;
  task_header* waiters_ = nullptr;  // guarded by lock_; linked through next_
  std::exception_ptr first_error_;  // guarded by lock_
  cancel_source* cancel_ = nullptr;
  // The longest child span, for the waiters. On its own cache line: nearly every child raises
  // it (spans grow with the spawn order), and it must not bounce the line of state_, which the
  // spawner writes for every child.
  alignas(64) std::atomic<std::uint64_t> max_span_{0};

  std::uint64_t live() const noexcept {
    // acquire: pairs with the children's release RMWs; their effects are visible.
    return state_.load(std::memory_order_acquire) & k_live_mask;
  }
};

// lock_ held, waiting flag set: clears the flag, drops the waiters' reference (last_ref: it was
// the state's last, and the caller frees it after unlocking) and returns the unlinked waiters.
task_header* take_waiters_locked(group_state* g, bool& last_ref) noexcept;
// Drops one reference (a child destroyed at shutdown, or the group object); frees at zero.
void release(group_state* g) noexcept;
// A child of g ended; `error` is what it threw (or null). Drops the child's count and
// reference, and wakes the waiters if it was the last child.
void group_child_done(group_state* g, std::exception_ptr error, std::uint64_t span) noexcept;
// n children of g ended without an error, the longest path among them `span`: as n calls of
// group_child_done, in one RMW (worker::child_done gathers them).
void group_children_done(group_state* g, std::uint64_t n, std::uint64_t span) noexcept;

}  // namespace weft::detail
