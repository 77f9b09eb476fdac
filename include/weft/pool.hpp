// weft::worker_pool: a fixed number of workers taking jobs from a bounded queue. submit()
// waits while the queue is full (backpressure: memory stays bounded however fast jobs come),
// and returns the job's join_handle; exceptions reach the handle.
//
// A job is a task started at submit time that first takes a running slot (FIFO, so jobs start
// in submission order); a submitted job holds a queue slot until it starts running. So at most
// `workers` jobs run and at most `queue` wait, whatever the submitters do.
#pragma once

#include <atomic>
#include <cstddef>
#include <source_location>
#include <string>
#include <utility>

#include "weft/runtime.hpp"
#include "weft/sync.hpp"
#include "weft/task.hpp"

namespace weft {

struct pool_options {
  int workers = 0;           // jobs running at once; 0: weft::procs()
  std::size_t queue = 1024;  // jobs waiting for a worker; submit() waits beyond it
  std::string name = "pool";
};

class worker_pool {
 public:
  explicit worker_pool(pool_options o = {});
  worker_pool(const worker_pool&) = delete;
  worker_pool& operator=(const worker_pool&) = delete;
  ~worker_pool() = default;

  // Waits for room in the queue, then starts fn (a callable returning task<T> or a plain value)
  // as a job. Throws usage_error after close(). `site` (the caller's) names the job's task
  // class in the metrics and traces.
  template <class F>
  auto submit(F fn, std::source_location site = std::source_location::current())
      -> task<join_handle<detail::spawn_result_t<F>>> {
    using R = detail::spawn_result_t<F>;
    check_open();
    co_await queued_.acquire();
    pending_.add(1);
    note_waiting(+1);
    co_return spawn(
        [this, f = std::move(fn)]() mutable -> task<R> {
          struct leave {
            worker_pool* p;
            ~leave() {
              p->running_.release();
              p->pending_.done();
            }
          };
          co_await running_.acquire();
          queued_.release();
          note_waiting(-1);
          leave l{this};
          if constexpr (detail::is_task<std::invoke_result_t<F&>>::value) {
            co_return co_await f();
          } else {
            co_return f();
          }
        },
        site);
  }

  // No more submits.
  void close() noexcept { closed_.store(true, std::memory_order_release); }
  // Waits until every submitted job has ended.
  [[nodiscard]] auto join() { return pending_.wait(); }

  int workers() const noexcept { return workers_; }
  std::size_t queue_capacity() const noexcept { return queue_; }
  // Jobs waiting for a worker now, and the most ever seen (never above queue_capacity()).
  std::size_t waiting() const noexcept { return waiting_.load(std::memory_order_relaxed); }
  std::size_t max_waiting() const noexcept { return max_waiting_.load(std::memory_order_relaxed); }

 private:
  void check_open() const;
  void note_waiting(int delta) noexcept;

  int workers_;
  std::size_t queue_;
  semaphore running_;
  semaphore queued_;
  wait_group pending_;
  std::atomic<bool> closed_{false};
  std::atomic<std::size_t> waiting_{0};
  std::atomic<std::size_t> max_waiting_{0};
};

}  // namespace weft
