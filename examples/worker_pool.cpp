// Lab exercise 2: CPU-heavy jobs on a worker pool, swept over the number of workers. Prints the
// time and the speedup over one worker for each; on a machine with P cores the speedup should
// grow to about P and then flatten (more workers than cores cannot run at once).
//   ./worker_pool [jobs] [max_workers]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <weft/weft.hpp>

namespace {
// A job: a fixed amount of arithmetic (no memory traffic, so it scales with cores).
std::uint64_t crunch(std::uint64_t seed) {
  std::uint64_t x = 2 * seed + 1;  // odd, and distinct per job
  for (int i = 0; i < 2'000'000; ++i) x = x * 6364136223846793005ULL + 1442695040888963407ULL;
  return x;
}
}  // namespace

int main(int argc, char** argv) {
  int jobs = argc > 1 ? std::atoi(argv[1]) : 64;
  int max_workers = argc > 2 ? std::atoi(argv[2]) : 0;
  return weft::run([&]() -> weft::task<int> {
    int top = max_workers > 0 ? max_workers : 2 * weft::procs();
    std::printf("worker_pool: %d jobs on %d procs\n", jobs, weft::procs());
    std::printf("%8s %10s %8s\n", "workers", "time_ms", "speedup");
    double base = 0;
    for (int w = 1; w <= top; w *= 2) {
      auto start = std::chrono::steady_clock::now();
      weft::worker_pool pool({.workers = w, .queue = 16});
      std::uint64_t check = 0;
      std::vector<weft::join_handle<std::uint64_t>> hs;
      for (int j = 0; j < jobs; ++j) {
        hs.push_back(co_await pool.submit([j] { return crunch(static_cast<std::uint64_t>(j)); }));
      }
      for (auto& h : hs) check ^= co_await h;
      double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count();
      if (w == 1) base = ms;
      std::printf("%8d %10.1f %8.2f   (checksum %016llx)\n", w, ms, base / ms,
                  static_cast<unsigned long long>(check));
    }
    co_return 0;
  });
}
