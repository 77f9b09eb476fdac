#include "core/clock.hpp"

#include <thread>

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
