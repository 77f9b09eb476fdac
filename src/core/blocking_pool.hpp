// The elastic pool for blocking calls (weft::blocking). Workers must never block in the kernel,
// so calls that do run here: a job queue served by threads that are started on demand (up to a
// bound, 512 by default, like Tokio's) and retire after sitting idle. A caller's task is
// suspended meanwhile; the pool thread schedules it when its call returns.
//
// The queue is unbounded in principle but bounded in practice by the number of suspended
// callers: each queued job is the awaiter of one waiting task.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <list>
#include <mutex>
#include <thread>

#include "weft/blocking.hpp"

namespace weft::detail {

class runtime_impl;

class blocking_pool {
 public:
  static constexpr std::size_t k_default_max_threads = 512;
  static constexpr std::chrono::seconds k_keep_alive{10};

  blocking_pool(runtime_impl* rt, std::size_t max_threads = k_default_max_threads);
  ~blocking_pool();

  void submit(blocking_job* job);
  // Jobs queued or running; the deadlock detector treats a non-zero count as "can still wake".
  std::size_t in_flight() const noexcept { return in_flight_.load(std::memory_order_acquire); }
  std::size_t threads() const;
  // Waits for every job to finish and every thread to exit.
  void shutdown();

 private:
  void thread_main(std::list<std::thread>::iterator self);
  void reap_locked();

  runtime_impl* rt_;
  const std::size_t max_threads_;
  mutable std::mutex m_;
  std::condition_variable cv_;       // jobs arrive / shutdown
  blocking_job* head_ = nullptr;     // guarded by m_
  blocking_job* tail_ = nullptr;     // guarded by m_
  std::size_t idle_ = 0;             // guarded by m_
  bool stopping_ = false;            // guarded by m_
  std::list<std::thread> threads_;   // guarded by m_
  std::list<std::thread> finished_;  // retired threads, joined on the next submit or shutdown
  // Incremented before a job is queued, decremented only after its task is scheduled, so the
  // deadlock detector never sees a gap.
  std::atomic<std::size_t> in_flight_{0};
};

}  // namespace weft::detail
