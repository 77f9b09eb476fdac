// Timers: one sleep_for per iteration. 0 ns is the already-due fast path (no suspension); 1 µs
// is a full round trip: insert into the timer wheel, suspend, the worker parks until the
// deadline, the timer fires and the task resumes. The gap between them is the wake-up latency
// that a short sleep actually costs.
#include <chrono>

#include "micro.hpp"

namespace {

void bm_sleep_for(benchmark::State& state) {
  const std::chrono::nanoseconds d(state.range(1));
  weft::run(micro::procs_of(state), [&]() -> weft::task<int> {
    for (auto _ : state) co_await weft::sleep_for(d);
    co_return 0;
  });
}
BENCHMARK(bm_sleep_for)
    ->ArgNames({"procs", "ns"})
    ->Args({1, 0})
    ->Args({1, 1000})
    ->Args({2, 0})
    ->Args({2, 1000})
    ->UseRealTime();

}  // namespace
