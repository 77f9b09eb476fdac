// reduce as a plain serial loop: the baseline that gives the weft and TBB programs' speedup.
// One thread whatever --procs asks, so its RESULT line says procs=1 (bench/compare knows).
#include <cstdint>
#include <string>

#include "peer.hpp"
#include "reduce_input.hpp"

int main(int argc, char** argv) {
  peer::impl = "serial";
  auto a = peer::parse_args(argc, argv, "sum N (default 100000000) int64 in one loop");
  long n = a.n ? a.n : 100'000'000;

  auto v = peer::reduce_input(n);
  const std::int64_t expect = peer::reduce_expected(n);
  std::vector<double> ms;
  for (int r = -1; r < a.reps; ++r) {  // r == -1: the untimed warm-up
    auto t0 = peer::clock::now();
    std::int64_t sum = 0;
    for (std::size_t i = 0; i < v.size(); ++i) sum += v[i];
    auto t1 = peer::clock::now();
    if (sum != expect) {
      peer::fail("reduce", "sum " + std::to_string(sum) + ", expected " + std::to_string(expect));
    }
    if (r >= 0) ms.push_back(peer::ns_between(t0, t1) / 1e6);
  }
  peer::result("reduce", 1, peer::median(ms), "ms",
               "n=" + std::to_string(n) + " reps=" + std::to_string(a.reps) +
                   " min=" + std::to_string(*std::min_element(ms.begin(), ms.end())));
  return 0;
}
