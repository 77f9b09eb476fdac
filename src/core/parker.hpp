// Puts one worker thread to sleep and wakes it: a futex word per worker. A wake that arrives
// before the sleep is remembered (the word stays "notified"), so no wake-up is lost.
#pragma once

#include <atomic>
#include <cstdint>

namespace weft::detail {

class parker {
 public:
  // Sleeps until unpark(), or until timeout_ns passes (0: no timeout). Returns true if woken by
  // unpark().
  bool park(std::uint64_t timeout_ns) noexcept;
  void unpark() noexcept;

 private:
  static constexpr std::uint32_t k_empty = 0;
  static constexpr std::uint32_t k_notified = 1;  // a wake arrived; the next park returns at once
  static constexpr std::uint32_t k_sleeping = 2;  // in the futex; unpark must make the syscall
  std::atomic<std::uint32_t> state_{k_empty};
};

}  // namespace weft::detail
