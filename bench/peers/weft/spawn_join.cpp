// spawn_join: the root spawns N empty tasks into one task_group and waits for them. Measures
// what a task costs to create, schedule, run and retire: ns per task.
// Go peer: N `go func() { wg.Done() }()` and wg.Wait().
#include <string>
#include <weft/weft.hpp>

#include "peer.hpp"

namespace {

weft::task<> spawn_all(long n) {
  weft::task_group g;
  for (long i = 0; i < n; ++i) g.spawn([]() -> weft::task<> { co_return; });
  co_await g.wait();
}

std::uint64_t spawned_so_far() {
  return weft::metrics::snapshot().total().tasks_spawned;
}

}  // namespace

int main(int argc, char** argv) {
  auto a = peer::parse_args(argc, argv, "spawn and join N (default 1000000) empty tasks");
  long n = a.n ? a.n : 1'000'000;
  return weft::run(weft::options{.procs = a.procs}, [&]() -> weft::task<int> {
    co_await spawn_all(n);  // warm-up: fills the frame allocator and faults its pages in
    std::vector<double> per_task;
    for (int r = 0; r < a.reps; ++r) {
      auto before = spawned_so_far();
      auto t0 = peer::clock::now();
      co_await spawn_all(n);
      auto t1 = peer::clock::now();
      // The group's wait returning means every child ended; the counter says they were all
      // really spawned (the workload was not optimized away or cut short).
      auto spawned = spawned_so_far() - before;
#if defined(WEFT_COUNTERS) && WEFT_COUNTERS == 0
      // Built with the counters compiled out (bench/ab's baseline): nothing is counted, and
      // the group's completion is the only check.
      spawned = static_cast<std::uint64_t>(n);
#endif
      if (spawned != static_cast<std::uint64_t>(n)) {
        peer::fail("spawn_join",
                   "spawned " + std::to_string(spawned) + " tasks, expected " + std::to_string(n));
      }
      per_task.push_back(peer::ns_between(t0, t1) / static_cast<double>(n));
    }
    peer::result("spawn_join", weft::procs(), peer::median(per_task), "ns_per_task",
                 "n=" + std::to_string(n) + " reps=" + std::to_string(a.reps) +
                     " min=" + std::to_string(*std::min_element(per_task.begin(), per_task.end())));
    co_return 0;
  });
}
