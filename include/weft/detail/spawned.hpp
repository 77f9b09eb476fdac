// The root coroutine of every task that the scheduler runs (run, go, spawn, task_group::spawn).
// It owns the user's callable (so a coroutine lambda's captures live as long as the task), runs
// it, stores its value or exception, and at its end hands the result to whoever joins it.
//
// Join protocol, on spawn_base::join_ (one word, so completion and joining race safely):
//   k_running  -> the task runs; nobody waits yet
//   <pointer>  -> a task waits in join; completion schedules it. Tagged k_joiner_firm when the
//                 joiner had no cancel source as it published: no cancel callback can then
//                 withdraw the wait, so the completing task owns the word and may settle it
//                 with a plain store (an RMW costs a store-buffer drain on every join)
//   k_done     -> the task ended; the join handle owns the frame and destroys it
//   k_detached -> the handle was dropped; the task destroys its own frame when it ends
// Each side moves the word with one exchange/CAS, so exactly one of them destroys the frame.
#pragma once

#include <atomic>
#include <coroutine>
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <type_traits>
#include <utility>

#include "weft/detail/cancel.hpp"
#include "weft/detail/frame_alloc.hpp"
#include "weft/detail/task_header.hpp"
#include "weft/task.hpp"

namespace weft::detail {

inline constexpr std::uintptr_t k_running = 0;
inline constexpr std::uintptr_t k_done = 1;
inline constexpr std::uintptr_t k_detached = 2;
inline constexpr std::uintptr_t k_joiner_firm = 4;  // a tag on a joiner pointer (see above)
static_assert(alignof(task_header) >= 8, "k_joiner_firm needs bit 2 of a task pointer");

struct group_state;

struct spawn_base;
// Drops the references a task holds (its cancellation source, its group).
void release_spawn_refs(spawn_base* s) noexcept;

struct spawn_base : task_header {
  spawn_base() = default;
  spawn_base(const spawn_base&) = delete;
  spawn_base& operator=(const spawn_base&) = delete;
  // Runs last when the frame is destroyed (after the coroutine's locals, so a cancel scope in
  // them has restored cancel_ by then), whether the task ended or was destroyed at shutdown.
  ~spawn_base() { release_spawn_refs(this); }

  std::atomic<std::uintptr_t> join_{k_running};
  group_state* group_ = nullptr;  // owned reference when spawned in a task_group
  std::exception_ptr error_{};
};

// Called from the root coroutine's final suspend: unregisters the task and settles the join
// word (waking a joiner, notifying the group, or destroying the frame). Returns where the
// worker goes on: a woken joiner to switch to in place, or noop_coroutine() (back to the run
// loop). Defined in join.cpp.
std::coroutine_handle<> on_spawned_exit(spawn_base* s) noexcept;

template <class T>
struct spawned_promise_value {
  std::optional<T> value_;
  template <class U = T>
  requires std::is_convertible_v<U&&, T>
  void return_value(U&& v) { value_.emplace(std::forward<U>(v)); }
  T take_value() { return std::move(*value_); }
};
template <>
struct spawned_promise_value<void> {
  void return_void() const noexcept {}
  void take_value() const noexcept {}
};

template <class T>
class spawned;

template <class T>
struct spawned_promise : spawn_base, spawned_promise_value<T>, recycled_frame {
  spawned<T> get_return_object() noexcept;
  std::suspend_always initial_suspend() const noexcept { return {}; }
  struct final_awaiter {
    bool await_ready() const noexcept { return false; }
    std::coroutine_handle<> await_suspend(std::coroutine_handle<spawned_promise> h) const noexcept {
      // May destroy the frame: nothing may touch the promise after this call.
      return on_spawned_exit(&h.promise());
    }
    void await_resume() const noexcept {}
  };
  final_awaiter final_suspend() const noexcept { return {}; }
  void unhandled_exception() noexcept { error_ = std::current_exception(); }
  T take() {
    if (error_) std::rethrow_exception(error_);
    return this->take_value();
  }
};

// The not-yet-started root coroutine; ownership passes to the runtime when it is started.
template <class T>
class spawned {
 public:
  using promise_type = spawned_promise<T>;
  using value_type = T;
  explicit spawned(std::coroutine_handle<promise_type> h) noexcept : h_(h) {}
  spawned(spawned&& o) noexcept : h_(std::exchange(o.h_, {})) {}
  spawned(const spawned&) = delete;
  spawned& operator=(const spawned&) = delete;
  spawned& operator=(spawned&&) = delete;
  ~spawned() {
    if (h_) h_.destroy();
  }
  // Gives up ownership; the frame now belongs to the scheduler and join protocol.
  promise_type* release() noexcept {
    auto* p = &h_.promise();
    p->frame_ = h_;
    p->resume_ = h_;
    h_ = {};
    return p;
  }

 private:
  std::coroutine_handle<promise_type> h_;
};

template <class T>
spawned<T> spawned_promise<T>::get_return_object() noexcept {
  return spawned<T>{std::coroutine_handle<spawned_promise<T>>::from_promise(*this)};
}

// What a task started from F yields: U for a callable returning task<U>, else its plain result.
template <class F>
struct spawn_result {
  using invoked = std::invoke_result_t<F&>;
  using type = invoked;
};
template <class F>
requires is_task<std::invoke_result_t<F&>>::value struct spawn_result<F> {
  using type = typename std::invoke_result_t<F&>::value_type;
};
template <class F>
using spawn_result_t = typename spawn_result<std::decay_t<F>>::type;

// The root coroutine body. `f` is a parameter, so it lives in the frame until the task ends.
template <class R, class F>
spawned<R> spawn_body(F f) {
  using invoked = std::invoke_result_t<F&>;
  if constexpr (is_task<invoked>::value) {
    if constexpr (std::is_void_v<R>) {
      co_await std::invoke(f);
    } else {
      co_return co_await std::invoke(f);
    }
  } else if constexpr (std::is_void_v<R>) {
    std::invoke(f);
  } else {
    co_return std::invoke(f);
  }
}

// A task<R> object handed to go/spawn/run. It is the root coroutine's only parameter and its
// own awaiter, so the root frame holds one handle: awaiting a task<R> parameter would keep the
// task and the awaiter's copy of its handle, 16 bytes more a task (what took a sleeping go task
// over the 1/8-of-Go's-memory target).
template <class R>
class owned_task {
 public:
  explicit owned_task(task<R>&& t) noexcept : h_(std::exchange(t.h_, {})) {}
  owned_task(owned_task&& o) noexcept : h_(std::exchange(o.h_, {})) {}
  owned_task(const owned_task&) = delete;
  owned_task& operator=(const owned_task&) = delete;
  owned_task& operator=(owned_task&&) = delete;
  ~owned_task() {
    if (h_) h_.destroy();
  }

  bool await_ready() const {
    // The same misuse checks as task<R>'s own awaiter: empty, or awaited already.
    if (!h_ || h_.promise().continuation_) throw_task_misuse(!h_);
    return false;
  }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiting) const noexcept {
    h_.promise().continuation_ = awaiting;
    return h_;
  }
  R await_resume() const { return h_.promise().take(); }

 private:
  std::coroutine_handle<task_promise<R>> h_;
};

template <class R>
spawned<R> spawn_task_body(owned_task<R> t) {
  if constexpr (std::is_void_v<R>) {
    co_await t;
  } else {
    co_return co_await t;
  }
}

template <class F>
auto make_spawned(F&& f) {
  if constexpr (is_task<std::decay_t<F>>::value) {
    return spawn_task_body(owned_task<typename std::decay_t<F>::value_type>(std::move(f)));
  } else {
    return spawn_body<spawn_result_t<F>>(std::decay_t<F>(std::forward<F>(f)));
  }
}
template <class F>
using make_spawned_result_t = decltype(make_spawned(std::declval<F>()));

// Hands a released root frame to the scheduler. Detached: FIFO run queue, no inherited
// cancellation (a go task outlives its spawner). Child: the fork-join deque (run depth-first),
// inheriting the spawner's cancellation.
void start_detached(spawn_base* s);
void start_child(spawn_base* s, cancel_source* cancel, bool borrow_cancel = false);

// One join in progress; lives in the awaiter, so a join allocates nothing. The cancel callback
// lets a cancelled joiner stop waiting while the joined task goes on.
struct join_wait : cancel_callback {
  spawn_base* s_ = nullptr;
  task_header* t_ = nullptr;
  bool cancelled_ = false;
  // Where the joiner goes on (for symmetric transfer): h itself if the task already ended,
  // the task if it was still unstarted in this worker's fork deque (run in place), else
  // noop_coroutine() (suspended until the task ends).
  std::coroutine_handle<> suspend(std::coroutine_handle<> h);
  void resumed();  // throws weft::cancelled if the wait was cancelled
};
void join_release(spawn_base* s) noexcept;  // the handle is dropped without having joined
void join_span(spawn_base* s) noexcept;     // the joiner's path continues from the child's
void join_finish(spawn_base* s) noexcept;   // the handle has taken the result

}  // namespace weft::detail
