// The non-template parts of parallel_for / parallel_reduce: the grain heuristic.
#include <algorithm>
#include <chrono>
#include <cmath>

#include "weft/parallel.hpp"

namespace weft::detail {

std::uint64_t steady_ns() noexcept {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::steady_clock::now().time_since_epoch())
                                        .count());
}

std::size_t pick_grain(double ns_per_item, std::size_t remaining, int procs) noexcept {
  // 100 us a chunk: a fork + join costs a few hundred ns, so overhead stays under ~0.5%. What
  // decides it is not that overhead but what a chunk boundary costs a streaming loop (its
  // hardware prefetch starts over at the next chunk's cold memory): summing 100M integers at
  // procs 1 took 1.045x oneTBB's time with 25 us chunks, 1.021x with 50, 1.000x with 100
  // (7 interleaved rounds). Long loops only: short ones are cut finer for balance (below).
  constexpr double k_chunk_ns = 100'000;
  // Below 5 us a chunk, overhead would pass ~10%: balance is not worth that.
  constexpr double k_min_chunk_ns = 5'000;
  double per = std::max(ns_per_item, 0.1);
  auto grain = static_cast<std::size_t>(std::ceil(k_chunk_ns / per));
  auto balanced = remaining / (4 * static_cast<std::size_t>(std::max(procs, 1)));
  auto floor = static_cast<std::size_t>(std::ceil(k_min_chunk_ns / per));
  if (balanced < grain) grain = std::max(balanced, floor);
  return std::max<std::size_t>(grain, 1);
}

void throw_if_cancelled() {
  if (cancellation_requested()) throw cancelled("weft: parallel chunk cancelled");
}

}  // namespace weft::detail
