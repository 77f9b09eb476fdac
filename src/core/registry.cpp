#include "core/registry.hpp"

#include <new>

namespace weft::detail {

task_registry::task_registry(std::size_t shards) {
  shards_.reserve(shards);
  for (std::size_t i = 0; i < shards; ++i) shards_.push_back(std::make_unique<shard>());
  held_.resize(shards > 0 ? shards - 1 : 0);
  for (auto& row : held_) row.by_shard.resize(shards);
}

task_registry::~task_registry() = default;

std::uint32_t task_registry::take_free(shard& s) {
  if (s.free_head == k_none) {
    // acquire: pairs with the release CAS of foreign removers; their slot clears are visible.
    s.free_head = s.returned.exchange(k_none, std::memory_order_acquire);
  }
  if (s.free_head == k_none) {
    // Grow by a chunk; chunks never move, so foreign removers' slot pointers stay valid.
    auto c = std::make_unique<chunk>();
    for (std::uint32_t i = 0; i < k_chunk; ++i) {
      c->next[i].store(i + 1 < k_chunk ? s.capacity + i + 1 : k_none, std::memory_order_relaxed);
    }
    if (s.capacity / k_chunk >= k_max_chunks) std::terminate();  // 16M live tasks on one worker
    s.dir[s.capacity / k_chunk].store(c.get(), std::memory_order_release);
    {
      std::lock_guard g(s.grow_m);
      s.chunks.push_back(std::move(c));
    }
    s.free_head = s.capacity;
    s.capacity += k_chunk;
  }
  auto i = s.free_head;
  s.free_head = link(s, i).load(std::memory_order_relaxed);
  return i;
}

void task_registry::add(task_header* t, std::size_t sh) noexcept {
  auto& s = *shards_[sh];
  std::uint32_t i = 0;
  try {
    i = take_free(s);
  } catch (const std::bad_alloc&) {
    std::terminate();  // out of memory for a registry chunk: nothing sensible is left to do
  }
  t->shard_ = static_cast<std::uint16_t>(sh);
  t->slot_ = i;
  // release: a scan that sees the pointer sees the task's fields.
  slot(s, i).store(t, std::memory_order_release);
}

void task_registry::remove(task_header* t, int remover) noexcept {
  auto& s = *shards_[t->shard_];
  auto i = t->slot_;
  auto* c = chunk_of(s, i);
  c->slots[i % k_chunk].store(nullptr, std::memory_order_relaxed);
  auto& l = c->next[i % k_chunk];
  if (remover == static_cast<int>(t->shard_)) {
    l.store(s.free_head, std::memory_order_relaxed);
    s.free_head = i;
    return;
  }
  if (remover < 0 || static_cast<std::size_t>(remover) >= held_.size()) {
    push_returned(s, i, i);
    return;
  }
  // Chained here first; the chain's links are written by this thread only until the push
  // publishes them.
  auto& h = held_[static_cast<std::size_t>(remover)].by_shard[t->shard_];
  l.store(h.head, std::memory_order_relaxed);
  h.head = i;
  if (h.tail == k_none) h.tail = i;
  if (++h.count < k_return_batch) return;
  push_returned(s, h.head, h.tail);
  h = held_chain{};
}

void task_registry::push_returned(shard& s, std::uint32_t head, std::uint32_t tail) noexcept {
  auto& tail_link = link(s, tail);
  auto top = s.returned.load(std::memory_order_relaxed);
  do {
    tail_link.store(top, std::memory_order_relaxed);
    // release: publishes the links and the cleared slots to the owner's acquire exchange.
  } while (!s.returned.compare_exchange_weak(top, head, std::memory_order_release,
                                             std::memory_order_relaxed));
}

std::vector<task_header*> task_registry::take_all() {
  std::vector<task_header*> out;
  for_each([&](task_header* t) { out.push_back(t); });
  for (auto& s : shards_) {
    for (auto& c : s->chunks) {
      for (auto& sl : c->slots) sl.store(nullptr, std::memory_order_relaxed);
    }
  }
  return out;
}

std::size_t task_registry::size() {
  std::size_t n = 0;
  for_each([&](task_header*) { ++n; });
  return n;
}

}  // namespace weft::detail
