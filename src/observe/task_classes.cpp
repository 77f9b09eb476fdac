#include "observe/task_classes.hpp"

namespace weft::detail {

class_counters& class_table::at_other(const void* key) noexcept {
  auto& e = cache_[cache_index(key)];
  if (e.key != key || !e.c) {
    e.key = key;
    e.c = &lookup(key);
  }
  prev_key_ = last_key_;
  prev_ = last_;
  last_key_ = key;
  last_ = e.c;
  return *e.c;
}

class_counters& class_table::lookup(const void* key) noexcept {
  if (key == nullptr) {
    used_overflow_.store(true, std::memory_order_release);
    return overflow_;
  }
  // Fibonacci hashing of the record's address (its low bits are alignment, always zero).
  auto h =
      static_cast<std::size_t>((reinterpret_cast<std::uintptr_t>(key) * 0x9E3779B97F4A7C15ull) >>
                               (64 - std::countr_zero(k_slots)));
  for (std::size_t i = 0; i < k_slots; ++i) {
    auto& c = slots_[(h + i) & (k_slots - 1)];
    // relaxed: only this thread stores keys.
    auto* k = c.key.load(std::memory_order_relaxed);
    if (k == key) return c;
    if (k == nullptr) {
      // release: a reader that sees the key sees a slot whose counters are this class's.
      c.key.store(key, std::memory_order_release);
      return c;
    }
  }
  used_overflow_.store(true, std::memory_order_release);
  return overflow_;
}

}  // namespace weft::detail
