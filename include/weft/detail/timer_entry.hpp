// A pending timer, linked into the runtime's timer wheel. It lives inside the waiting
// coroutine's frame (the awaiter), so a sleep allocates nothing.
#pragma once

#include <atomic>
#include <cstdint>

namespace weft::detail {

struct timer_entry {
  timer_entry() = default;
  // Awaiters holding an entry may be moved (into a with_timeout frame, say) before they are
  // awaited; only an entry that was never armed is ever copied, so the links start empty.
  timer_entry(const timer_entry& o) noexcept
      : when_us_(o.when_us_), fire_(o.fire_), owner_cancels_(o.owner_cancels_) {}
  timer_entry& operator=(const timer_entry&) = delete;

  timer_entry* prev_ = nullptr;  // wheel slot list; guarded by the timer service lock
  timer_entry* next_ = nullptr;
  std::uint64_t when_us_ = 0;  // deadline, microseconds on the runtime's clock
  void (*fire_)(timer_entry*) = nullptr;
  std::uint8_t level_ = 0;
  std::uint8_t slot_ = 0;
  bool linked_ = false;
  // Set by owners that cancel the timer before it goes away even after it may have fired (a
  // select's timeout, with_timeout): the service then marks the entry while its fire_ runs, and
  // cancel() waits for that to finish, so the entry is never freed under a running fire_.
  bool owner_cancels_ = false;
  std::atomic<bool> firing_{false};
};

}  // namespace weft::detail
