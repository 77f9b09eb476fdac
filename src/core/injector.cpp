#include "core/injector.hpp"

namespace weft::detail {

void injector::push(task_header* t) noexcept {
  t->next_ = nullptr;
  push_batch(t, t, 1);
}

void injector::push_batch(task_header* first, task_header* last, std::size_t n) noexcept {
  std::lock_guard lock(m_);
  if (tail_) {
    tail_->next_ = first;
  } else {
    head_ = first;
  }
  tail_ = last;
  len_.store(len_.load(std::memory_order_relaxed) + n, std::memory_order_release);
}

task_header* injector::pop() noexcept {
  if (empty()) return nullptr;
  std::lock_guard lock(m_);
  auto* t = head_;
  if (!t) return nullptr;
  head_ = t->next_;
  if (!head_) tail_ = nullptr;
  t->next_ = nullptr;
  len_.store(len_.load(std::memory_order_relaxed) - 1, std::memory_order_release);
  return t;
}

}  // namespace weft::detail

namespace weft::detail {

task_header* injector::pop_batch(std::size_t n, bool& put_back) noexcept {
  put_back = false;
  if (empty() || n == 0) return nullptr;
  // Take the whole list in O(1) and cut it outside the lock: the list's tasks are usually cold
  // (a mass wake-up overflowing from another worker's queue), and walking n of them under the
  // lock held every pusher for n cache misses, long enough that they slept on the futex.
  task_header* first = nullptr;
  task_header* last = nullptr;
  std::size_t taken = 0;
  {
    std::lock_guard lock(m_);
    first = head_;
    if (!first) return nullptr;
    last = tail_;
    taken = len_.load(std::memory_order_relaxed);
    head_ = tail_ = nullptr;
    len_.store(0, std::memory_order_release);
  }
  if (taken <= n) return first;
  auto* cut = first;
  for (std::size_t i = 1; i < n; ++i) cut = cut->next_;
  auto* rest = cut->next_;
  cut->next_ = nullptr;
  {
    // The rest goes back in front of whatever was pushed meanwhile, keeping the order.
    std::lock_guard lock(m_);
    last->next_ = head_;
    if (!head_) tail_ = last;
    head_ = rest;
    len_.store(len_.load(std::memory_order_relaxed) + (taken - n), std::memory_order_release);
  }
  put_back = true;
  return first;
}

}  // namespace weft::detail
