// Cancellation a caller controls. A cancel_token is a handle to a cancellation source;
// `co_await weft::with_cancel(token, t)` runs t so that token.cancel() reaches every wait
// inside it (channels, select, timers, locks, joins, and the tasks it spawns), which then
// throws weft::cancelled. `co_await weft::with_timeout(t, d)` does the same with a deadline and
// throws weft::timed_out (a weft::cancelled) when it passes first.
//
// Both run t inline in the current task (no spawn): for their duration the task's
// cancellation source is replaced by a child of it, so an outer cancellation still reaches t.
#pragma once

#include <chrono>
#include <utility>

#include "weft/detail/cancel.hpp"
#include "weft/detail/task_header.hpp"
#include "weft/detail/timer_entry.hpp"
#include "weft/errors.hpp"
#include "weft/task.hpp"
#include "weft/time.hpp"

namespace weft {

class cancel_token {
 public:
  cancel_token();
  cancel_token(const cancel_token& o) noexcept;
  cancel_token& operator=(const cancel_token& o) noexcept;
  ~cancel_token();

  // Requests cancellation; idempotent, callable from any thread.
  void cancel() noexcept;
  bool cancelled() const noexcept;

  detail::cancel_source* source() const noexcept { return s_; }

 private:
  detail::cancel_source* s_;
};

namespace detail {
// For the duration of a scope, makes the current task's cancellation a child source of both
// its previous one and (optionally) `extra`, and (optionally) arms a deadline that cancels it.
class cancel_scope : timer_entry {
 public:
  cancel_scope(cancel_source* extra, const clock::time_point* deadline);
  ~cancel_scope();
  cancel_scope(const cancel_scope&) = delete;
  cancel_scope& operator=(const cancel_scope&) = delete;
  bool deadline_passed() const noexcept { return fired_.load(std::memory_order_acquire); }

 private:
  friend void deadline_fired(timer_entry* e) noexcept;
  static void on_deadline(timer_entry* e) noexcept;
  task_header* t_;
  cancel_source* saved_;
  cancel_source* source_;
  cancel_source* extra_;
  struct extra_link : cancel_callback {
    cancel_scope* owner_ = nullptr;
  } extra_link_;
  std::atomic<bool> fired_{false};
  bool armed_ = false;
};
}  // namespace detail

namespace detail {
template <class A>
decltype(auto) awaiter_of(A&& a) {
  if constexpr (requires { std::forward<A>(a).operator co_await(); }) {
    return std::forward<A>(a).operator co_await();
  } else {
    return std::forward<A>(a);
  }
}
template <class A>
using await_result_t = decltype(awaiter_of(std::declval<A>()).await_resume());
}  // namespace detail

// Awaits `a` (a task or any awaitable) so that cancelling `token` cancels its waits.
template <class A>
task<detail::await_result_t<A>> with_cancel(cancel_token token, A a) {
  detail::cancel_scope scope(token.source(), nullptr);
  co_return co_await std::move(a);
}

// Awaits `a` (a task or any awaitable); if it has not finished within d, its waits are
// cancelled and this throws weft::timed_out.
template <class A, class Rep, class Period>
task<detail::await_result_t<A>> with_timeout(A a, std::chrono::duration<Rep, Period> d) {
  auto deadline = clock::now() + std::chrono::ceil<clock::duration>(d);
  detail::cancel_scope scope(nullptr, &deadline);
  try {
    co_return co_await std::move(a);
  } catch (const cancelled&) {
    if (scope.deadline_passed()) throw timed_out();
    throw;
  }
}

}  // namespace weft
