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

template <class R>
class owned_task;

struct task_promise_base : recycled_frame {
  // The coroutine that awaits this one; set exactly once, by the awaiter, before the first resume.
  std::coroutine_handle<> continuation_{};
  std::exception_ptr error_{};

  std::suspend_always initial_suspend() const noexcept { return {}; }

  struct final_awaiter {
    bool await_ready() const noexcept { return false; }
    template <class P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) const noexcept {
      // Symmetric transfer back to the awaiter: constant stack depth however long the chain.
      return h.promise().continuation_;
    }
    void await_resume() const noexcept {}
  };
  final_awaiter final_suspend() const noexcept { return {}; }
  void unhandled_exception() noexcept { error_ = std::current_exception(); }
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
  template <class>
  friend class detail::owned_task;
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
