// The shared state of a task_group: its children count, its waiter, its first error and the
// cancel source its children inherit. Reference-counted: the group object holds one reference
// and every live child one, so a child may end after the group object is gone.
//
// Any number of tasks may wait (like Go's WaitGroup). A child decrements live_ without the
// lock; the one that takes it to zero then takes the lock and wakes the waiters. A waiter
// checks live_ under the lock and links itself only if it is non-zero, so it either sees zero
// or is linked before the last child takes the list.
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>

#include "weft/detail/cancel.hpp"
#include "weft/detail/spin_lock.hpp"
#include "weft/detail/task_header.hpp"

namespace weft::detail {

struct group_state {
  std::atomic<int> refs_{1};
  std::atomic<std::uint64_t> live_{0};  // children not yet ended
  spin_lock lock_;
  task_header* waiters_ = nullptr;  // guarded by lock_; linked through next_
  std::exception_ptr first_error_;  // guarded by lock_
  std::uint64_t max_span_ = 0;      // guarded by lock_: the longest child span, for the waiter
  cancel_source* cancel_ = nullptr;
};

void retain(group_state* g) noexcept;
void release(group_state* g) noexcept;
// A child of g ended; `error` is what it threw (or null). Wakes the waiter after the last one.
void group_child_done(group_state* g, std::exception_ptr error, std::uint64_t span) noexcept;

}  // namespace weft::detail
