// weft::chan<T>: Go's channels for tasks. Capacity 0 is a rendezvous (a sender waits for a
// receiver); otherwise a bounded ring. A waiting receiver is handed the value directly and
// woken into the sender's worker's LIFO slot, so a hand-off runs next, cache-hot.
//
// Guarantees (see docs/guide.md, "Channels"):
//   * nothing lost: a value sent is received exactly once, or is still buffered when the
//     channel is destroyed; a send that throws (closed, cancelled) did not deliver;
//   * recv() yields nullopt only once the channel is closed and drained;
//   * misuse is typed: send on a closed channel throws channel_closed, closing twice throws
//     usage_error, a channel destroyed under waiting tasks wakes them with channel_closed; a
//     capacity over 2^32 - 1 throws usage_error.
#pragma once

#include <coroutine>
#include <cstddef>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <utility>

#include "weft/detail/chan_core.hpp"
#include "weft/errors.hpp"

namespace weft {

template <class T>
class chan;

namespace detail {
template <class T>
struct recv_case {
  chan<T>* c_;
};
template <class T>
struct send_case {
  chan<T>* c_;
  T value_;
};
template <class C>
struct case_state;

[[noreturn]] void throw_wait_result(wait_result r, const chan_core& c, bool sending);
task_header* require_task(const char* what);
bool runtime_shutting_down() noexcept;
}  // namespace detail

template <class T>
class chan {
 public:
  explicit chan(std::size_t capacity = 0, std::string name = "")
      : core_(capacity, std::move(name)),
        buf_(capacity ? std::allocator<T>().allocate(capacity) : nullptr) {}
  chan(const chan&) = delete;
  chan& operator=(const chan&) = delete;
  ~chan() {
    if (!detail::runtime_shutting_down()) {
      core_.lock_.lock();
      auto* list =
          core_.drain_locked(detail::wait_result::destroyed, detail::wait_result::destroyed);
      core_.lock_.unlock();
      detail::chan_core::wake_all(list);
    }
    for (std::uint32_t i = 0; i < core_.count_; ++i) std::destroy_at(at(i));
    if (buf_) std::allocator<T>().deallocate(buf_, core_.cap_);
  }

  class send_awaiter : public detail::chan_waiter {
   public:
    send_awaiter(chan* c, T v) : chan_waiter(lazy_t{}), c_(c), value_(std::move(v)) {}
    // The attempt is made here, under the channel's lock: a send that need not wait
    // completes without the task suspending at all (cheaper than an await_suspend() that
    // declines). If it must wait, the lock stays held for await_suspend(), which the coroutine
    // calls next with nothing in between, so a wait takes the lock once. Outside a task,
    // await_suspend() throws.
    bool await_ready() {
      auto* t = detail::current_task();
      if (!t) return false;
      auto& core = c_->core_;
      core.lock_.lock();
      if (core.closed_) {
        core.lock_.unlock();
        result_ = detail::wait_result::closed;
        return true;
      }
      if (!c_->offer_locked(value_)) return false;  // lock held: await_suspend() parks
      result_ = detail::wait_result::ok;
      yield_after_ = !detail::take_budget(t);
      return !yield_after_;
    }
    bool await_suspend(std::coroutine_handle<> h) {
      auto* t = detail::require_task("chan::send");
      if (yield_after_) return detail::spend_budget(h);  // done, but out of budget
      return c_->wait_locked(this, h, t, detail::wait_kind::chan_send, &value_, true);
    }
    void await_resume() {
      if (t_) c_->finish_wait(this);
      if (result_ != detail::wait_result::ok) detail::throw_wait_result(result_, c_->core_, true);
    }

   private:
    chan* c_;
    T value_;
  };

  class recv_awaiter : public detail::chan_waiter {
   public:
    explicit recv_awaiter(chan* c) : chan_waiter(lazy_t{}), c_(c) {}
    // As for send: the attempt here, the lock kept for await_suspend() if it must wait.
    bool await_ready() {
      auto* t = detail::current_task();
      if (!t) return false;
      auto& core = c_->core_;
      core.lock_.lock();
      if (c_->take_locked(value_)) {
        yield_after_ = !detail::take_budget(t);
        return !yield_after_;
      }
      if (core.closed_) {
        core.lock_.unlock();
        return true;  // closed and drained: nullopt
      }
      return false;  // lock held: await_suspend() parks
    }
    bool await_suspend(std::coroutine_handle<> h) {
      auto* t = detail::require_task("chan::recv");
      if (yield_after_) return detail::spend_budget(h);  // done, but out of budget
      return c_->wait_locked(this, h, t, detail::wait_kind::chan_recv, &value_, false);
    }
    std::optional<T> await_resume() {
      if (t_) c_->finish_wait(this);
      if (result_ == detail::wait_result::destroyed || result_ == detail::wait_result::cancelled) {
        detail::throw_wait_result(result_, c_->core_, false);
      }
      // Field by field, not `return std::move(value_)`: the value and the flag were just
      // written separately (emplace), and a whole-object copy of a small optional reads them
      // back in one 16-byte load, which cannot be forwarded from those stores and stalls
      // (~40% of a buffered receive's time on the local VM).
      if (!value_) return std::nullopt;
      return std::optional<T>(std::move(*value_));
    }

   private:
    chan* c_;
    std::optional<T> value_;
  };

  // co_await send(v): delivers v, waiting for room (or, unbuffered, for a receiver).
  [[nodiscard]] send_awaiter send(T v) { return send_awaiter(this, std::move(v)); }
  // co_await recv(): the next value, or nullopt once the channel is closed and drained.
  [[nodiscard]] recv_awaiter recv() { return recv_awaiter(this); }

  // Sends without waiting; false (v untouched) if that would wait. Throws on a closed channel.
  bool try_send(T&& v) { return try_send_impl(v); }
  bool try_send(const T& v) {
    T copy(v);
    return try_send_impl(copy);
  }
  // Receives without waiting; nullopt if nothing is ready (or the channel is closed).
  std::optional<T> try_recv() {
    std::optional<T> out;
    core_.lock_.lock();
    if (!take_locked(out)) core_.lock_.unlock();
    return out;
  }

  // No more sends. Waiting receivers get nullopt; waiting senders throw channel_closed;
  // buffered values stay to be received. Closing twice throws usage_error.
  void close() {
    core_.lock_.lock();
    try {
      core_.mark_closed_locked();
    } catch (...) {
      core_.lock_.unlock();
      throw;
    }
    auto* list = core_.drain_locked(detail::wait_result::closed, detail::wait_result::closed);
    core_.lock_.unlock();
    detail::chan_core::wake_all(list);
  }

  // Buffered values now (a snapshot: other tasks may change it at once).
  std::size_t size() const noexcept { return core_.count_snapshot(); }
  std::size_t capacity() const noexcept { return core_.cap_; }
  const std::string& name() const noexcept { return core_.site_.name_; }

  // Cases for weft::select.
  detail::recv_case<T> on_recv() noexcept { return {this}; }
  detail::send_case<T> on_send(T v) { return {this, std::move(v)}; }

 private:
  template <class C>
  friend struct detail::case_state;

  // The i-th buffered value (i < cap_). head_ < cap_ too, so one conditional subtraction wraps
  // the index: a modulo is a 64-bit division, tens of cycles on every send and receive.
  T* at(std::size_t i) noexcept {
    auto j = core_.head_ + i;
    return buf_ + (j >= core_.cap_ ? j - core_.cap_ : j);
  }

  // Lock held. Hands v to a waiting receiver or buffers it; on success unlocks (and wakes the
  // receiver). False, lock still held, if the send must wait.
  bool offer_locked(T& v) {
    if (auto* r = core_.recvq_.pop_claimed()) {
      static_cast<std::optional<T>*>(r->slot_)->emplace(std::move(v));
      r->result_ = detail::wait_result::ok;
      core_.lock_.unlock();
      detail::wake_waiter(r);
      return true;
    }
    if (core_.count_ < core_.cap_) {
      std::construct_at(at(core_.count_), std::move(v));
      core_.set_count(core_.count_ + 1);
      core_.lock_.unlock();
      return true;
    }
    return false;
  }

  // Lock held. Takes the next value into out (from the buffer, refilled from a waiting sender,
  // or straight from a sender when unbuffered); on success unlocks. False, lock still held, if
  // nothing is ready.
  bool take_locked(std::optional<T>& out) {
    if (core_.count_ > 0) {
      auto* oldest = at(0);
      out.emplace(std::move(*oldest));
      std::destroy_at(oldest);
      core_.head_ = core_.head_ + 1 == core_.cap_ ? 0 : core_.head_ + 1;
      core_.set_count(core_.count_ - 1);
      if (auto* s = core_.sendq_.pop_claimed()) {
        std::construct_at(at(core_.count_), std::move(*static_cast<T*>(s->slot_)));
        core_.set_count(core_.count_ + 1);
        s->result_ = detail::wait_result::ok;
        core_.lock_.unlock();
        detail::wake_waiter(s);
        return true;
      }
      core_.lock_.unlock();
      return true;
    }
    if (auto* s = core_.sendq_.pop_claimed()) {
      out.emplace(std::move(*static_cast<T*>(s->slot_)));
      s->result_ = detail::wait_result::ok;
      core_.lock_.unlock();
      detail::wake_waiter(s);
      return true;
    }
    return false;
  }

  bool try_send_impl(T& v) {
    core_.lock_.lock();
    if (core_.closed_) {
      core_.lock_.unlock();
      detail::throw_wait_result(detail::wait_result::closed, core_, true);
    }
    if (offer_locked(v)) return true;
    core_.lock_.unlock();
    return false;
  }

  // Lock held: parks w on the send or receive queue (unlocks).
  bool wait_locked(detail::chan_waiter* w, std::coroutine_handle<> h, detail::task_header* t,
                   detail::wait_kind kind, void* slot, bool sending) {
    return detail::park_waiter_locked(w, core_.lock_, sending ? core_.sendq_ : core_.recvq_, h, t,
                                      kind, core_.site_.if_named(), slot);
  }
  void finish_wait(detail::chan_waiter* w) { detail::finish_parked_waiter(w); }

  detail::chan_core core_;
  T* buf_;
};

}  // namespace weft
