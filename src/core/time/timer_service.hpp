// The runtime's timers: the wheel behind a lock, plus the cached earliest expiration that busy
// workers poll without taking the lock. Firing calls each due timer's fire_ outside the lock,
// so a fire that schedules a task never holds up other timer operations.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <limits>
#include <mutex>

#include "core/time/timer_wheel.hpp"

namespace weft::detail {

class timer_service {
 public:
  using clock = std::chrono::steady_clock;
  static constexpr std::uint64_t k_never = std::numeric_limits<std::uint64_t>::max();

  timer_service() : wheel_(now_us()) {}

  // Microseconds on steady_clock's own epoch (see deadline_us in weft/time.hpp).
  static std::uint64_t now_us() noexcept {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(clock::now().time_since_epoch())
            .count());
  }
  // A deadline in those microseconds, rounded up so a timer never fires early.
  static std::uint64_t to_us(clock::time_point t) noexcept;

  enum class add_result { due, added, added_earliest };
  add_result add(timer_entry* e);
  // True if e was pending and is now removed (it will not fire).
  bool cancel(timer_entry* e);
  // Fires the timers due at now_us, up to about max of them (see timer_wheel::advance; the
  // rest stay due for the next call); returns how many fired.
  std::size_t fire_due(std::uint64_t now_us, std::size_t max = static_cast<std::size_t>(-1));

  // Lock-free hints for busy and parking workers; exactness is restored under the lock.
  bool maybe_due(std::uint64_t now_us) const noexcept {
    // relaxed: a stale value only delays the poll to the next tick or makes one poll useless.
    return next_.load(std::memory_order_relaxed) <= now_us;
  }
  std::uint64_t next_deadline() const noexcept { return next_.load(std::memory_order_acquire); }
  std::size_t pending() const noexcept { return pending_.load(std::memory_order_acquire); }
  void clear();

 private:
  void refresh_locked() noexcept;

  std::mutex m_;
  timer_wheel wheel_;                         // guarded by m_
  std::atomic<std::uint64_t> next_{k_never};  // written under m_
  std::atomic<std::size_t> pending_{0};       // written under m_
};

}  // namespace weft::detail
