#include "core/registry.hpp"

#include <mutex>

namespace weft::detail {

task_registry::task_registry(std::size_t shards) {
  shards_.reserve(shards);
  for (std::size_t i = 0; i < shards; ++i) shards_.push_back(std::make_unique<shard>());
}

void task_registry::add(task_header* t, std::size_t s) noexcept {
  auto& sh = *shards_[s];
  t->shard_ = static_cast<std::uint16_t>(s);
  std::lock_guard g(sh.lock);
  t->live_prev_ = nullptr;
  t->live_next_ = sh.head;
  if (sh.head) sh.head->live_prev_ = t;
  sh.head = t;
  ++sh.count;
}

void task_registry::remove(task_header* t) noexcept {
  auto& sh = *shards_[t->shard_];
  std::lock_guard g(sh.lock);
  if (t->live_prev_) {
    t->live_prev_->live_next_ = t->live_next_;
  } else {
    sh.head = t->live_next_;
  }
  if (t->live_next_) t->live_next_->live_prev_ = t->live_prev_;
  t->live_prev_ = t->live_next_ = nullptr;
  --sh.count;
}

std::vector<task_header*> task_registry::take_all() {
  std::vector<task_header*> out;
  for (auto& s : shards_) {
    std::lock_guard g(s->lock);
    for (auto* t = s->head; t;) {
      auto* next = t->live_next_;
      t->live_prev_ = t->live_next_ = nullptr;
      out.push_back(t);
      t = next;
    }
    s->head = nullptr;
    s->count = 0;
  }
  return out;
}

std::size_t task_registry::size() {
  std::size_t n = 0;
  for (auto& s : shards_) {
    std::lock_guard g(s->lock);
    n += s->count;
  }
  return n;
}

}  // namespace weft::detail
