// A lock for critical sections of a few dozen instructions (channels, wait lists), where a
// futex round trip would cost more than the section. Spins with exponential backoff, then
// yields the thread, so a preempted holder does not stall the waiter for a whole time slice.
//
// Why backoff: under steady contention from two cores (a channel's producers and consumers on
// two workers), a waiter that retries at once pulls the lock's line (and the channel's, beside
// it) across on every release, so every acquisition pays a transfer. A waiter that keeps losing
// waits longer each time, and the holder's core gets runs of acquisitions with the lines
// already local. On the local VM: chan_mpmc at procs 2 went from ~155 to ~90 ns an item and
// select4 from ~296 to ~192. Spinning is bounded by k_spin_pauses in all (a PAUSE is ~20 ns
// there), then each retry yields.
#pragma once

#include <atomic>
#include <thread>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace weft::detail {

inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

class spin_lock {
 public:
  static constexpr int k_max_backoff = 512;   // pauses between two looks at the lock
  static constexpr int k_spin_pauses = 2048;  // in all, before each retry yields instead

  void lock() noexcept {
    int backoff = 1;
    int spent = 0;
    for (;;) {
      // acquire: pairs with the release in unlock(); the section's writes become visible.
      if (!locked_.exchange(true, std::memory_order_acquire)) return;
      while (locked_.load(std::memory_order_relaxed)) {
        if (spent < k_spin_pauses) {
          for (int i = 0; i < backoff; ++i) cpu_relax();
          spent += backoff;
          if (backoff < k_max_backoff) backoff *= 2;
        } else {
          std::this_thread::yield();
        }
      }
    }
  }
  bool try_lock() noexcept {
    return !locked_.load(std::memory_order_relaxed) &&
           !locked_.exchange(true, std::memory_order_acquire);
  }
  void unlock() noexcept { locked_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> locked_{false};
};

}  // namespace weft::detail
