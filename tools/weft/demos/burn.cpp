#include "demos/burn.hpp"

#include <algorithm>
#include <chrono>

namespace weft_demos {

namespace {
// Set once by calibrate() before any runtime starts, read-only afterwards.
double g_iters_per_ns = 0.5;
// Each thread folds its results into its own sink: a thread_local is free of sharing, so keep()
// adds no coherency traffic of its own; volatile makes the store, and so the work, observable.
thread_local volatile std::uint64_t t_sink = 0;

std::uint64_t spin(std::uint64_t iters, std::uint64_t seed) noexcept {
  std::uint64_t x = seed | 1;
  for (std::uint64_t i = 0; i < iters; ++i) x = x * 6364136223846793005ULL + 1442695040888963407ULL;
  return x;
}
}  // namespace

void calibrate() {
  constexpr std::uint64_t k_iters = 1'000'000;
  double best_ns = 1e18;
  for (int i = 0; i < 3; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    keep(spin(k_iters, static_cast<std::uint64_t>(i)));
    auto t1 = std::chrono::steady_clock::now();
    best_ns = std::min(best_ns, std::chrono::duration<double, std::nano>(t1 - t0).count());
  }
  g_iters_per_ns = static_cast<double>(k_iters) / best_ns;
}

std::uint64_t burn_ns(double ns) {
  auto iters = static_cast<std::uint64_t>(std::max(1.0, ns * g_iters_per_ns));
  return spin(iters, iters);
}

void keep(std::uint64_t v) noexcept {
  t_sink = t_sink + v;
}

}  // namespace weft_demos
