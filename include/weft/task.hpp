// weft::task<T>: a lazy C++20 coroutine. Nothing runs until the task is awaited; co_await runs it
// on the awaiting task's worker by symmetric transfer (no queue round trip, no stack growth) and
// yields its value or rethrows its exception. A task is awaited at most once.
#pragma once

#include <coroutine>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

#include "weft/detail/frame_alloc.hpp"
#include "weft/errors.hpp"

namespace weft {

template <class T = void>
class task;

namespace detail {

[[noreturn]] void throw_task_misuse(bool empty);

// A task the scheduler runs as a task of its own (run, go, spawn, task_group::spawn) has its
// root header in the room in front of its frame (rootable_frame, spawned.hpp).
struct spawn_base;
struct task_access;
// The root's end: settles its join word; returns where its worker goes on (join.cpp).
std::coroutine_handle<> on_spawned_exit(spawn_base* s) noexcept;
// Ends the header in front of a root task's frame, dropping its references (join.cpp).
void end_task_root(spawn_base* s) noexcept;
// Records what a root threw, in its header (join.cpp).
void set_root_error(spawn_base* s, std::exception_ptr e) noexcept;

struct task_promise_base : rootable_frame {
  task_promise_base() = default;
  task_promise_base(const task_promise_base&) = delete;
  task_promise_base& operator=(const task_promise_base&) = delete;
  // Runs after the coroutine's locals are gone (a cancel scope among them has restored the
  // root's cancel_ by then) and before the frame, with its header, is freed.
  ~task_promise_base() {
    if (root_) end_task_root(root_);
  }

  // The coroutine that awaits this one; set exactly once, by the awaiter, before the first resume.
  std::coroutine_handle<> continuation_{};
  std::exception_ptr error_{};
  // Set when this task was started as a task of its own: its header, in front of the frame.
  // Such a task is never awaited (continuation_ stays null); its end goes to the join protocol.
  spawn_base* root_ = nullptr;

  std::suspend_always initial_suspend() const noexcept { return {}; }

  struct final_awaiter {
    bool await_ready() const noexcept { return false; }
    template <class P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) const noexcept {
      auto& p = h.promise();
      // A root's end may destroy the frame: nothing may touch the promise after this call.
      if (p.root_) return on_spawned_exit(p.root_);
      // Symmetric transfer back to the awaiter: constant stack depth however long the chain.
      return p.continuation_;
    }
    void await_resume() const noexcept {}
  };
  final_awaiter final_suspend() const noexcept { return {}; }
  void unhandled_exception() noexcept {
    if (root_) {
      set_root_error(root_, std::current_exception());
    } else {
      error_ = std::current_exception();
    }
  }
};

template <class T>
struct task_promise : task_promise_base {
  std::optional<T> value_;

  task<T> get_return_object() noexcept;
  template <class U = T>
  requires std::is_convertible_v<U&&, T>
  void return_value(U&& v) { value_.emplace(std::forward<U>(v)); }
  T take() {
    if (error_) std::rethrow_exception(error_);
    return std::move(*value_);
  }
};

template <>
struct task_promise<void> : task_promise_base {
  task<void> get_return_object() noexcept;
  void return_void() const noexcept {}
  void take() const {
    if (error_) std::rethrow_exception(error_);
  }
};

template <class T>
struct is_task : std::false_type {};
template <class T>
struct is_task<task<T>> : std::true_type {};

}  // namespace detail

template <class T>
class [[nodiscard]] task {
 public:
  using promise_type = detail::task_promise<T>;
  using value_type = T;

  task() noexcept = default;
  explicit task(std::coroutine_handle<promise_type> h) noexcept : h_(h) {}
  task(task&& o) noexcept : h_(std::exchange(o.h_, {})) {}
  task& operator=(task&& o) noexcept {
    if (this != &o) {
      reset();
      h_ = std::exchange(o.h_, {});
    }
    return *this;
  }
  task(const task&) = delete;
  task& operator=(const task&) = delete;
  ~task() { reset(); }

  // True while the task holds a coroutine that has not been awaited yet.
  bool valid() const noexcept { return h_ && !h_.promise().continuation_; }

  struct awaiter {
    std::coroutine_handle<promise_type> h_;
    bool await_ready() const {
      // Misuse is a typed error in the awaiting task, not undefined behaviour.
      if (!h_ || h_.promise().continuation_) detail::throw_task_misuse(!h_);
      return false;
    }
    std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiting) const noexcept {
      h_.promise().continuation_ = awaiting;
      return h_;
    }
    T await_resume() const { return h_.promise().take(); }
  };
  awaiter operator co_await() const& noexcept { return awaiter{h_}; }
  awaiter operator co_await() const&& noexcept { return awaiter{h_}; }

 private:
  friend struct detail::task_access;
  void reset() noexcept {
    if (h_) h_.destroy();
    h_ = {};
  }
  std::coroutine_handle<promise_type> h_{};
};

namespace detail {
template <class T>
task<T> task_promise<T>::get_return_object() noexcept {
  return task<T>{std::coroutine_handle<task_promise<T>>::from_promise(*this)};
}
inline task<void> task_promise<void>::get_return_object() noexcept {
  return task<void>{std::coroutine_handle<task_promise<void>>::from_promise(*this)};
}
}  // namespace detail

}  // namespace weft
