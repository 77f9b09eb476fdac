// A worker's fork-join deque (Chase-Lev, in the C11 formulation of Lê et al., PPoPP 2013): the
// owner pushes and pops children at the bottom, so a task tree runs depth-first and its memory
// stays proportional to depth; thieves take from the top, the oldest and so the largest subtree.
// That is what makes fork-join cheap (oneTBB and Cilk do the same). Tasks that are *woken*
// rather than forked go to the FIFO run_queue instead, so waiting tasks are served fairly.
//
// Growable, as in the original Chase-Lev: a push into a full array copies the live range into
// one twice the size and publishes it; thieves that loaded the old array still read the same
// tasks from it (the owner never writes an old array again), so old arrays are kept until the
// deque is destroyed (together they are smaller than the current one). A loop that spawns a
// million children before it joins them (a flat fork) then costs one slot per child here,
// instead of spilling half the deque to the shared injector again and again, where every
// batch is a lock and a walk over cold task headers. Bounded at k_max_capacity (8 MiB of
// slots); past it push fails and the caller spills to the injector.
//
// The two seq_cst pairs (bottom store / top load in pop, top load / bottom load in steal) are
// the Dekker handshake that decides the race for the last element; they are seq_cst operations
// rather than fences so ThreadSanitizer can follow them.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/run_queue.hpp"
#include "weft/detail/task_header.hpp"

namespace weft::detail {

class fork_deque {
 public:
  static constexpr std::int64_t k_initial_capacity = 1024;
  static constexpr std::int64_t k_max_capacity = std::int64_t{1} << 20;

  fork_deque() { array_.store(new_array(k_initial_capacity), std::memory_order_relaxed); }
  fork_deque(const fork_deque&) = delete;
  fork_deque& operator=(const fork_deque&) = delete;

  // Owner only. False when full at the largest size.
  bool push(task_header* t) noexcept {
    auto b = bottom_.load(std::memory_order_relaxed);
    auto* a = array_.load(std::memory_order_relaxed);
    // top only grows, so a stale copy can only say "fuller than it is": read the real one only
    // then. Not reading it on every push keeps its cache line with the thieves, who write it.
    if (b - top_cache_ >= a->capacity) {
      // acquire: pairs with the CAS in steal(); a slot thieves moved past may be reused.
      top_cache_ = top_.load(std::memory_order_acquire);
      if (b - top_cache_ >= a->capacity) {
        a = grow(a, top_cache_, b);
        if (!a) return false;
      }
    }
    a->at(b).store(t, std::memory_order_relaxed);
    // release: publishes the slot and the task's fields; pairs with the acquire in steal().
    bottom_.store(b + 1, std::memory_order_release);
    return true;
  }

  // Owner only: the newest task.
  task_header* pop() noexcept {
    auto b = bottom_.load(std::memory_order_relaxed) - 1;
    auto* a = array_.load(std::memory_order_relaxed);
    bottom_.store(b, std::memory_order_seq_cst);
    auto t = top_.load(std::memory_order_seq_cst);
    if (t > b) {
      bottom_.store(b + 1, std::memory_order_relaxed);
      return nullptr;
    }
    auto* x = a->at(b).load(std::memory_order_relaxed);
    if (t == b) {
      // The last one: race the thieves for it.
      if (!top_.compare_exchange_strong(t, t + 1, std::memory_order_seq_cst,
                                        std::memory_order_relaxed)) {
        x = nullptr;
      }
      bottom_.store(b + 1, std::memory_order_relaxed);
    }
    return x;
  }

  // Owner only, when no other thread ever steals (a runtime of one worker): pop() without the
  // store-load fence that orders it against thieves, the one costly instruction of a pop.
  task_header* pop_alone() noexcept {
    auto b = bottom_.load(std::memory_order_relaxed) - 1;
    if (top_.load(std::memory_order_relaxed) > b) return nullptr;
    auto* x = array_.load(std::memory_order_relaxed)->at(b).load(std::memory_order_relaxed);
    bottom_.store(b, std::memory_order_relaxed);
    return x;
  }

  // Owner only: a hint for the task that pop() would return next (null if none seems left).
  // It may be stale (stolen meanwhile): only for prefetching, never to run.
  task_header* peek() const noexcept {
    auto b = bottom_.load(std::memory_order_relaxed);
    if (b <= top_cache_) return nullptr;  // top_cache_ never exceeds top_: empty for sure
    return array_.load(std::memory_order_relaxed)->at(b - 1).load(std::memory_order_relaxed);
  }

  // Owner only: pops the newest task if it is `expected` (a joiner taking back the child it
  // spawned last, to run it in place); null if it is not, or if a thief took it first. A slot
  // below top may hold a stale copy of `expected`, but then every slot was stolen and pop()
  // finds the deque empty.
  task_header* pop_if(task_header* expected, bool alone) noexcept {
    if (!expected || peek() != expected) return nullptr;
    return alone ? pop_alone() : pop();
  }

  // Any thread: the oldest task.
  task_header* steal(steal_result& why) noexcept {
    auto t = top_.load(std::memory_order_seq_cst);
    auto b = bottom_.load(std::memory_order_seq_cst);
    if (t >= b) {
      why = steal_result::empty;
      return nullptr;
    }
    // acquire: pairs with the release that published a grown array (and its copied slots).
    // Either array holds task t: the owner copied [top, bottom) when it grew.
    auto* a = array_.load(std::memory_order_acquire);
    auto* x = a->at(t).load(std::memory_order_relaxed);
    if (!top_.compare_exchange_strong(t, t + 1, std::memory_order_seq_cst,
                                      std::memory_order_relaxed)) {
      why = steal_result::retry;
      return nullptr;
    }
    why = steal_result::stolen;
    return x;
  }

  // The index of the oldest task (owner or thief): it moves on whenever the oldest is taken.
  // relaxed: a hint for the owner's fairness look (worker::oldest_fork_starved).
  std::int64_t top_index() const noexcept { return top_.load(std::memory_order_relaxed); }
  bool empty() const noexcept {
    return top_.load(std::memory_order_acquire) >= bottom_.load(std::memory_order_acquire);
  }
  std::int64_t size() const noexcept {
    auto n = bottom_.load(std::memory_order_acquire) - top_.load(std::memory_order_acquire);
    return n > 0 ? n : 0;
  }
  // The current array's size (owner only; for tests).
  std::int64_t capacity() const noexcept {
    return array_.load(std::memory_order_relaxed)->capacity;
  }

 private:
  struct array {
    std::int64_t capacity;
    std::unique_ptr<std::atomic<task_header*>[]> slots;
    std::atomic<task_header*>& at(std::int64_t i) noexcept {
      return slots[static_cast<std::size_t>(i & (capacity - 1))];
    }
  };
  array* new_array(std::int64_t capacity) {
    arrays_.push_back(std::make_unique<array>(
        array{capacity,
              std::make_unique<std::atomic<task_header*>[]>(static_cast<std::size_t>(capacity))}));
    return arrays_.back().get();
  }
  // Owner only, from push: copies [t, b) into an array twice the size and publishes it. Null
  // at the largest size, or when memory runs out (the caller spills to the injector).
  array* grow(array* old, std::int64_t t, std::int64_t b) noexcept {
    if (old->capacity >= k_max_capacity) return nullptr;
    array* a = nullptr;
    try {
      a = new_array(old->capacity * 2);
    } catch (...) {
      return nullptr;
    }
    for (auto i = t; i < b; ++i) {
      a->at(i).store(old->at(i).load(std::memory_order_relaxed), std::memory_order_relaxed);
    }
    // release: a thief that loads the new array sees the copied slots.
    array_.store(a, std::memory_order_release);
    return a;
  }

  alignas(64) std::atomic<std::int64_t> top_{0};
  alignas(64) std::atomic<std::int64_t> bottom_{0};
  std::int64_t top_cache_ = 0;  // owner only: top_ as last read (never above the real one)
  alignas(64) std::atomic<array*> array_{nullptr};
  std::vector<std::unique_ptr<array>> arrays_;  // owner only; every array ever used
};

}  // namespace weft::detail
