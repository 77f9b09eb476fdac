#include "core/runtime_impl.hpp"
#include "sync/lock_graph.hpp"
#include "weft/chan.hpp"
#include "weft/sync.hpp"

namespace weft::detail {

sync_core::~sync_core() {
  if (runtime_shutting_down()) return;  // the waiters' frames are being destroyed too
  lock_.lock();
  chan_waiter* list = nullptr;
  chan_waiter** tail = &list;
  while (auto* w = q_.pop_claimed()) {
    orphan_waiter(w);
    w->wnext_ = nullptr;
    *tail = w;
    tail = &w->wnext_;
  }
  lock_.unlock();
  chan_core::wake_all(list);
}

bool sync_core::park_locked(chan_waiter* w, std::coroutine_handle<> h, wait_kind kind) {
  auto* t = require_task(site_.kind_);
  return park_waiter_locked(w, lock_, q_, h, t, kind, site_.if_named(), nullptr);
}

void sync_core::finish(chan_waiter* w, const char* what) {
  if (w->t_) finish_parked_waiter(w);
  if (w->result_ == wait_result::destroyed) {  // `this` is gone: touch nothing of it
    throw usage_error(std::string("weft: a sync object was destroyed while a task waited in ") +
                      what);
  }
  std::string which = site_.name_.empty() ? "" : " '" + site_.name_ + "'";
  switch (w->result_) {
    case wait_result::cancelled:
      throw cancelled(std::string("weft: ") + what + " on " + site_.kind_ + which + " cancelled");
    default:
      return;
  }
}

}  // namespace weft::detail

namespace weft {

// wait_group

void wait_group::add(std::int64_t n) {
  core_.lock_.lock();
  if (count_ + n < 0) {
    auto was = count_;
    core_.lock_.unlock();
    throw usage_error(
        "weft::wait_group" + (core_.site_.name_.empty() ? "" : " '" + core_.site_.name_ + "'") +
        ": counter would go negative (" + std::to_string(was) + " + " + std::to_string(n) + ")");
  }
  count_ += n;
  detail::chan_waiter* list = nullptr;
  if (count_ == 0) {
    detail::chan_waiter** tail = &list;
    while (auto* w = core_.q_.pop_claimed()) {
      w->result_ = detail::wait_result::ok;
      w->wnext_ = nullptr;
      *tail = w;
      tail = &w->wnext_;
    }
  }
  core_.lock_.unlock();
  detail::chan_core::wake_all(list);
}

std::int64_t wait_group::count() const noexcept {
  auto& l = const_cast<detail::spin_lock&>(core_.lock_);
  l.lock();
  auto c = count_;
  l.unlock();
  return c;
}

bool wait_group::awaiter::await_suspend(std::coroutine_handle<> h) {
  g_->core_.lock_.lock();
  if (g_->count_ == 0) {
    g_->core_.lock_.unlock();
    return false;
  }
  return g_->core_.park_locked(this, h, detail::wait_kind::wait_group);
}

void wait_group::awaiter::await_resume() {
  g_->core_.finish(this, "wait");
}

// mutex

bool mutex::lock_awaiter::await_suspend(std::coroutine_handle<> h) {
  auto* t = detail::require_task("mutex::lock");
  m_->core_.lock_.lock();
  if (!m_->locked_) {
    m_->locked_ = true;
    // release: pairs with the acquire in lock_graph_block().
    m_->owner_.store(t, std::memory_order_release);
    m_->core_.lock_.unlock();
    return detail::spend_budget(h);
  }
  // Slow path: would this wait close a cycle? (Lock order: the mutex's lock, then the graph's.)
  auto cycle = detail::lock_graph_block(t, {&m_->owner_, &m_->core_.site_.name_});
  if (!cycle.empty()) {
    m_->core_.lock_.unlock();
    throw deadlock_error(cycle);
  }
  blocked_ = true;
  return m_->core_.park_locked(this, h, detail::wait_kind::mutex);
}

mutex::guard mutex::lock_awaiter::await_resume() {
  if (blocked_) detail::lock_graph_unblock(detail::current_task());
  m_->core_.finish(this, "lock");
  return guard(m_);  // acquired, or handed to us by unlock()
}

mutex::guard mutex::try_lock() {
  core_.lock_.lock();
  bool got = !locked_;
  if (got) owner_.store(detail::current_task(), std::memory_order_release);
  locked_ = true;
  core_.lock_.unlock();
  return got ? guard(this) : guard();
}

void mutex::unlock() {
  core_.lock_.lock();
  if (!locked_) {
    core_.lock_.unlock();
    throw usage_error("weft::mutex" + (name().empty() ? "" : " '" + name() + "'") +
                      ": unlock of a mutex that is not locked");
  }
  if (auto* w = core_.q_.pop_claimed()) {
    // Hand-off: the mutex stays locked and now belongs to the longest waiter.
    owner_.store(w->t_, std::memory_order_release);
    w->result_ = detail::wait_result::ok;
    core_.lock_.unlock();
    detail::wake_waiter(w);
    return;
  }
  owner_.store(nullptr, std::memory_order_release);
  locked_ = false;
  core_.lock_.unlock();
}

// semaphore

bool semaphore::acquire_awaiter::await_suspend(std::coroutine_handle<> h) {
  s_->core_.lock_.lock();
  if (s_->count_ > 0 && s_->core_.q_.empty()) {
    --s_->count_;
    s_->core_.lock_.unlock();
    return detail::spend_budget(h);
  }
  return s_->core_.park_locked(this, h, detail::wait_kind::semaphore);
}

void semaphore::acquire_awaiter::await_resume() {
  s_->core_.finish(this, "acquire");
}

bool semaphore::try_acquire() {
  core_.lock_.lock();
  bool got = count_ > 0 && core_.q_.empty();
  if (got) --count_;
  core_.lock_.unlock();
  return got;
}

void semaphore::release(std::size_t n) {
  detail::chan_waiter* list = nullptr;
  detail::chan_waiter** tail = &list;
  core_.lock_.lock();
  for (; n > 0; --n) {
    auto* w = core_.q_.pop_claimed();
    if (!w) break;
    w->result_ = detail::wait_result::ok;  // the unit goes straight to the waiter
    w->wnext_ = nullptr;
    *tail = w;
    tail = &w->wnext_;
  }
  count_ += n;
  core_.lock_.unlock();
  detail::chan_core::wake_all(list);
}

std::size_t semaphore::available() const noexcept {
  auto& l = const_cast<detail::spin_lock&>(core_.lock_);
  l.lock();
  auto c = count_;
  l.unlock();
  return c;
}

}  // namespace weft
