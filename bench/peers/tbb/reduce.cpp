// reduce on oneTBB, the peer of bench/peers/weft/reduce.cpp: tbb::parallel_reduce over a
// blocked_range with TBB's default (auto) partitioner, a plain loop per chunk.
// Parallelism: see parallelism.hpp.
#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_reduce.h>

#include <cstdint>
#include <functional>
#include <string>

#include "parallelism.hpp"
#include "peer.hpp"
#include "reduce_input.hpp"

int main(int argc, char** argv) {
  peer::impl = "tbb";
  auto a = peer::parse_args(argc, argv, "sum N (default 100000000) int64 with parallel_reduce");
  long n = a.n ? a.n : 100'000'000;
  auto par = peer::apply_tbb_procs(a, argv[0]);

  auto v = peer::reduce_input(n);
  const std::int64_t expect = peer::reduce_expected(n);
  std::vector<double> ms;
  for (int r = -1; r < a.reps; ++r) {  // r == -1: the untimed warm-up
    auto t0 = peer::clock::now();
    std::int64_t sum = tbb::parallel_reduce(
        tbb::blocked_range<std::size_t>(0, v.size()), std::int64_t{0},
        [&v](const tbb::blocked_range<std::size_t>& range, std::int64_t acc) {
          for (std::size_t i = range.begin(); i < range.end(); ++i) acc += v[i];
          return acc;
        },
        std::plus<std::int64_t>());
    auto t1 = peer::clock::now();
    if (sum != expect) {
      peer::fail("reduce", "sum " + std::to_string(sum) + ", expected " + std::to_string(expect));
    }
    if (r >= 0) ms.push_back(peer::ns_between(t0, t1) / 1e6);
  }
  peer::result("reduce", par.procs, peer::median(ms), "ms",
               "n=" + std::to_string(n) + " reps=" + std::to_string(a.reps) +
                   " min=" + std::to_string(*std::min_element(ms.begin(), ms.end())));
  return 0;
}
