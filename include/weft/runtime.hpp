// The runtime: `procs` worker threads running tasks on a work-stealing scheduler, and the ways
// to start tasks on it. run() starts a runtime and runs the root task; go() starts a detached
// task; spawn() a task whose result is joined through a join_handle; task_group a set of
// children waited for together, the first error cancelling the rest.
#pragma once

#include <cstdint>
#include <optional>
#include <source_location>
#include <string>
#include <utility>

#include "weft/detail/spawned.hpp"
#include "weft/errors.hpp"
#include "weft/task.hpp"

namespace weft {

struct options {
  // Worker threads, the parallelism (Go's GOMAXPROCS). Unset: WEFT_PROCS, else the hardware
  // concurrency. 0 or negative is a config_error.
  std::optional<int> procs{};
  // Names the runtime in metrics and traces.
  std::string name = "weft";
};

namespace detail {
// Runs a runtime until the root task ends. Throws the failure of a detached task, or
// deadlock_error; the root's own result stays in its promise.
void run_root(const options& o, spawn_base* root);

// Destroys the root frame once run() has taken its result.
struct root_frame {
  spawn_base* p_;
  explicit root_frame(spawn_base* p) noexcept : p_(p) {}
  root_frame(const root_frame&) = delete;
  root_frame& operator=(const root_frame&) = delete;
  ~root_frame() { destroy_root(p_); }
};
}  // namespace detail

// Starts a runtime, runs `fn` (a callable returning task<T>, or a task<T>) as the root task, and
// returns its value or rethrows its exception. When the root returns, running tasks are let
// reach a suspension point, then detached tasks still suspended are destroyed.
template <class F>
auto run(const options& o, F&& fn, std::source_location site = std::source_location::current()) {
  auto* p = detail::make_spawned(std::forward<F>(fn));
  p->is_root_ = true;
  p->site_ = site;
  detail::run_root(o, p);  // when it throws, it has destroyed the root frame already
  detail::root_frame guard{p};
  return detail::take_result<detail::spawn_result_t<F>>(p);
}
template <class F>
auto run(F&& fn, std::source_location site = std::source_location::current()) {
  return run(options{}, std::forward<F>(fn), site);
}

// The number of workers of the current runtime (outside one: what a runtime started now with
// default options would use).
int procs();

// Starts a detached task. An exception escaping it fails the whole run(), which rethrows it.
// `site` (the caller's, by default) names the task in metrics: the doctor reports tasks that
// hold a worker too long by where they were started.
template <class F>
void go(F&& fn, std::source_location site = std::source_location::current()) {
  auto* p = detail::make_spawned(std::forward<F>(fn));
  p->site_ = site;
  detail::start_detached(p);
}

// The result of a spawned task: `co_await handle` gives its value or rethrows its exception,
// once. Dropping the handle detaches the task.
template <class T>
class [[nodiscard]] join_handle {
 public:
  join_handle() noexcept = default;
  explicit join_handle(detail::spawn_base* p) noexcept : p_(p) {}
  join_handle(join_handle&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
  join_handle& operator=(join_handle&& o) noexcept {
    if (this != &o) {
      reset();
      p_ = std::exchange(o.p_, nullptr);
    }
    return *this;
  }
  join_handle(const join_handle&) = delete;
  join_handle& operator=(const join_handle&) = delete;
  ~join_handle() { reset(); }

  bool valid() const noexcept { return p_ != nullptr; }
  // True once the task has ended (its result is ready).
  bool done() const noexcept {
    // acquire: pairs with the release exchange in on_spawned_exit(); the result is visible.
    return p_ && p_->join_.load(std::memory_order_acquire) == detail::k_done;
  }

  struct awaiter {
    join_handle* h_;
    detail::join_wait w_{};
    bool await_ready() const {
      if (!h_->p_) throw usage_error("weft::join_handle: awaited twice, or empty");
      return h_->done();
    }
    std::coroutine_handle<> await_suspend(std::coroutine_handle<> c) {
      w_.s_ = h_->p_;
      return w_.suspend(c);
    }
    T await_resume() {
      if (w_.t_) w_.resumed();
      auto* p = std::exchange(h_->p_, nullptr);
      detail::join_span(p);
      struct finish {
        detail::spawn_base* p;
        ~finish() { detail::join_finish(p); }
      } f{p};
      return detail::take_result<T>(p);
    }
  };
  awaiter operator co_await() & noexcept { return awaiter{this}; }
  awaiter operator co_await() && noexcept { return awaiter{this}; }

 private:
  void reset() noexcept {
    if (p_) detail::join_release(std::exchange(p_, nullptr));
  }
  detail::spawn_base* p_ = nullptr;
};

// Starts a task and returns the handle that joins it. The task inherits the spawner's
// cancellation and runs depth-first (fork-join friendly).
template <class F>
auto spawn(F&& fn, std::source_location site = std::source_location::current()) {
  auto* p = detail::make_spawned(std::forward<F>(fn));
  p->site_ = site;
  detail::start_child(p, nullptr);
  return join_handle<detail::spawn_result_t<F>>(p);
}

// Structured concurrency: children spawned in the group are waited for together. The first
// child to throw cancels the others; wait() rethrows that first exception. Cancelling the task
// that owns the group cancels the children. Destroying a group that still has children cancels
// them and abandons their results.
//
// Any task may spawn into a group, its children included. As with Go's WaitGroup.Add, a spawn
// that starts a new set of children once the count has fallen to zero must not race a wait()
// that is completing (order it after that wait() returns, or spawn it from a child that is
// still running): the group does not protect itself against a child ending in the instant
// between the previous last child's end and its waiters being woken.
class task_group {
 public:
  task_group();
  task_group(const task_group&) = delete;
  task_group& operator=(const task_group&) = delete;
  ~task_group();

  template <class F>
  void spawn(F&& fn, std::source_location site = std::source_location::current()) {
    auto* p = detail::make_spawned(std::forward<F>(fn));
    p->site_ = site;
    add_child(p);
  }

  // Asks every child to stop: their cancellable waits throw weft::cancelled.
  void cancel() noexcept;

  struct awaiter {
    task_group* g_;
    bool await_ready() const noexcept;
    bool await_suspend(std::coroutine_handle<> h);
    void await_resume();
  };
  // Waits until every child has ended; rethrows the first child exception, if any.
  [[nodiscard]] awaiter wait() noexcept { return awaiter{this}; }

 private:
  void add_child(detail::spawn_base* s);
  detail::group_state* s_;
};

// Lets other tasks run: the current task goes to the back of its worker's queue.
struct yield_awaiter {
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) const noexcept;
  void await_resume() const noexcept {}
};
inline yield_awaiter yield() noexcept {
  return {};
}

// True when the current task has been asked to stop (its group was cancelled, or it ran past a
// timeout). CPU-bound code polls this between chunks of work.
bool cancellation_requested() noexcept;

}  // namespace weft
