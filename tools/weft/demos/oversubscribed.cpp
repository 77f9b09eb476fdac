// oversubscribed: a worker_pool sized 4 x procs whose jobs hand 2 ms of CPU work each to
// weft::blocking. The blocking pool grows a thread per job in flight, so 4 x procs threads
// compete for the cores while the workers themselves sit parked. More procs only means more
// threads time-sharing the same cores. The fix: run CPU work on the workers (a plain callable
// or parallel_for), keep weft::blocking for calls that wait, and size pools to procs.
#include <vector>
#include <weft/weft.hpp>

#include "demos/burn.hpp"
#include "demos/demos.hpp"

namespace weft_demos {

int run_oversubscribed() {
  constexpr int k_jobs = 400;
  return weft::run([]() -> weft::task<int> {
    weft::worker_pool pool({.workers = 4 * weft::procs(), .queue = 64, .name = "crunch"});
    std::vector<weft::join_handle<std::uint64_t>> jobs;
    jobs.reserve(k_jobs);
    for (int j = 0; j < k_jobs; ++j) {
      jobs.push_back(co_await pool.submit([]() -> weft::task<std::uint64_t> {
        co_return co_await weft::blocking([] { return burn_ns(2'000'000); });
      }));
    }
    for (auto& h : jobs) keep(co_await h);
    co_return 0;
  });
}

}  // namespace weft_demos
