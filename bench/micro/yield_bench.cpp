// Yield: the root yields once per iteration while a partner task yields in a loop. With one
// worker every yield is a switch to the other task and back (a ping-pong); with two, the partner
// usually has a worker of its own and a yield is a round trip through the local queue.
#include <atomic>

#include "micro.hpp"

namespace {

void bm_yield_pingpong(benchmark::State& state) {
  weft::run(micro::procs_of(state), [&]() -> weft::task<int> {
    std::atomic<bool> stop{false};
    auto partner = weft::spawn([&stop]() -> weft::task<long> {
      long n = 0;
      // relaxed: a stop flag; one more yield after it is set is harmless.
      while (!stop.load(std::memory_order_relaxed)) {
        co_await weft::yield();
        ++n;
      }
      co_return n;
    });
    for (auto _ : state) co_await weft::yield();
    stop.store(true, std::memory_order_relaxed);
    state.counters["partner_yields"] = static_cast<double>(co_await partner);
    co_return 0;
  });
}
BENCHMARK(bm_yield_pingpong)->ArgName("procs")->Arg(1)->Arg(2)->UseRealTime();

void bm_yield_alone(benchmark::State& state) {
  weft::run(micro::procs_of(state), [&]() -> weft::task<int> {
    for (auto _ : state) co_await weft::yield();
    co_return 0;
  });
}
BENCHMARK(bm_yield_alone)->ArgName("procs")->Arg(1)->Arg(2)->UseRealTime();

}  // namespace
