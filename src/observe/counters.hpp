// A worker's counters. Each field is written only by its worker (a plain load + store, no
// read-modify-write: there is no other writer), and read by snapshot() from any thread, hence
// relaxed atomics: a reader may see a slightly stale value, never a torn one. The block sits on
// its own cache lines so no other thread's writes contend with it.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

#include "weft/detail/task_header.hpp"

// WEFT_COUNTERS=0 (CMake: -DWEFT_COUNTERS=OFF) compiles the counters and the clock readings
// that feed them out, for bench/overhead to measure what they cost. Not a supported
// configuration otherwise: the metrics are then all zero and the doctor has nothing to read.
#ifndef WEFT_COUNTERS
#define WEFT_COUNTERS 1
#endif

namespace weft::detail {

inline constexpr bool k_counters_on = WEFT_COUNTERS != 0;

struct counter {
  std::atomic<std::uint64_t> v{0};
  void add(std::uint64_t n) noexcept {
    // relaxed: single writer; readers tolerate staleness.
    if constexpr (k_counters_on) {
      v.store(v.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }
  }
  void max(std::uint64_t n) noexcept {
    if constexpr (k_counters_on) {
      if (n > v.load(std::memory_order_relaxed)) v.store(n, std::memory_order_relaxed);
    }
  }
  std::uint64_t get() const noexcept { return v.load(std::memory_order_relaxed); }
};

// Runs, spawns and blocked time are not here: they are counted per task class only
// (class_counters), and a worker's totals are its classes' sums.
struct alignas(64) worker_counters {
  counter timed_runs;  // runs whose length was read off the clock (all, unless sampling)
  counter run_ticks;
  counter sched_latency_ticks;
  counter exact_runs;           // timed runs the sampler did not pick (sampled_estimate)
  counter exact_latency_ticks;  // their part of sched_latency_ticks, and the long waits
  // The runs that the timed runs whose short latency was taken stand for: 1 for an exact run,
  // its period's runs for a pick that follows a stretch, whose latency goes into
  // sched_latency_ticks times that weight (worker::begin_timed_run; core/sampling.hpp,
  // latency_estimate).
  counter latency_runs;
  // Runs whose latency was too long to leave to the sampler, counted as it was
  // (worker::count_long_wait): in sched_latency_ticks and exact_latency_ticks, not samples.
  counter long_waits;
  // The runs the samples of short waits stand for (class_counters::blocked_weight): the named
  // objects' sampled waits are scaled by this worker's runs less its exact ones over this.
  counter blocked_weight;
  counter steals_tried;
  counter steals_won;
  counter steals_retry;
  counter parks;
  counter idle_ticks;
  counter spin_ticks;
  counter lifo_runs;
  counter injector_pops;
  counter overflows;
  counter long_runs;
  counter max_run_ticks;
  counter max_span_ticks;  // the longest span of a path that ended here (join.cpp)
};

}  // namespace weft::detail
