// Coordination between tasks: wait_group, mutex, semaphore. Each waits by suspending the task
// (never the worker), hands off in FIFO order so no waiter starves, can be cancelled, takes an
// optional name, and records blocked time against that name for the metrics and the doctor.
#pragma once

#include <atomic>
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "weft/detail/chan_waiter.hpp"
#include "weft/detail/wait_site.hpp"
#include "weft/errors.hpp"

namespace weft {

namespace detail {
// A lock, a FIFO of waiting tasks and a wait site: what every sync object here is built on.
struct sync_core {
  sync_core(const char* kind, std::string name) : site_(kind, std::move(name)) {}
  ~sync_core();  // wakes tasks still waiting with an error
  sync_core(const sync_core&) = delete;
  sync_core& operator=(const sync_core&) = delete;

  // Lock held: parks w (unlocks). True: suspend.
  bool park_locked(chan_waiter* w, std::coroutine_handle<> h, wait_kind kind);
  // On resumption: unregisters from cancellation, throws for cancelled/destroyed waits. (The
  // wait was counted when the task's run began: worker::begin_run.)
  void finish(chan_waiter* w, const char* what);

  spin_lock lock_;
  waiter_queue q_;  // guarded by lock_
  wait_site site_;
};
}  // namespace detail

// Waits for a collection of tasks to finish, like Go's sync.WaitGroup.
class wait_group {
 public:
  explicit wait_group(std::string name = "") : core_("wait_group", std::move(name)) {}

  // Adds n (which may be negative) to the counter; at zero every waiter is woken. A counter
  // that goes below zero is a usage_error.
  void add(std::int64_t n = 1);
  void done() { add(-1); }
  std::int64_t count() const noexcept;

  struct awaiter : detail::chan_waiter {
    explicit awaiter(wait_group* g) noexcept : g_(g) {}
    wait_group* g_;
    bool await_ready() const noexcept { return false; }
    bool await_suspend(std::coroutine_handle<> h);
    void await_resume();
  };
  // Waits until the counter is zero.
  [[nodiscard]] awaiter wait() noexcept { return awaiter(this); }

 private:
  detail::sync_core core_;
  std::int64_t count_ = 0;  // guarded by core_.lock_
};

// A task mutex. co_await lock() returns a guard that unlocks when destroyed. Under contention
// ownership is handed to the longest waiter (FIFO), so no waiter starves. A lock() that would
// close a cycle of tasks waiting on each other's mutexes throws weft::deadlock_error naming the
// cycle, even while other tasks keep running.
class mutex {
 public:
  explicit mutex(std::string name = "") : core_("mutex", std::move(name)) {}

  class [[nodiscard]] guard {
   public:
    guard() noexcept = default;
    explicit guard(mutex* m) noexcept : m_(m) {}
    guard(guard&& o) noexcept : m_(std::exchange(o.m_, nullptr)) {}
    guard& operator=(guard&& o) noexcept {
      if (this != &o) {
        unlock();
        m_ = std::exchange(o.m_, nullptr);
      }
      return *this;
    }
    ~guard() { unlock(); }
    void unlock() {
      if (m_) std::exchange(m_, nullptr)->unlock();
    }
    bool owns_lock() const noexcept { return m_ != nullptr; }

   private:
    mutex* m_ = nullptr;
  };

  struct lock_awaiter : detail::chan_waiter {
    explicit lock_awaiter(mutex* m) noexcept : m_(m) {}
    mutex* m_;
    bool blocked_ = false;  // recorded in the lock-cycle graph
    bool await_ready() const noexcept { return false; }
    bool await_suspend(std::coroutine_handle<> h);
    guard await_resume();
  };
  [[nodiscard]] lock_awaiter lock() noexcept { return lock_awaiter(this); }
  // Locks if free; an empty guard otherwise.
  guard try_lock();
  // Unlocks (prefer the guard). Unlocking an unlocked mutex is a usage_error.
  void unlock();
  const std::string& name() const noexcept { return core_.site_.name_; }

 private:
  detail::sync_core core_;
  bool locked_ = false;  // guarded by core_.lock_
  // The task holding the lock (null if it was taken outside a task); read without the lock by
  // the lock-cycle detector.
  std::atomic<detail::task_header*> owner_{nullptr};
};

// A counting semaphore. release() hands a unit straight to the longest waiter.
class semaphore {
 public:
  explicit semaphore(std::size_t initial, std::string name = "")
      : core_("semaphore", std::move(name)), count_(initial) {}

  struct acquire_awaiter : detail::chan_waiter {
    explicit acquire_awaiter(semaphore* s) noexcept : s_(s) {}
    semaphore* s_;
    bool await_ready() const noexcept { return false; }
    bool await_suspend(std::coroutine_handle<> h);
    void await_resume();
  };
  [[nodiscard]] acquire_awaiter acquire() noexcept { return acquire_awaiter(this); }
  bool try_acquire();
  void release(std::size_t n = 1);
  std::size_t available() const noexcept;
  const std::string& name() const noexcept { return core_.site_.name_; }

 private:
  detail::sync_core core_;
  std::size_t count_;  // guarded by core_.lock_
};

}  // namespace weft
