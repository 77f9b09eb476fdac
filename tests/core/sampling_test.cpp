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
using weft::detail::sampled_estimate;

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

TEST(Sampling, OnlyTheSamplersPicksAreScaled) {
  // 1,000 runs: 10 timed by the sampler (latency 5 ticks each), 2 timed after a search (1,000
  // ticks each, stolen tasks that waited long), 988 untimed. The picks stand for the 998 runs
  // that are not exact; the two exact runs count once.
  const std::uint64_t exact = 2 * 1'000;
  const std::uint64_t total = exact + 10 * 5;
  EXPECT_DOUBLE_EQ(sampled_estimate(total, exact, 1'000, 12, 2), 2'000.0 + 50.0 * 998 / 10);
  // Scaling the whole sum (the estimate before) would have charged the untimed runs the
  // stolen tasks' wait: about 175,000 ticks instead of 6,990.
  EXPECT_GT(static_cast<double>(total) * 1'000 / 12,
            20 * sampled_estimate(total, exact, 1'000, 12, 2));
}

TEST(Sampling, WithNothingSampledTheEstimateIsTheSum) {
  // Every run timed: all of them exact, or (a worker that never sampled and never searched)
  // none of them picked.
  EXPECT_DOUBLE_EQ(sampled_estimate(700, 700, 7, 7, 7), 700.0);
  EXPECT_DOUBLE_EQ(sampled_estimate(700, 0, 7, 7, 0), 700.0);
  // No runs at all.
  EXPECT_DOUBLE_EQ(sampled_estimate(0, 0, 0, 0, 0), 0.0);
}

TEST(Sampling, ACounterReadBetweenItsTwoWritesDoesNotWrapAround) {
  // The exact part is written after the total: a reader between the two may see it ahead.
  EXPECT_DOUBLE_EQ(sampled_estimate(100, 150, 10, 4, 5), 100.0);
  EXPECT_GE(sampled_estimate(100, 90, 3, 4, 5), 0.0);
  EXPECT_LT(sampled_estimate(100, 90, 3, 4, 5), 1e6);
}

}  // namespace

TEST(Sampling, AStampOnTheEstimatedClockIsMappedOntoTheStretch) {
  using weft::detail::stretch_latency;
  // A stretch read from tick 1,000 to 11,000. The estimated clock ran slow: it put the end of
  // the stretch at 9,000, not 11,000. A task stamped by the stretch's last run (8,900 on the
  // estimate, 100 before its end) waited about 125 real ticks, not the 2,100 that the raw
  // difference from the reading says.
  EXPECT_EQ(stretch_latency(8'900, 11'000, 1'000, 9'000), 125u);
  // Stamped at the stretch's start, it waited the whole stretch, whatever the estimate.
  EXPECT_EQ(stretch_latency(1'000, 11'000, 1'000, 9'000), 10'000u);
  // Halfway on the estimate is halfway on the clock.
  EXPECT_EQ(stretch_latency(5'000, 11'000, 1'000, 9'000), 5'000u);
  // An estimate that ran fast maps back the same way.
  EXPECT_EQ(stretch_latency(12'000, 11'000, 1'000, 13'000), 833u);
}

TEST(Sampling, AReadingIsUsedAsItIs) {
  using weft::detail::stretch_latency;
  // Stamped before the stretch began (a reading: the task waited through all of it).
  EXPECT_EQ(stretch_latency(400, 11'000, 1'000, 9'000), 10'600u);
  // Past the estimate but before the clock: a reading on another worker.
  EXPECT_EQ(stretch_latency(10'000, 11'000, 1'000, 9'000), 1'000u);
  // Past both the estimate and the reading: no wait.
  EXPECT_EQ(stretch_latency(11'500, 11'000, 1'000, 11'200), 0u);
  // No stretch (every run timed): the difference of two readings.
  EXPECT_EQ(stretch_latency(4'000, 11'000, 0, 9'000), 7'000u);
  EXPECT_EQ(stretch_latency(12'000, 11'000, 0, 9'000), 0u);
}

TEST(Sampling, AStretchFarLongerThanItsEstimateIsNotMapped) {
  using weft::detail::stretch_latency;
  // The estimate put the stretch at 10,000 ticks and it took 100,000: a preemption or a long run
  // inside it. Mapped in proportion, a stamp 100 ticks before the estimated end would read as
  // 1,000; the estimated difference is kept instead.
  EXPECT_EQ(stretch_latency(10'900, 101'000, 1'000, 11'000), 100u);
  // Twice the estimate is still mapped.
  EXPECT_EQ(stretch_latency(10'900, 21'000, 1'000, 11'000), 200u);
}

TEST(Sampling, LongWaitsStandForNoOtherRuns) {
  using weft::detail::latency_estimate;
  // 1,000 runs: 400 long waits counted as they were (1,000 ticks each), 2 exact timed runs
  // (30 ticks each), 10 picks after a stretch (5 ticks each). The picks stand for the 598 runs
  // that are neither exact nor long.
  const std::uint64_t exact = 400 * 1'000 + 2 * 30;
  const std::uint64_t total = exact + 10 * 5;
  EXPECT_DOUBLE_EQ(latency_estimate(total, exact, 1'000, 400, 12, 2), exact + 50.0 * 598 / 10);
  // Left among the runs the picks stand for, the long waits would be counted twice over: once
  // as they were, once more at the picks' mean.
  EXPECT_GT(weft::detail::sampled_estimate(total, exact, 1'000, 12, 2),
            latency_estimate(total, exact, 1'000, 400, 12, 2) + 1'000.0);
  // No short samples: the long waits and the exact runs are the whole figure.
  EXPECT_DOUBLE_EQ(latency_estimate(exact, exact, 1'000, 998, 2, 2), static_cast<double>(exact));
}

TEST(Sampling, SampledWaitsStandForTheRunsThatAreNotExact) {
  using weft::detail::blocked_estimate;
  // 1,000 runs, 100 of them exact. Picks after a stretch: 6 in periods of 50 runs, 3 in
  // periods of 200 (their weights: 900 in all), and the 6 waited 10 ticks each (weighted:
  // 3,000 ticks). The weights cover the 900 runs that are not exact: the samples stand as
  // they are.
  EXPECT_DOUBLE_EQ(blocked_estimate(5'000, 3'000, 1'000, 100, 900), 8'000.0);
  // A search cut the last stretch short, so the weights cover 720 of those 900 runs: the
  // rest are read in the samples' proportion.
  EXPECT_DOUBLE_EQ(blocked_estimate(5'000, 3'000, 1'000, 100, 720), 5'000.0 + 3'000.0 * 900 / 720);
  // No picks: what was counted is all there is.
  EXPECT_DOUBLE_EQ(blocked_estimate(5'000, 0, 1'000, 1'000, 0), 5'000.0);
  // Read while a worker writes: exact runs ahead of runs, or a sample before its weight.
  EXPECT_DOUBLE_EQ(blocked_estimate(5'000, 0, 10, 12, 3), 5'000.0);
  EXPECT_DOUBLE_EQ(blocked_estimate(5'000, 7, 1'000, 100, 0), 5'007.0);
}

TEST(Sampling, SettledRunsKeepTheTimedRunsProportion) {
  using weft::detail::settled_run;
  // 500 untimed runs in 50,000 ticks; the timed runs measured 60 ticks a run and 40 a gap.
  // 500 runs and 501 gaps in that proportion: the runs took 30,000 / 50,040 of the stretch.
  EXPECT_EQ(settled_run(50'000, 500, 60, 40),
            static_cast<std::uint64_t>(50'000.0 * 30'000.0 / 50'040.0));
  // The VM's slow mode: the timed pair's readings and bookkeeping grow, the gap most, to about
  // an untimed run's whole step (100 ticks here). A mean gap per pick taken off the stretch
  // would leave nothing to the runs; the proportion still gives them over two fifths.
  EXPECT_GT(settled_run(50'000, 500, 75, 100), 50'000u * 2 / 5);
  // Nothing measured yet: no run time made up.
  EXPECT_EQ(settled_run(50'000, 500, 0, 0), 0u);
}
