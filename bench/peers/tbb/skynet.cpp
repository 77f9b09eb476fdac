// skynet on oneTBB, the peer of bench/peers/weft/skynet.cpp: one tbb::task_group per inner
// call and one task per child, the closest TBB has to spawning a task per node and joining it.
// Parallelism: see parallelism.hpp.
#include <oneapi/tbb/task_group.h>

#include <string>

#include "parallelism.hpp"
#include "peer.hpp"

namespace {

constexpr long k_div = 10;

long skynet(long num, long size, long div) {
  if (size == 1) return num;
  long sums[k_div] = {};
  tbb::task_group g;
  for (long i = 0; i < div; ++i) {
    g.run([=, &sums] { sums[i] = skynet(num + i * (size / div), size / div, div); });
  }
  g.wait();
  long sum = 0;
  for (long i = 0; i < div; ++i) sum += sums[i];
  return sum;
}

bool is_power_of_ten(long n) {
  while (n > 1 && n % k_div == 0) n /= k_div;
  return n == 1;
}

}  // namespace

int main(int argc, char** argv) {
  peer::impl = "tbb";
  auto a = peer::parse_args(argc, argv, "skynet with N (default 1000000, a power of 10) leaves");
  long n = a.n ? a.n : 1'000'000;
  if (!is_power_of_ten(n)) peer::usage(argv[0], "--n must be a power of 10");
  auto par = peer::apply_tbb_procs(a, argv[0]);
  int procs = par.procs;

  const long expect = n * (n - 1) / 2;
  std::vector<double> ms;
  for (int r = -1; r < a.reps; ++r) {  // r == -1: the untimed warm-up
    auto t0 = peer::clock::now();
    long sum = skynet(0, n, k_div);
    auto t1 = peer::clock::now();
    if (sum != expect) {
      peer::fail("skynet", "sum " + std::to_string(sum) + ", expected " + std::to_string(expect));
    }
    if (r >= 0) ms.push_back(peer::ns_between(t0, t1) / 1e6);
  }
  peer::result("skynet", procs, peer::median(ms), "ms",
               "n=" + std::to_string(n) + " reps=" + std::to_string(a.reps) +
                   " min=" + std::to_string(*std::min_element(ms.begin(), ms.end())));
  return 0;
}
