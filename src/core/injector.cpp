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

task_header* injector::pop_batch(std::size_t n) noexcept {
  if (empty() || n == 0) return nullptr;
  std::lock_guard lock(m_);
  auto* first = head_;
  if (!first) return nullptr;
  auto* last = first;
  std::size_t taken = 1;
  while (taken < n && last->next_) {
    last = last->next_;
    ++taken;
  }
  head_ = last->next_;
  if (!head_) tail_ = nullptr;
  last->next_ = nullptr;
  len_.store(len_.load(std::memory_order_relaxed) - taken, std::memory_order_release);
  return first;
}

}  // namespace weft::detail
