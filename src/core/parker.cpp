#include "core/parker.hpp"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>

namespace weft::detail {

namespace {
void futex_wait(std::atomic<std::uint32_t>* word, std::uint32_t expected,
                std::uint64_t timeout_ns) noexcept {
  timespec ts{};
  timespec* tsp = nullptr;
  if (timeout_ns) {
    ts.tv_sec = static_cast<time_t>(timeout_ns / 1'000'000'000);
    ts.tv_nsec = static_cast<long>(timeout_ns % 1'000'000'000);
    tsp = &ts;
  }
  // std::atomic<uint32_t> has the layout of uint32_t, which is what the futex call reads.
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(word), FUTEX_WAIT_PRIVATE, expected, tsp,
          nullptr, 0);
}
void futex_wake(std::atomic<std::uint32_t>* word) noexcept {
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(word), FUTEX_WAKE_PRIVATE, 1, nullptr,
          nullptr, 0);
}
}  // namespace

bool parker::park(std::uint64_t timeout_ns) noexcept {
  for (;;) {
    // acquire: pairs with the release in unpark(); what the waker wrote before waking is visible.
    std::uint32_t expected = k_empty;
    if (!state_.compare_exchange_strong(expected, k_sleeping, std::memory_order_acquire)) {
      state_.store(k_empty, std::memory_order_relaxed);  // it was k_notified: consume it
      return true;
    }
    futex_wait(&state_, k_sleeping, timeout_ns);
    if (state_.exchange(k_empty, std::memory_order_acquire) == k_notified) return true;
    if (timeout_ns) return false;  // timed out (or spurious: the caller re-checks its state)
  }
}

void parker::unpark() noexcept {
  // release: pairs with the acquire in park(). The syscall only when the worker really sleeps.
  if (state_.exchange(k_notified, std::memory_order_release) == k_sleeping) futex_wake(&state_);
}

}  // namespace weft::detail
