// A pending timer, linked into the runtime's timer wheel. It lives inside the waiting
// coroutine's frame (the awaiter), so a sleep allocates nothing.
#pragma once

#include <cstdint>

namespace weft::detail {

struct timer_entry {
  timer_entry* prev_ = nullptr;  // wheel slot list; guarded by the timer service lock
  timer_entry* next_ = nullptr;
  std::uint64_t when_us_ = 0;  // deadline, microseconds on the runtime's clock
  void (*fire_)(timer_entry*) = nullptr;
  std::uint8_t level_ = 0;
  std::uint8_t slot_ = 0;
  bool linked_ = false;
};

}  // namespace weft::detail
