// The shared state of a task_group: its children count, its waiter, its first error and the
// cancel source its children inherit. Reference-counted: the group object holds one reference
// and every live child one, so a child may end after the group object is gone.
//
// state_ packs (waiter flag << 32) | live children. The waiter stores itself, then sets the
// flag with one RMW; the last child clears the count with one RMW and sees the flag in the same
// word, so "the last child ends" and "the owner starts waiting" cannot miss each other.
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>

#include "weft/detail/cancel.hpp"
#include "weft/detail/spin_lock.hpp"
#include "weft/detail/task_header.hpp"

namespace weft::detail {

struct group_state {
  static constexpr std::uint64_t k_waiting = std::uint64_t{1} << 32;
  static constexpr std::uint64_t k_count_mask = k_waiting - 1;

  std::atomic<int> refs_{1};
  std::atomic<std::uint64_t> state_{0};
  task_header* waiter_ = nullptr;  // written before the k_waiting RMW, read after seeing it
  spin_lock error_lock_;
  std::exception_ptr first_error_;  // guarded by error_lock_
  cancel_source* cancel_ = nullptr;
};

void retain(group_state* g) noexcept;
void release(group_state* g) noexcept;
// A child of g ended; `error` is what it threw (or null). Wakes the waiter after the last one.
void group_child_done(group_state* g, std::exception_ptr error) noexcept;

}  // namespace weft::detail
