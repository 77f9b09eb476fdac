// A worker's fork-join deque (Chase-Lev, in the C11 formulation of Lê et al., PPoPP 2013): the
// owner pushes and pops children at the bottom, so a task tree runs depth-first and its memory
// stays proportional to depth; thieves take from the top, the oldest and so the largest subtree.
// That is what makes fork-join cheap (oneTBB and Cilk do the same). Tasks that are *woken*
// rather than forked go to the FIFO run_queue instead, so waiting tasks are served fairly.
//
// Bounded: when full, push fails and the caller sends the task to the injector.
// The two seq_cst pairs (bottom store / top load in pop, top load / bottom load in steal) are
// the Dekker handshake that decides the race for the last element; they are seq_cst operations
// rather than fences so ThreadSanitizer can follow them.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

#include "core/run_queue.hpp"
#include "weft/detail/task_header.hpp"

namespace weft::detail {

class fork_deque {
 public:
  static constexpr std::int64_t k_capacity = 4096;  // depth * branching of any sane fork tree
  static constexpr std::int64_t k_mask = k_capacity - 1;

  // Owner only. False when full.
  bool push(task_header* t) noexcept {
    auto b = bottom_.load(std::memory_order_relaxed);
    // acquire: pairs with the CAS in steal(); a slot thieves moved past may be reused.
    auto t0 = top_.load(std::memory_order_acquire);
    if (b - t0 >= k_capacity) return false;
    slots_[static_cast<std::size_t>(b & k_mask)].store(t, std::memory_order_relaxed);
    // release: publishes the slot and the task's fields; pairs with the acquire in steal().
    bottom_.store(b + 1, std::memory_order_release);
    return true;
  }

  // Owner only: the newest task.
  task_header* pop() noexcept {
    auto b = bottom_.load(std::memory_order_relaxed) - 1;
    bottom_.store(b, std::memory_order_seq_cst);
    auto t = top_.load(std::memory_order_seq_cst);
    if (t > b) {
      bottom_.store(b + 1, std::memory_order_relaxed);
      return nullptr;
    }
    auto* x = slots_[static_cast<std::size_t>(b & k_mask)].load(std::memory_order_relaxed);
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

  // Any thread: the oldest task.
  task_header* steal(steal_result& why) noexcept {
    auto t = top_.load(std::memory_order_seq_cst);
    auto b = bottom_.load(std::memory_order_seq_cst);
    if (t >= b) {
      why = steal_result::empty;
      return nullptr;
    }
    auto* x = slots_[static_cast<std::size_t>(t & k_mask)].load(std::memory_order_relaxed);
    if (!top_.compare_exchange_strong(t, t + 1, std::memory_order_seq_cst,
                                      std::memory_order_relaxed)) {
      why = steal_result::retry;
      return nullptr;
    }
    why = steal_result::stolen;
    return x;
  }

  bool empty() const noexcept {
    return top_.load(std::memory_order_acquire) >= bottom_.load(std::memory_order_acquire);
  }
  std::int64_t size() const noexcept {
    auto n = bottom_.load(std::memory_order_acquire) - top_.load(std::memory_order_acquire);
    return n > 0 ? n : 0;
  }

 private:
  alignas(64) std::atomic<std::int64_t> top_{0};
  alignas(64) std::atomic<std::int64_t> bottom_{0};
  alignas(64) std::array<std::atomic<task_header*>, k_capacity> slots_{};
};

}  // namespace weft::detail
