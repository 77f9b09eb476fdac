// The scheduler's clock. Task runs are timed on every resumption, so the clock must cost a few
// nanoseconds: on x86-64 it is the TSC (invariant on every CPU we run on), converted to
// nanoseconds with a ratio calibrated once per process against steady_clock. Elsewhere it is
// steady_clock itself.
#pragma once

#include <chrono>
#include <cstdint>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace weft::detail {

inline std::uint64_t ticks() noexcept {
#if defined(__x86_64__)
  return __rdtsc();
#else
  return static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
#endif
}

// Nanoseconds per tick (1.0 where ticks are steady_clock nanoseconds).
double ns_per_tick() noexcept;

inline std::uint64_t ticks_to_ns(std::uint64_t t) noexcept {
  return static_cast<std::uint64_t>(static_cast<double>(t) * ns_per_tick());
}
inline std::uint64_t ns_to_ticks(std::uint64_t ns) noexcept {
  return static_cast<std::uint64_t>(static_cast<double>(ns) / ns_per_tick());
}

}  // namespace weft::detail
