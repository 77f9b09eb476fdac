// Timers: sleep_for / sleep_until suspend the task (not the worker) until a deadline. Pending
// timers live in a hierarchical timing wheel (O(1) insert and expiry, microsecond resolution);
// the worker that parks for lack of work sleeps until the next deadline, so no thread spins.
#pragma once

#include <chrono>
#include <coroutine>

#include "weft/detail/cancel.hpp"
#include "weft/detail/task_header.hpp"
#include "weft/detail/timer_entry.hpp"

namespace weft {

using clock = std::chrono::steady_clock;

namespace detail {
// Deadlines are microseconds on steady_clock's own epoch, rounded up so a timer never fires
// early. The awaiter keeps only that (in its timer entry): a sleeping task is small.
inline std::uint64_t deadline_us(clock::time_point t) noexcept {
  auto us = std::chrono::ceil<std::chrono::microseconds>(t.time_since_epoch()).count();
  return us > 0 ? static_cast<std::uint64_t>(us) : 0;
}

struct sleep_awaiter : timer_entry, cancel_callback {
  // Before t_: it fits in cancel_callback's tail padding, so the awaiter (and with it every
  // sleeping task's frame) is 8 bytes smaller.
  bool cancelled_ = false;
  task_header* t_ = nullptr;

  explicit sleep_awaiter(clock::time_point d) noexcept { when_us_ = deadline_us(d); }
  bool await_ready() const noexcept;
  bool await_suspend(std::coroutine_handle<> h);
  void await_resume();
};
}  // namespace detail

// Suspends the current task until `deadline`; never fires early. Throws weft::cancelled if the
// task is cancelled while it sleeps.
inline detail::sleep_awaiter sleep_until(clock::time_point deadline) noexcept {
  return detail::sleep_awaiter{deadline};
}
template <class Rep, class Period>
detail::sleep_awaiter sleep_for(std::chrono::duration<Rep, Period> d) noexcept {
  return sleep_until(clock::now() + std::chrono::ceil<clock::duration>(d));
}

}  // namespace weft
