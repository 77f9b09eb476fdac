// weft::select: wait on several channel operations and timeouts at once; the first ready case
// runs, exactly one. When several are ready, one is chosen uniformly at random (as in Go), so
// no case starves. A case that loses leaves its channel unchanged: a value is only ever taken
// by the case that fired.
//
//   auto r = co_await weft::select(jobs.on_recv(), results.on_send(v), weft::after(10ms));
//   switch (r.index()) { case 0: use(r.get<0>()); ... }   // get<I>: the optional received
//
// Protocol (Go's selectgo, adapted to coroutines):
//   1. Lock every channel involved, in address order (no lock-order cycles with other selects).
//   2. Poll the cases in a random order; the first that can complete does, and we are done.
//   3. Otherwise queue a waiter on every channel (all sharing one select_state), unlock, arm the
//      timers, register for cancellation, and suspend (phase protocol, chan_waiter.hpp).
//   4. A peer, timer or cancel claims the select with one CAS on fired_; the others' waiters
//      become stale and are skipped by the channels.
//   5. On resumption, lock the channels again and unlink the waiters that are still queued,
//      cancel the timers that did not fire.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <coroutine>
#include <cstddef>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

#include "weft/chan.hpp"
#include "weft/detail/timer_entry.hpp"
#include "weft/time.hpp"

namespace weft {

namespace detail {
struct after_case {
  clock::time_point deadline_;
};

enum class poll_result { not_ready, done_locked, done_unlocked };

struct select_cancel_node : cancel_callback {
  select_state* st_ = nullptr;
};

// Runtime hooks for select (select.cpp).
std::uint32_t select_random() noexcept;
void select_arm_timer(timer_entry* e, clock::time_point deadline, bool& due);
void select_cancel_timer(timer_entry* e) noexcept;
void select_cancelled(cancel_callback* cb) noexcept;

template <class T>
struct case_state<recv_case<T>> : chan_waiter {
  using result_type = std::optional<T>;
  explicit case_state(recv_case<T> c) : c_(c.c_) {}
  chan_core* core() const noexcept { return &c_->core_; }
  // Lock held. Completes the case if it can; says whether the channel lock is still held.
  poll_result try_complete() {
    if (c_->take_locked(value_)) return poll_result::done_unlocked;
    // Closed and drained: the case fires with nullopt.
    return c_->core_.closed_ ? poll_result::done_locked : poll_result::not_ready;
  }
  void enqueue(select_state* st, int index) {
    sel_ = st;
    case_ = index;
    slot_ = &value_;
    c_->core_.recvq_.push(this);
  }
  void dequeue() noexcept { c_->core_.recvq_.remove(this); }
  chan<T>* c_;
  std::optional<T> value_;
};

template <class T>
struct case_state<send_case<T>> : chan_waiter {
  using result_type = void;
  explicit case_state(send_case<T> c) : c_(c.c_), value_(std::move(c.value_)) {}
  chan_core* core() const noexcept { return &c_->core_; }
  poll_result try_complete() {
    if (c_->core_.closed_) {
      result_ = wait_result::closed;  // Go's rule: a send case on a closed channel fires, and fails
      return poll_result::done_locked;
    }
    return c_->offer_locked(value_) ? poll_result::done_unlocked : poll_result::not_ready;
  }
  void enqueue(select_state* st, int index) {
    sel_ = st;
    case_ = index;
    slot_ = &value_;
    c_->core_.sendq_.push(this);
  }
  void dequeue() noexcept { c_->core_.sendq_.remove(this); }
  chan<T>* c_;
  T value_;
};

template <>
struct case_state<after_case> : timer_entry {
  using result_type = void;
  explicit case_state(after_case c) : deadline_(c.deadline_) {}
  clock::time_point deadline_;
  select_state* sel_ = nullptr;
  int case_ = 0;
  bool armed_ = false;
};

template <class C>
inline constexpr bool is_channel_case = !std::is_same_v<C, after_case>;

}  // namespace detail

// A select case that fires once `d` has passed.
template <class Rep, class Period>
detail::after_case after(std::chrono::duration<Rep, Period> d) {
  return {clock::now() + std::chrono::ceil<clock::duration>(d)};
}

template <bool Default, class... Cases>
class select_awaiter {
  static constexpr std::size_t N = sizeof...(Cases);
  static_assert(N > 0, "weft::select needs at least one case");

 public:
  explicit select_awaiter(Cases... cs) : cases_(detail::case_state<Cases>(std::move(cs))...) {}
  select_awaiter(const select_awaiter&) = delete;
  select_awaiter& operator=(const select_awaiter&) = delete;

  class result {
   public:
    // The case that fired; for select_or_default, N when none was ready.
    std::size_t index() const noexcept { return index_; }
    // What recv case I received: nullopt when its channel was closed.
    template <std::size_t I>
    auto& get() {
      using C = std::tuple_element_t<I, std::tuple<Cases...>>;
      static_assert(!std::is_void_v<typename detail::case_state<C>::result_type>,
                    "select result get<I>: case I is not a recv case");
      return std::get<I>(owner_->cases_).value_;
    }

   private:
    friend class select_awaiter;
    result(select_awaiter* o, std::size_t i) : owner_(o), index_(i) {}
    select_awaiter* owner_;
    std::size_t index_;
  };

  // The fast path: try the channel cases one at a time in a random order, each under its own
  // channel's lock only, and complete the first that is ready, without suspending. The first
  // ready case of a uniformly random order is a uniform choice among the ready ones, and a
  // case that is not taken is left untouched, as in the full protocol below. When none is
  // ready, await_suspend() runs that protocol (all locks at once, poll, queue everywhere), so
  // waiting and select_or_default's "none ready" still rest on one consistent look at every
  // channel. Not for selects with a timer case (the full protocol weighs an expired timer
  // against the ready channels), nor when the task is out of budget or outside a task.
  bool await_ready() {
    if constexpr (k_has_timer) {
      return false;
    } else {
      auto* t = detail::current_task();
      // Out of budget: the full protocol, which yields after completing (spend_budget).
      if (!t || t->budget_ <= 1) return false;
      auto order = random_order();
      for (std::size_t k = 0; k < N; ++k) {
        if (try_alone(order[k])) {
          fired_ = static_cast<int>(order[k]);
          return detail::take_budget(t);  // true: budget_ > 1 was checked above
        }
      }
      return false;
    }
  }

  bool await_suspend(std::coroutine_handle<> h) {
    t_ = detail::require_task("select");
    st_.t_ = t_;
    collect_locks();
    lock_all();
    // 2. Poll in a random order.
    auto order = random_order();
    for (std::size_t k = 0; k < N; ++k) {
      if (poll_case(order[k])) {
        fired_ = static_cast<int>(order[k]);
        return detail::spend_budget(h);
      }
    }
    if constexpr (Default) {
      unlock_all();
      fired_ = static_cast<int>(N);
      return false;
    } else {
      if (t_->cancel_ && t_->cancel_->is_cancelled()) {
        unlock_all();
        fired_ = detail::select_state::k_cancelled;
        return false;
      }
      // 3. Queue everywhere, then unlock, arm timers, register for cancellation.
      detail::prepare_wait(h, detail::wait_kind::select, nullptr);
      enqueue_all();
      unlock_all();
      queued_ = true;
      arm_timers();
      if (auto* cs = t_->cancel_) {
        cancel_cb_.fn_ = &detail::select_cancelled;
        cancel_cb_.st_ = &st_;
        if (!detail::add_callback(cs, &cancel_cb_)) detail::select_cancelled(&cancel_cb_);
      }
      if (detail::commit_suspend(st_.phase_)) return true;
      detail::abandon_wait(t_);
      return false;
    }
  }

  result await_resume() {
    if (queued_) {
      // 5. Clean up the cases that did not fire.
      if (cancel_cb_.fn_ && t_->cancel_) detail::remove_callback(t_->cancel_, &cancel_cb_);
      lock_all();
      dequeue_all();
      unlock_all();
      disarm_timers();
      fired_ = st_.fired_.load(std::memory_order_acquire);
    }
    if (fired_ == detail::select_state::k_cancelled) throw cancelled("weft: select cancelled");
    auto i = static_cast<std::size_t>(fired_);
    if (i < N) check_send_failure(i);
    return result(this, i);
  }

 private:
  static constexpr bool k_has_timer = (!detail::is_channel_case<Cases> || ...);

  static std::array<std::size_t, N> random_order() noexcept {
    std::array<std::size_t, N> order;
    for (std::size_t i = 0; i < N; ++i) order[i] = i;
    for (std::size_t i = N - 1; i > 0; --i) {
      std::swap(order[i], order[detail::select_random() % (i + 1)]);
    }
    return order;
  }

  // Channel case i under its own lock only (the fast path): completes it if it is ready.
  bool try_alone(std::size_t i) {
    bool done = false;
    visit(i, [&](auto& c) {
      if constexpr (requires { c.core(); }) {
        auto& lock = c.core()->lock_;
        lock.lock();
        switch (c.try_complete()) {
          case detail::poll_result::not_ready:
            lock.unlock();
            break;
          case detail::poll_result::done_locked:
            lock.unlock();
            done = true;
            break;
          case detail::poll_result::done_unlocked:
            done = true;
            break;
        }
      }
    });
    return done;
  }

  void collect_locks() {
    nlocks_ = 0;
    for_each_case([&](auto& c, std::size_t) {
      if constexpr (requires { c.core(); }) locks_[nlocks_++] = c.core();
    });
    std::sort(locks_.begin(), locks_.begin() + static_cast<std::ptrdiff_t>(nlocks_));
    nlocks_ = static_cast<std::size_t>(
        std::unique(locks_.begin(), locks_.begin() + static_cast<std::ptrdiff_t>(nlocks_)) -
        locks_.begin());
  }
  void lock_all() noexcept {
    for (std::size_t i = 0; i < nlocks_; ++i) locks_[i]->lock_.lock();
  }
  void unlock_all() noexcept {
    for (std::size_t i = nlocks_; i > 0; --i) locks_[i - 1]->lock_.unlock();
  }
  // Unlocks every channel but `done` (already unlocked by a successful channel operation).
  void unlock_all_but(detail::chan_core* done) noexcept {
    for (std::size_t i = nlocks_; i > 0; --i) {
      if (locks_[i - 1] != done) locks_[i - 1]->lock_.unlock();
    }
  }

  // Polls case i with every lock held. On success, every lock is released.
  bool poll_case(std::size_t i) {
    bool done = false;
    visit(i, [&](auto& c) {
      if constexpr (requires { c.core(); }) {
        switch (c.try_complete()) {
          case detail::poll_result::not_ready:
            break;
          case detail::poll_result::done_locked:
            unlock_all();
            done = true;
            break;
          case detail::poll_result::done_unlocked:
            unlock_all_but(c.core());
            done = true;
            break;
        }
      } else if (c.deadline_ <= clock::now()) {
        unlock_all();
        done = true;
      }
    });
    return done;
  }

  void enqueue_all() {
    for_each_case([&](auto& c, std::size_t i) {
      if constexpr (requires { c.core(); }) c.enqueue(&st_, static_cast<int>(i));
    });
  }
  void dequeue_all() noexcept {
    for_each_case([&](auto& c, std::size_t) {
      if constexpr (requires { c.core(); }) c.dequeue();
    });
  }
  void arm_timers() {
    for_each_case([&](auto& c, std::size_t i) {
      if constexpr (!requires { c.core(); }) {
        c.sel_ = &st_;
        c.case_ = static_cast<int>(i);
        c.kind_ = detail::timer_kind::select_case;
        c.owner_cancels_ = true;
        bool due = false;
        detail::select_arm_timer(&c, c.deadline_, due);
        c.armed_ = !due;
        if (due) detail::select_timer_fired(&c);
      }
    });
  }
  void disarm_timers() noexcept {
    for_each_case([&](auto& c, std::size_t) {
      if constexpr (!requires { c.core(); }) {
        if (c.armed_) detail::select_cancel_timer(&c);
      }
    });
  }
  void check_send_failure(std::size_t i) {
    visit(i, [&](auto& c) {
      if constexpr (requires { c.core(); }) {
        if constexpr (std::is_void_v<typename std::decay_t<decltype(c)>::result_type>) {
          if (c.result_ == detail::wait_result::closed ||
              c.result_ == detail::wait_result::destroyed) {
            detail::throw_wait_result(c.result_, *c.core(), true);
          }
        } else if (c.result_ == detail::wait_result::destroyed) {
          detail::throw_wait_result(c.result_, *c.core(), false);
        }
      }
    });
  }

  template <class F>
  void for_each_case(F&& f) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (f(std::get<I>(cases_), I), ...);
    }
    (std::make_index_sequence<N>{});
  }
  template <class F>
  void visit(std::size_t i, F&& f) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((I == i ? (f(std::get<I>(cases_)), 0) : 0), ...);
    }
    (std::make_index_sequence<N>{});
  }

  std::tuple<detail::case_state<Cases>...> cases_;
  detail::select_state st_;
  detail::task_header* t_ = nullptr;
  std::array<detail::chan_core*, N> locks_{};
  std::size_t nlocks_ = 0;
  detail::select_cancel_node cancel_cb_;
  int fired_ = detail::select_state::k_none;
  bool queued_ = false;
};

// Waits until one case is ready and runs it.
template <class... Cases>
select_awaiter<false, std::decay_t<Cases>...> select(Cases&&... cs) {
  return select_awaiter<false, std::decay_t<Cases>...>(std::forward<Cases>(cs)...);
}
// Runs a ready case if there is one; never waits. index() == number of cases: none was ready.
template <class... Cases>
select_awaiter<true, std::decay_t<Cases>...> select_or_default(Cases&&... cs) {
  return select_awaiter<true, std::decay_t<Cases>...>(std::forward<Cases>(cs)...);
}

}  // namespace weft
