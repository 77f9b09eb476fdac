// pool: N (default 200) CPU-bound jobs of about 0.7 ms each through a weft::worker_pool (queue
// 64), once with 1 worker and once with W = max(2, procs) workers, and the speedup between the
// two: time(1 worker) / time(W workers). With W = procs = 2 a pool that keeps both workers
// busy gets close to 2; at procs 1 the two workers share one thread and the speedup is ~1.
// Each timed rep runs both pools (alternating which goes first, so drift in the machine's load
// hits both alike) and gives one speedup; the median over reps is reported. Every job's result
// is checked against the same job computed serially. A weft-only workload: higher is better,
// which the RESULT line says with better=higher.
#include <cstdint>
#include <string>
#include <weft/weft.hpp>

#include "peer.hpp"

namespace {

constexpr std::size_t k_queue = 64;
// Iterations of a dependent multiply-xorshift chain: ~0.7 ms of one core on the 2-core dev
// machine (200 jobs on one worker: 137-144 ms), long enough that the pool's per-job cost is
// noise and short enough that 200 jobs keep the run under a second.
constexpr long k_job_iters = 400'000;

std::uint64_t job(std::uint64_t seed) {
  std::uint64_t x = seed * 0x9E3779B97F4A7C15ULL + 1;
  for (long i = 0; i < k_job_iters; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    x ^= x >> 29;
  }
  return x;
}

// Runs the n jobs through a pool of `workers`; returns the sum of their results (wrapping).
weft::task<std::uint64_t> run_pool(int workers, long n) {
  weft::worker_pool pool({.workers = workers, .queue = k_queue, .name = "bench"});
  std::vector<weft::join_handle<std::uint64_t>> hs;
  hs.reserve(static_cast<std::size_t>(n));
  for (long i = 0; i < n; ++i) {
    hs.push_back(co_await pool.submit([i] { return job(static_cast<std::uint64_t>(i)); }));
  }
  std::uint64_t sum = 0;
  for (auto& h : hs) sum += co_await h;
  pool.close();
  co_await pool.join();
  co_return sum;
}

}  // namespace

int main(int argc, char** argv) {
  auto a = peer::parse_args(
      argc, argv, "N (default 200) ~0.7 ms jobs on worker_pool, 1 vs max(2, procs) workers");
  long n = a.n ? a.n : 200;
  std::uint64_t expect = 0;
  for (long i = 0; i < n; ++i) expect += job(static_cast<std::uint64_t>(i));
  return weft::run(weft::options{.procs = a.procs}, [&]() -> weft::task<int> {
    const int many = std::max(2, weft::procs());
    std::vector<double> speedup, ms_one, ms_many;
    for (int r = -1; r < a.reps; ++r) {  // r == -1: the untimed warm-up
      double ms[2] = {0, 0};             // [0]: 1 worker, [1]: `many` workers
      for (int k = 0; k < 2; ++k) {
        int which = r < 0 || r % 2 == 0 ? k : 1 - k;  // alternate which pool runs first
        int workers = which == 0 ? 1 : many;
        auto t0 = peer::clock::now();
        std::uint64_t sum = co_await run_pool(workers, n);
        auto t1 = peer::clock::now();
        if (sum != expect) {
          peer::fail("pool", std::to_string(workers) + " workers: sum of results " +
                                 std::to_string(sum) + ", expected " + std::to_string(expect));
        }
        ms[which] = peer::ns_between(t0, t1) / 1e6;
      }
      if (r >= 0) {
        speedup.push_back(ms[0] / ms[1]);
        ms_one.push_back(ms[0]);
        ms_many.push_back(ms[1]);
      }
    }
    peer::result("pool", weft::procs(), peer::median(speedup), "speedup",
                 "better=higher n=" + std::to_string(n) + " workers=" + std::to_string(many) +
                     " ms_1=" + std::to_string(peer::median(ms_one)) + " ms_" +
                     std::to_string(many) + "=" + std::to_string(peer::median(ms_many)) +
                     " reps=" + std::to_string(a.reps) +
                     " max=" + std::to_string(*std::max_element(speedup.begin(), speedup.end())));
    co_return 0;
  });
}
