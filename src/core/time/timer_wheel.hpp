// A hierarchical timing wheel (Varghese & Lauck; the layout Tokio uses): 8 levels of 64 slots,
// level L's slots each spanning 64^L microseconds, so the wheel covers 2^48 us (~8.9 years) at
// microsecond resolution. Insert and remove are O(1); expiry is O(1) per timer plus at most one
// move per level as a timer cascades toward level 0. A million sleepers with the same deadline
// share one slot, which cascades as one list and is then taken a bounded batch at a time
// (advance's max_fired), so that several workers can fire it together.
//
// Invariant: a timer with deadline `when` sits at the level of the highest 6-bit digit in which
// `when` differs from `elapsed_`, in slot `(when >> 6*level) & 63`. Every timer in level L is
// due before any timer in level L+1. Not thread-safe: the timer service locks around it.
//
// A slot whose timers all share one deadline (a million sleepers waiting for the same instant)
// cascades as a whole: its list moves to the lower slot in one step, where moving each timer
// walked the list once per level, a cache miss per timer (3 of the 4 walks of a million sleepers
// waking at once: ~30 ms each locally, before any of them could run). For that, only the head of
// a slot's list is sure to know its level_ and slot_ (remove() hands them on to the next head);
// the others' may be stale, and nothing reads them.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "weft/detail/timer_entry.hpp"

namespace weft::detail {

class timer_wheel {
 public:
  static constexpr int k_levels = 8;
  static constexpr int k_slots = 64;

  explicit timer_wheel(std::uint64_t now_us = 0) noexcept : elapsed_(now_us) {}

  // Requires e->when_us_ > elapsed(): a timer already due is fired by the caller instead.
  void insert(timer_entry* e) noexcept;
  void remove(timer_entry* e) noexcept;
  // The earliest time at which some slot must be processed (a lower bound on the next
  // deadline), or nullopt when the wheel is empty.
  std::optional<std::uint64_t> next_expiration() const noexcept;
  // Advances to `now_us` and returns the timers that are due, in deadline order (to slot
  // resolution), linked through next_ and unlinked from the wheel; at most `max_fired` of them
  // when they come from a level-0 slot (one deadline, all due), where the rest stays in the
  // slot and elapsed() stays at its deadline, so the next call (here or on another worker)
  // takes them first. A slot above level 0 is always taken whole. An entry whose owner
  // cancels has firing_ set (relaxed: the caller's lock orders it; see timer_service::cancel).
  timer_entry* advance(std::uint64_t now_us,
                       std::size_t max_fired = static_cast<std::size_t>(-1)) noexcept;
  // Forgets every timer without touching them (shutdown: their frames are about to go).
  void clear() noexcept;

  std::uint64_t elapsed() const noexcept { return elapsed_; }
  std::size_t size() const noexcept { return count_; }
  bool empty() const noexcept { return count_ == 0; }

 private:
  struct level {
    std::uint64_t occupied = 0;  // bit s set <=> slots[s] is non-empty
    std::array<timer_entry*, k_slots> slots{};
    // The deadline every timer in the slot has, or k_mixed (set on insert; a removal does not
    // restore it: it only enables the whole-slot move).
    std::array<std::uint64_t, k_slots> same_when{};
  };
  static constexpr std::uint64_t k_mixed = ~std::uint64_t{0};
  struct place {
    int lvl;
    int slot;
  };
  place place_for(std::uint64_t when) const noexcept;
  // Makes the list `head` (every timer in it due at `when`, linked as it was) the list of slot
  // p, which must be empty; only the head is told its new level and slot.
  void put_list(timer_entry* head, place p, std::uint64_t when) noexcept;
  std::optional<std::uint64_t> next_expiration_at(int lvl) const noexcept;
  timer_entry* take_slot(int lvl, int slot) noexcept;

  std::uint64_t elapsed_;
  std::size_t count_ = 0;
  std::array<level, k_levels> levels_{};
};

}  // namespace weft::detail
