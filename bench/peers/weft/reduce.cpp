// reduce: weft::parallel_reduce sums N (default 100,000,000) int64 values v[i] = i, held in a
// vector filled once before timing (reduce_input.hpp), with the grain picked automatically.
// Reports the wall time of one reduction in ms; the sum must be N(N-1)/2.
// Peers: oneTBB's tbb::parallel_reduce (auto partitioner) and a serial loop (impl=serial),
// which gives the speedup.
#include <cstdint>
#include <string>
#include <weft/weft.hpp>

#include "peer.hpp"
#include "reduce_input.hpp"

int main(int argc, char** argv) {
  auto a = peer::parse_args(argc, argv, "sum N (default 100000000) int64 with parallel_reduce");
  long n = a.n ? a.n : 100'000'000;
  auto v = peer::reduce_input(n);
  const std::int64_t expect = peer::reduce_expected(n);
  return weft::run(weft::options{.procs = a.procs}, [&]() -> weft::task<int> {
    std::vector<double> ms;
    for (int r = -1; r < a.reps; ++r) {  // r == -1: the untimed warm-up
      auto t0 = peer::clock::now();
      std::int64_t sum = co_await weft::parallel_reduce(
          std::size_t{0}, v.size(), std::int64_t{0}, [&v](std::size_t i) { return v[i]; },
          [](std::int64_t x, std::int64_t y) { return x + y; });
      auto t1 = peer::clock::now();
      if (sum != expect) {
        peer::fail("reduce", "sum " + std::to_string(sum) + ", expected " + std::to_string(expect));
      }
      if (r >= 0) ms.push_back(peer::ns_between(t0, t1) / 1e6);
    }
    peer::result("reduce", weft::procs(), peer::median(ms), "ms",
                 "n=" + std::to_string(n) + " reps=" + std::to_string(a.reps) +
                     " min=" + std::to_string(*std::min_element(ms.begin(), ms.end())));
    co_return 0;
  });
}
