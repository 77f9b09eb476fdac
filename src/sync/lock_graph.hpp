// Lock-cycle detection, beyond Go (which only sees a deadlock once the whole program is stuck):
// when a task is about to wait for a mutex, follow "the owner of that mutex waits for a mutex
// whose owner waits for ..." and, if the chain comes back to the task, the wait would never
// end. The lock() that would close the cycle throws weft::deadlock_error describing it, while
// the rest of the program keeps running.
//
// The graph records only tasks blocked on a mutex (a map keyed by task, so a walk never
// dereferences a task that may have ended), under one global lock taken only on the slow path
// of a contended lock. Owners are read from each mutex's owner word. An edge may be stale for
// a moment (a waiter that was just handed the mutex but has not resumed): such a chain loops
// back to that waiter, not to the task walking, so it cannot produce a false cycle; the walk
// stops at the first repeated task.
#pragma once

#include <atomic>
#include <string>

#include "weft/detail/task_header.hpp"

namespace weft::detail {

struct mutex_node {
  std::atomic<task_header*>* owner;
  const std::string* name;
};

// Records that `t` waits for mutex `m`, unless that closes a cycle: then records nothing and
// returns the cycle's description.
std::string lock_graph_block(task_header* t, mutex_node m);
// `t` no longer waits (acquired, cancelled, or the mutex went away).
void lock_graph_unblock(task_header* t) noexcept;

}  // namespace weft::detail
