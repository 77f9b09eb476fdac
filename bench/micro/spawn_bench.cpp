// Task creation: the cost of one spawn + join (a join_handle awaited at once, the latency of a
// fork-join edge), of a task_group fan-out (the throughput of many spawns joined together),
// and of a detached go.
#include <atomic>

#include "micro.hpp"

namespace {

void bm_spawn_join(benchmark::State& state) {
  weft::run(micro::procs_of(state), [&]() -> weft::task<int> {
    for (auto _ : state) {
      auto h = weft::spawn([]() -> weft::task<int> { co_return 1; });
      benchmark::DoNotOptimize(co_await h);
    }
    co_return 0;
  });
}
BENCHMARK(bm_spawn_join)->ArgName("procs")->Arg(1)->Arg(2)->UseRealTime();

void bm_group_spawn(benchmark::State& state) {
  const auto fanout = state.range(1);
  weft::run(micro::procs_of(state), [&]() -> weft::task<int> {
    for (auto _ : state) {
      weft::task_group g;
      for (std::int64_t i = 0; i < fanout; ++i) g.spawn([]() -> weft::task<> { co_return; });
      co_await g.wait();
    }
    co_return 0;
  });
  state.SetItemsProcessed(state.iterations() * fanout);
}
BENCHMARK(bm_group_spawn)
    ->ArgNames({"procs", "fanout"})
    ->Args({1, 1000})
    ->Args({2, 1000})
    ->UseRealTime();

void bm_go(benchmark::State& state) {
  const auto batch = state.range(1);
  weft::run(micro::procs_of(state), [&]() -> weft::task<int> {
    std::atomic<std::int64_t> left{0};
    for (auto _ : state) {
      // relaxed: a count; the root only needs to see it reach zero eventually.
      left.store(batch, std::memory_order_relaxed);
      for (std::int64_t i = 0; i < batch; ++i) {
        weft::go([&left]() -> weft::task<> {
          left.fetch_sub(1, std::memory_order_relaxed);
          co_return;
        });
      }
      // Detached tasks have no join; give them the worker until they have all run. Most of a
      // batch overflows the local queue into the injector, so with one worker this also
      // measures how soon a yielding task lets injector work run, not only the spawn cost.
      while (left.load(std::memory_order_relaxed) != 0) co_await weft::yield();
    }
    co_return 0;
  });
  state.SetItemsProcessed(state.iterations() * batch);
}
BENCHMARK(bm_go)->ArgNames({"procs", "batch"})->Args({1, 1000})->Args({2, 1000})->UseRealTime();

}  // namespace
