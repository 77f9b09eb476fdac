#include "core/clock.hpp"

#include <algorithm>
#include <thread>

#include "weft/observe.hpp"

namespace weft::detail {

namespace {
double calibrate() noexcept {
#if defined(__x86_64__)
  // 2 ms against steady_clock gives the ratio to better than 0.1%; it runs once per process.
  using sc = std::chrono::steady_clock;
  auto t0 = sc::now();
  auto c0 = ticks();
  while (sc::now() - t0 < std::chrono::milliseconds(2)) std::this_thread::yield();
  auto c1 = ticks();
  auto t1 = sc::now();
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count();
  return c1 > c0 ? static_cast<double>(ns) / static_cast<double>(c1 - c0) : 1.0;
#else
  return 1.0;
#endif
}
}  // namespace

double ns_per_tick() noexcept {
  static const double ratio = calibrate();
  return ratio;
}

}  // namespace weft::detail

namespace weft::metrics {

double clock_read_ns() {
  static const double cost = [] {
    // The fastest of a few rounds: the floor, as the runtime pays it in a tight loop.
    using sc = std::chrono::steady_clock;
    // Paid once per process when the first runtime starts (the workers size their sampling
    // with it): 5 x 4000 readings, about a quarter of a millisecond at 12 ns a reading.
    constexpr int k_reads = 4000;
    double best = 1e9;
    for (int round = 0; round < 5; ++round) {
      std::uint64_t sink = 0;
      auto t0 = sc::now();
      for (int i = 0; i < k_reads; ++i) sink += detail::ticks();
      auto ns = std::chrono::duration<double, std::nano>(sc::now() - t0).count();
      // The sum is used so the loop cannot be dropped; it is never 1 in practice.
      if (sink == 1) ns += 1;
      best = std::min(best, ns / k_reads);
    }
    return best;
  }();
  return cost;
}

}  // namespace weft::metrics
