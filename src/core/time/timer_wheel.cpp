#include "core/time/timer_wheel.hpp"

#include <bit>

namespace weft::detail {

namespace {
constexpr int k_bits = 6;
constexpr std::uint64_t k_slot_mask = 63;
constexpr std::uint64_t k_max_span = (std::uint64_t{1} << (k_bits * timer_wheel::k_levels)) - 1;

int level_for(std::uint64_t elapsed, std::uint64_t when) noexcept {
  auto masked = (elapsed ^ when) | k_slot_mask;
  if (masked >= k_max_span) masked = k_max_span - 1;
  int significant = 63 - std::countl_zero(masked);
  return significant / k_bits;
}
constexpr std::uint64_t slot_range(int lvl) noexcept {
  return std::uint64_t{1} << (k_bits * lvl);
}
constexpr std::uint64_t level_range(int lvl) noexcept {
  return slot_range(lvl) << k_bits;
}
}  // namespace

timer_wheel::place timer_wheel::place_for(std::uint64_t when) const noexcept {
  // A deadline past the wheel's span is parked in the last level and cascades down later.
  if (when - elapsed_ > k_max_span) when = elapsed_ + k_max_span;
  int lvl = level_for(elapsed_, when);
  return {lvl, static_cast<int>((when >> (k_bits * lvl)) & k_slot_mask)};
}

void timer_wheel::insert(timer_entry* e) noexcept {
  auto p = place_for(e->when_us_);
  auto& l = levels_[static_cast<std::size_t>(p.lvl)];
  auto s = static_cast<std::size_t>(p.slot);
  auto*& head = l.slots[s];
  if (!head) {
    l.same_when[s] = e->when_us_;
  } else if (l.same_when[s] != e->when_us_) {
    l.same_when[s] = k_mixed;
  }
  e->prev_ = nullptr;
  e->next_ = head;
  if (head) head->prev_ = e;
  head = e;
  l.occupied |= std::uint64_t{1} << p.slot;
  e->level_ = static_cast<std::uint8_t>(p.lvl);
  e->slot_ = static_cast<std::uint8_t>(p.slot);
  e->linked_ = true;
  ++count_;
}

void timer_wheel::put_list(timer_entry* head, place p, std::uint64_t when) noexcept {
  auto& l = levels_[static_cast<std::size_t>(p.lvl)];
  auto s = static_cast<std::size_t>(p.slot);
  l.slots[s] = head;
  l.same_when[s] = when;
  l.occupied |= std::uint64_t{1} << p.slot;
  head->level_ = static_cast<std::uint8_t>(p.lvl);
  head->slot_ = static_cast<std::uint8_t>(p.slot);
}

void timer_wheel::remove(timer_entry* e) noexcept {
  if (!e->linked_) return;
  if (e->prev_) {
    // Not the head: its level_ and slot_ may be stale, and are not needed.
    e->prev_->next_ = e->next_;
    if (e->next_) e->next_->prev_ = e->prev_;
  } else {
    // The head, whose level_ and slot_ are right: the next one becomes head and learns them.
    auto& l = levels_[e->level_];
    auto*& head = l.slots[e->slot_];
    head = e->next_;
    if (head) {
      head->prev_ = nullptr;
      head->level_ = e->level_;
      head->slot_ = e->slot_;
    } else {
      l.occupied &= ~(std::uint64_t{1} << e->slot_);
    }
  }
  e->prev_ = e->next_ = nullptr;
  e->linked_ = false;
  --count_;
}

std::optional<std::uint64_t> timer_wheel::next_expiration_at(int lvl) const noexcept {
  const auto& l = levels_[static_cast<std::size_t>(lvl)];
  if (l.occupied == 0) return std::nullopt;
  auto now_slot = (elapsed_ >> (k_bits * lvl)) & k_slot_mask;
  auto rotated = std::rotr(l.occupied, static_cast<int>(now_slot));
  auto slot = (static_cast<std::uint64_t>(std::countr_zero(rotated)) + now_slot) & k_slot_mask;
  auto level_start = elapsed_ & ~(level_range(lvl) - 1);
  auto deadline = level_start + slot * slot_range(lvl);
  // Only the top level can hold a slot "behind" now (deadlines clamped to the wheel's span).
  if (deadline < elapsed_) deadline += level_range(lvl);
  return deadline;
}

std::optional<std::uint64_t> timer_wheel::next_expiration() const noexcept {
  if (count_ == 0) return std::nullopt;
  for (int lvl = 0; lvl < k_levels; ++lvl) {
    if (auto d = next_expiration_at(lvl)) return d;
  }
  return std::nullopt;
}

timer_entry* timer_wheel::take_slot(int lvl, int slot) noexcept {
  auto& l = levels_[static_cast<std::size_t>(lvl)];
  auto* list = l.slots[static_cast<std::size_t>(slot)];
  l.slots[static_cast<std::size_t>(slot)] = nullptr;
  l.occupied &= ~(std::uint64_t{1} << slot);
  return list;
}

timer_entry* timer_wheel::advance(std::uint64_t now_us, std::size_t max_fired) noexcept {
  // Due timers are appended, so slots fire in deadline order.
  timer_entry* fired = nullptr;
  timer_entry** fired_tail = &fired;
  std::size_t n_fired = 0;
  for (;;) {
    // Find the earliest occupied slot (lowest level first: its timers are due first).
    int lvl = 0;
    std::optional<std::uint64_t> exp;
    for (; lvl < k_levels; ++lvl) {
      if ((exp = next_expiration_at(lvl))) break;
    }
    if (!exp || *exp > now_us) break;
    if (*exp > elapsed_) elapsed_ = *exp;
    int slot = static_cast<int>((*exp >> (k_bits * lvl)) & k_slot_mask);
    auto when = levels_[static_cast<std::size_t>(lvl)].same_when[static_cast<std::size_t>(slot)];
    auto* e = take_slot(lvl, slot);
    if (when != k_mixed && when > elapsed_) {
      // One deadline, not due yet: the whole list goes to the slot that deadline maps to now,
      // a lower one (the digits above `lvl` now match elapsed_), in one step if that slot is
      // empty, as it is unless the deadline is past the wheel's span (a lower level holds
      // nothing at this point: the earliest slot is taken first, lowest level first).
      auto p = place_for(when);
      if (!levels_[static_cast<std::size_t>(p.lvl)].slots[static_cast<std::size_t>(p.slot)]) {
        put_list(e, p, when);
        continue;
      }
    }
    while (e) {
      auto* next = e->next_;
      e->linked_ = false;
      --count_;
      // Fire only what is due at the slot's own time; the rest cascades to lower levels and
      // fires in a later round of this loop, so a late advance still fires in deadline order.
      if (e->when_us_ <= elapsed_) {
        // Marked here, in the walk that unlinks it, not in a second walk over the fired list:
        // with a million due at once, each walk is a cache miss per timer.
        if (e->owner_cancels_) e->firing_.store(true, std::memory_order_relaxed);
        e->next_ = nullptr;
        *fired_tail = e;
        fired_tail = &e->next_;
        ++n_fired;
      } else {
        insert(e);  // cascades to a lower level, relative to the new elapsed_
      }
      e = next;
      if (e && lvl == 0 && n_fired >= max_fired) {
        // The rest of a level-0 slot: all due at elapsed_, the slot's own time. It goes back
        // as it was linked, and elapsed_ stays put (a later `now` would make the slot look a
        // whole turn away), so the slot is still the earliest and due.
        e->prev_ = nullptr;
        put_list(e, {0, slot}, elapsed_);
        return fired;
      }
    }
  }
  if (now_us > elapsed_) elapsed_ = now_us;
  return fired;
}

void timer_wheel::clear() noexcept {
  levels_ = {};
  count_ = 0;
}

}  // namespace weft::detail
