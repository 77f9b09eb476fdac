// Shared by the micro-benchmarks: each benchmark function starts one weft runtime and runs the
// benchmark's iteration loop inside the root task, so the runtime's start and stop are outside
// the timed region and the loop measures the steady state. Times are wall-clock
// (UseRealTime): a coroutine may resume on another worker, so one thread's CPU time would not
// be the task's.
#pragma once

#include <benchmark/benchmark.h>

#include <weft/weft.hpp>

namespace micro {

// Every benchmark takes procs as its first argument.
inline weft::options procs_of(const benchmark::State& state) {
  return weft::options{.procs = static_cast<int>(state.range(0)), .name = "micro"};
}

}  // namespace micro
