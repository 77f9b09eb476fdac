// A pending timer, linked into the runtime's timer wheel. It lives inside the waiting
// coroutine's frame (the awaiter), so a sleep allocates nothing.
#pragma once

#include <atomic>
#include <cstdint>

namespace weft::detail {

// What an expired timer does. A kind byte rather than a function pointer: the entry sits in every
// sleeping task's frame, and the pointer's 8 bytes took that frame over an allocator size class.
enum class timer_kind : std::uint8_t {
  none,
  sleep,        // wakes the sleeping task (sleep_awaiter)
  select_case,  // completes a select's after() case
  deadline,     // cancels a with_timeout / with_deadline scope (cancel_scope)
};

struct timer_entry {
  timer_entry() = default;
  // Awaiters holding an entry may be moved (into a with_timeout frame, say) before they are
  // awaited; only an entry that was never armed is ever copied, so the links start empty.
  timer_entry(const timer_entry& o) noexcept
      : when_us_(o.when_us_), kind_(o.kind_), owner_cancels_(o.owner_cancels_) {}
  timer_entry& operator=(const timer_entry&) = delete;

  timer_entry* prev_ = nullptr;  // wheel slot list; guarded by the timer service lock
  timer_entry* next_ = nullptr;
  std::uint64_t when_us_ = 0;  // deadline, microseconds on the runtime's clock
  timer_kind kind_ = timer_kind::none;
  std::uint8_t level_ = 0;
  std::uint8_t slot_ = 0;
  bool linked_ = false;
  // Set by owners that cancel the timer before it goes away even after it may have fired (a
  // select's timeout, with_timeout): the service then marks the entry while it fires, and
  // cancel() waits for that to finish, so the entry is never freed under a running handler.
  bool owner_cancels_ = false;
  std::atomic<bool> firing_{false};
};

// The handlers, by kind (sleep.cpp, select.cpp, cancel_scope.cpp), and the dispatch the timer
// service calls for each expired entry (timer_service.cpp).
void sleep_fired(timer_entry* e) noexcept;
void select_timer_fired(timer_entry* e) noexcept;
void deadline_fired(timer_entry* e) noexcept;
void fire_timer(timer_entry* e) noexcept;

}  // namespace weft::detail
