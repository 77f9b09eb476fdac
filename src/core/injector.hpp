// The shared injection queue: tasks scheduled from outside the workers (the blocking pool,
// other threads, the root task) and local-queue overflow. A mutex-guarded intrusive list, as in
// Go's global run queue: it is touched rarely (overflow moves half a queue at once; workers look
// at it every 61 ticks or when out of local work), so a lock-free design buys nothing. len_ lets
// workers skip the lock when it is empty.
#pragma once

#include <atomic>
#include <cstddef>
#include <mutex>

#include "weft/detail/task_header.hpp"

namespace weft::detail {

class injector {
 public:
  void push(task_header* t) noexcept;
  // Pushes the list first..last (linked through next_, last->next_ == nullptr) of n tasks.
  void push_batch(task_header* first, task_header* last, std::size_t n) noexcept;
  task_header* pop() noexcept;
  // Pops up to n tasks, linked through next_ (null-terminated); null when empty. For a moment
  // the queue looks empty to others while the batch is cut off; put_back is then set, and the
  // caller must wake a parked worker for the rest as it would after a push.
  task_header* pop_batch(std::size_t n, bool& put_back) noexcept;
  bool empty() const noexcept { return len_.load(std::memory_order_acquire) == 0; }
  std::size_t size() const noexcept { return len_.load(std::memory_order_acquire); }

 private:
  std::mutex m_;
  task_header* head_ = nullptr;  // guarded by m_
  task_header* tail_ = nullptr;  // guarded by m_
  // Written under m_ (release), read without it (acquire) as a hint; the parking protocol
  // re-checks it after a seq_cst fence.
  std::atomic<std::size_t> len_{0};
};

}  // namespace weft::detail
