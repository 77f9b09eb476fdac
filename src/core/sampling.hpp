// The sampling period of a worker's run timing (worker::begin_timed_run). While runs are short, a
// worker times two runs a period and only counts the others; the period is the shortest power of
// two in [k_min_sample_period, k_max_sample_period] over which those two timed runs' clock
// readings cost under 1/k_sample_cost_share of the period's run time. A plain function of two
// measured figures, so the rule is tested on its own (tests/core/sampling_test.cpp).
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>

namespace weft::detail {

inline constexpr std::uint32_t k_min_sample_period = 32;
inline constexpr std::uint32_t k_max_sample_period = 1024;
inline constexpr std::uint64_t k_sample_cost_share = 200;

// timed_cost: what one timed run's readings cost; mean_run: the mean run length (both in
// ticks). A fixed period of 32 cost fib(30) (40 ns tasks, 12 ns clock readings on the local
// VM) 3% of its time in readings; the 512 this rule gives it costs under half a percent, and
// the mean run is still read from thousands of timed runs a second. Runs of a few hundred
// nanoseconds keep 32.
constexpr std::uint32_t sample_period_for(std::uint64_t timed_cost, std::uint64_t mean_run) {
#ifdef WEFT_SAMPLE_PERIOD
  static_assert(WEFT_SAMPLE_PERIOD == 0 || std::has_single_bit(unsigned{WEFT_SAMPLE_PERIOD}),
                "WEFT_SAMPLE_PERIOD: a power of two (the countdowns mask by it)");
  // For instruction counts under callgrind (bench/README.md), where a clock reading is cheap
  // beside the slowed runs and the rule would give every program the shortest period: the
  // period a native run would take, fixed.
  if (WEFT_SAMPLE_PERIOD > 0) return WEFT_SAMPLE_PERIOD;
#endif
  auto run = std::max<std::uint64_t>(mean_run, 1);
  auto want = (2 * k_sample_cost_share * timed_cost + run - 1) / run;  // rounded up
  want = std::clamp<std::uint64_t>(want, k_min_sample_period, k_max_sample_period);
  return static_cast<std::uint32_t>(std::bit_ceil(want));
}

// A figure read on timed runs only (run time, scheduling latency, blocked time), estimated for
// all `runs`. The timed runs are of two kinds. The sampler's picks stand for the untimed runs
// around them: each is weighted by the runs of its period, and their part is scaled to the
// runs that are not exact in proportion to those weights (the weights alone would miss the
// runs of stretches that a search or park cut short). Weighted, because the period follows the
// run length (32 to 1024 runs): a pick of a phase of longer runs stands for fewer runs than
// one of shorter runs, and with one ratio for the whole run, runs over picks, a phase of
// 300 ns runs read five times too much latency beside a phase of 25 ns runs. The others stand
// for themselves: every run while not sampling, and the first run after a search or park,
// which is not a random pick (a stolen task is the oldest in its deque, so it has waited
// longest: scaled, at procs 2 one fork-join benchmark's latency read 8,000 s in a half-second
// run). Their part is counted as it is. `total`: the exact part and the picks' weighted
// samples; `exact`, `exact_runs`: the exact part and runs; `timed`: the exact runs plus the
// picks' weights. The counters are read while workers write them, exact after total: a pair
// read between the two writes may have exact ahead of total, hence the clamps.
constexpr double sampled_estimate(std::uint64_t total, std::uint64_t exact, std::uint64_t runs,
                                  std::uint64_t timed, std::uint64_t exact_runs) {
  auto picked_part = total > exact ? total - exact : 0;
  auto picks = timed > exact_runs ? timed - exact_runs : 0;
  auto stood_for = runs > exact_runs ? runs - exact_runs : 0;
  if (picks == 0) return static_cast<double>(total);  // nothing was sampled
  return static_cast<double>(exact) + static_cast<double>(picked_part) *
                                          static_cast<double>(stood_for) /
                                          static_cast<double>(picks);
}

// Scheduling latency, estimated for all `runs`. The long waits (`long_waits` runs, timed or not:
// worker::count_long_wait) are counted as they were, in both `total` and `exact`, and stand for
// no others. The short ones are sampled on the picks that follow a stretch, each weighted by its
// period's runs (as blocked time is: blocked_estimate), in `total` but not `exact`:
// `latency_runs` sums the runs the timed runs whose short latency was taken stand for, 1 for an
// exact run and its weight for a pick, and the picks' weights are read as every run that is
// neither exact nor a long wait, in proportion.
constexpr double latency_estimate(std::uint64_t total, std::uint64_t exact, std::uint64_t runs,
                                  std::uint64_t long_waits, std::uint64_t latency_runs,
                                  std::uint64_t exact_runs) {
  return sampled_estimate(total, exact, runs > long_waits ? runs - long_waits : 0, latency_runs,
                          exact_runs);
}

// The run time of `untimed` runs settled from the `stretch` of clock they took between two
// readings, which also holds a pick (queue operations) before each run and before the second
// reading: split in the proportion the timed runs measured, `mean_run` to `mean_gap`. Not the
// stretch less a mean gap per pick, as it was: the timed pair's gap holds their own bookkeeping
// and a clock reading, and when the local VM is in its slow mode it grew to about an untimed
// run's whole step; a ping-pong's runs then settled to almost nothing, and its worker read 98%
// scheduler time. Both timed figures carry the readings' cost, so their proportion moves less.
constexpr std::uint64_t settled_run(std::uint64_t stretch, std::uint64_t untimed,
                                    std::uint64_t mean_run, std::uint64_t mean_gap) {
  auto runs = static_cast<double>(untimed) * static_cast<double>(mean_run);
  auto whole = runs + static_cast<double>(untimed + 1) * static_cast<double>(mean_gap);
  if (whole <= 0) return 0;
  return static_cast<std::uint64_t>(static_cast<double>(stretch) * runs / whole);
}

// Blocked time, estimated for all `runs`. `exact`: the waits counted as they were (those ended
// on exact runs, and the long ones: worker::begin_run). `sampled`: the short waits ended on
// the picks that follow a stretch, each times its weight, the runs of its period; `weight`:
// the sum of those picks' weights, whether their task waited or not (a sample of none). The
// weights stand for every run but the exact ones, less those of stretches that no pick ended
// (a search or park cut them short): so the weighted samples are read as the runs that are not
// exact, in the proportion of the weights. No weight: nothing was sampled, and `sampled` is 0
// but for a read between two writes.
constexpr double blocked_estimate(std::uint64_t exact, std::uint64_t sampled, std::uint64_t runs,
                                  std::uint64_t exact_runs, std::uint64_t weight) {
  return sampled_estimate(exact + sampled, exact, runs, exact_runs + weight, exact_runs);
}

// The scheduling latency of a task whose timed run starts at the reading `now`, stamped runnable
// at `stamp`. Between readings a sampling worker stamps the tasks it wakes from its estimated
// clock (worker::begin_run): from the stretch's first reading `from`, a step per untimed run
// (a run and a pick's share of the last stretch), up to `est_now` where the estimate puts this
// run's start. The estimate drifts from the clock by a few percent over a stretch of hundreds of
// runs, as much as the latency itself; so a stamp on it is read as a position in the stretch, and
// mapped onto the real stretch [from, now] in proportion. A stamp outside the estimated stretch is
// a reading (taken before it, or on another worker) and is used as it is. `from` 0: no stretch, no
// estimate.
//
// Not when the stretch took over twice what the estimate gave it: then something long happened
// inside a run (a preemption, a long run that stops the sampling), not spread over the gaps, and
// mapped in proportion every position would stretch with it; the estimated difference is used.
constexpr std::uint64_t stretch_latency(std::uint64_t stamp, std::uint64_t now, std::uint64_t from,
                                        std::uint64_t est_now) {
  if (from != 0 && stamp >= from && stamp <= est_now && est_now > from && now > from) {
    if (now - from > 2 * (est_now - from)) return est_now - stamp;
    return static_cast<std::uint64_t>(static_cast<double>(est_now - stamp) *
                                      static_cast<double>(now - from) /
                                      static_cast<double>(est_now - from));
  }
  return now > stamp ? now - stamp : 0;
}

}  // namespace weft::detail
