// The sampling period rule (core/sampling.hpp): how many runs a worker lets pass between two
// timed ones, from what a timed run's clock readings cost and how long runs are.
#include "core/sampling.hpp"

#include <gtest/gtest.h>

#include <bit>

namespace {
using weft::detail::k_max_sample_period;
using weft::detail::k_min_sample_period;
using weft::detail::k_sample_cost_share;
using weft::detail::sample_period_for;

TEST(Sampling, ThePeriodIsAPowerOfTwoWithinItsBounds) {
  for (std::uint64_t cost : {0u, 1u, 40u, 1000u, 1'000'000u}) {
    for (std::uint64_t run : {0u, 1u, 50u, 5'000u, 10'000'000u}) {
      auto p = sample_period_for(cost, run);
      EXPECT_TRUE(std::has_single_bit(p)) << cost << " " << run;
      EXPECT_GE(p, k_min_sample_period) << cost << " " << run;
      EXPECT_LE(p, k_max_sample_period) << cost << " " << run;
    }
  }
}

TEST(Sampling, TheTimedRunsCostUnderTheirShareOfThePeriod) {
  // Wherever the bounds do not cut it short, two timed runs' readings cost at most
  // 1/k_sample_cost_share of the period's run time.
  for (std::uint64_t cost : {10u, 48u, 120u}) {
    for (std::uint64_t run : {100u, 400u, 2'000u, 8'000u}) {
      auto p = sample_period_for(cost, run);
      if (p == k_max_sample_period) continue;
      EXPECT_LE(2 * cost * k_sample_cost_share, p * run) << cost << " " << run;
      // And it is the shortest such power of two (or the minimum).
      if (p > k_min_sample_period) {
        EXPECT_GT(2 * cost * k_sample_cost_share, p / 2 * run);
      }
    }
  }
}

TEST(Sampling, ShortRunsAreSampledMoreSparselyThanLongOnes) {
  // fib(30)'s tasks on the local VM: 40 ns runs, readings worth 48 ns a timed run (in ns here).
  EXPECT_EQ(sample_period_for(48, 40), 512u);
  // Runs of a few hundred nanoseconds keep the shortest period.
  EXPECT_EQ(sample_period_for(48, 600), k_min_sample_period);
  // Nearly free runs, or a clock that costs as much as a run many times over: the longest.
  EXPECT_EQ(sample_period_for(48, 0), k_max_sample_period);
  EXPECT_EQ(sample_period_for(1'000, 40), k_max_sample_period);
  // The period never shrinks as runs get shorter.
  std::uint32_t last = 0;
  for (std::uint64_t run = 5'000; run > 0; run /= 2) {
    auto p = sample_period_for(48, run);
    EXPECT_GE(p, last) << run;
    last = p;
  }
}

}  // namespace
