// A worker's local FIFO run queue: a bounded ring that its owner pushes to and pops from without
// locks, and that other workers steal half of at once (Tokio's multi-thread queue design).
//
// Encoding: head_ packs two 32-bit indices, (steal << 32) | real. `real` is the next slot the
// owner pops; `steal` trails it while a stealer copies a claimed batch out. steal == real means
// no steal is in progress. tail_ is written only by the owner. Indices grow forever and wrap
// modulo 2^32; slots are index & k_mask.
//
// Invariants:
//   1. tail - steal <= k_capacity: slots claimed by an in-flight stealer are not reused.
//   2. Only one stealer at a time (a stealer backs off if steal != real).
//   3. The owner's pops only advance `real`; a stealer's claim advances `real` to claim, then
//      `steal` to release.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

#include "weft/detail/task_header.hpp"

namespace weft::detail {

class injector;

enum class steal_result : std::uint8_t { empty, retry, stolen };

class run_queue {
 public:
  static constexpr std::uint32_t k_capacity = 256;  // Tokio's and Go's size; a power of two
  static constexpr std::uint32_t k_mask = k_capacity - 1;

  // Owner only. When full, moves half of the queue plus `t` to the injector; returns true then,
  // so the caller can count the overflow.
  bool push_back(task_header* t, injector& overflow) noexcept;
  // Owner only.
  task_header* pop() noexcept;
  // Any thread but the owner of `this`; `dst` must be owned by the caller. Moves about half of
  // this queue into dst and returns one of the tasks to run now.
  task_header* steal_into(run_queue& dst, steal_result& why) noexcept;

  bool empty() const noexcept;
  std::uint32_t size() const noexcept;

 private:
  static constexpr std::uint64_t pack(std::uint32_t steal, std::uint32_t real) noexcept {
    return (std::uint64_t{steal} << 32) | real;
  }
  static constexpr std::uint32_t steal_of(std::uint64_t h) noexcept {
    return static_cast<std::uint32_t>(h >> 32);
  }
  static constexpr std::uint32_t real_of(std::uint64_t h) noexcept {
    return static_cast<std::uint32_t>(h);
  }
  bool push_overflow(task_header* t, std::uint32_t head, std::uint32_t tail,
                     injector& overflow) noexcept;
  std::uint32_t steal_batch(run_queue& dst, std::uint32_t dst_tail, steal_result& why) noexcept;

  alignas(64) std::atomic<std::uint64_t> head_{0};
  alignas(64) std::atomic<std::uint32_t> tail_{0};
  // Slots are atomics only so that a stealer's read of a slot the owner may be rewriting is not
  // a data race; invariant 1 guarantees the value read is the one claimed.
  alignas(64) std::array<std::atomic<task_header*>, k_capacity> slots_{};
};

}  // namespace weft::detail
