// weft::blocking(fn): runs a call that blocks in the kernel (file I/O, a C library, sleep) on the
// runtime's elastic blocking pool, never on a worker. The awaiting task is suspended meanwhile,
// so its worker keeps running other tasks. The pool grows to a bound (512 threads by default)
// and idle threads retire.
#pragma once

#include <coroutine>
#include <exception>
#include <functional>
#include <optional>
#include <type_traits>
#include <utility>

#include "weft/detail/task_header.hpp"

namespace weft {

namespace detail {
struct blocking_job {
  void (*run_)(blocking_job*) = nullptr;
  blocking_job* next_ = nullptr;  // the pool's queue link
  task_header* t_ = nullptr;      // woken when run_ returns
};
// Suspends the current task and queues `job` on the pool.
void blocking_submit(blocking_job* job, std::coroutine_handle<> h);

template <class R>
struct blocking_result {
  std::optional<R> value_;
  template <class F>
  void run(F& f) {
    value_.emplace(std::invoke(f));
  }
  R take() { return std::move(*value_); }
};
template <>
struct blocking_result<void> {
  template <class F>
  void run(F& f) {
    std::invoke(f);
  }
  void take() const noexcept {}
};

template <class F>
struct blocking_awaiter : blocking_job {
  using result_type = std::invoke_result_t<F&>;
  F fn_;
  blocking_result<result_type> result_{};
  std::exception_ptr error_{};

  explicit blocking_awaiter(F f) : fn_(std::move(f)) {}
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) {
    run_ = &invoke;
    blocking_submit(this, h);
  }
  result_type await_resume() {
    if (error_) std::rethrow_exception(error_);
    return result_.take();
  }
  static void invoke(blocking_job* j) noexcept {
    auto* self = static_cast<blocking_awaiter*>(j);
    try {
      self->result_.run(self->fn_);
    } catch (...) {
      self->error_ = std::current_exception();
    }
  }
};
}  // namespace detail

// co_await weft::blocking(fn) -> fn's result (or rethrows its exception).
template <class F>
auto blocking(F&& fn) {
  return detail::blocking_awaiter<std::decay_t<F>>(std::forward<F>(fn));
}

}  // namespace weft
