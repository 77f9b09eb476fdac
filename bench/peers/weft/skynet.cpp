// skynet: a 10-way tree of tasks with N (default 1,000,000) leaves; each leaf returns its index
// and each inner task sums its children's results, joined through join_handles. Reports the
// wall time of one full tree in ms; the sum must be N(N-1)/2.
// Peers: Go's classic channel version, oneTBB's task_group per call.
#include <string>
#include <weft/weft.hpp>

#include "peer.hpp"

namespace {

constexpr long k_div = 10;

weft::task<long> skynet(long num, long size, long div) {
  if (size == 1) co_return num;
  weft::join_handle<long> hs[k_div];
  for (long i = 0; i < div; ++i) {
    hs[i] = weft::spawn(skynet(num + i * (size / div), size / div, div));
  }
  long sum = 0;
  for (long i = 0; i < div; ++i) sum += co_await hs[i];
  co_return sum;
}

bool is_power_of_ten(long n) {
  while (n > 1 && n % k_div == 0) n /= k_div;
  return n == 1;
}

}  // namespace

int main(int argc, char** argv) {
  auto a = peer::parse_args(argc, argv, "skynet with N (default 1000000, a power of 10) leaves");
  long n = a.n ? a.n : 1'000'000;
  if (!is_power_of_ten(n)) peer::usage(argv[0], "--n must be a power of 10");
  const long expect = n * (n - 1) / 2;
  return weft::run(weft::options{.procs = a.procs}, [&]() -> weft::task<int> {
    std::vector<double> ms;
    for (int r = -1; r < a.reps; ++r) {  // r == -1: the untimed warm-up
      auto t0 = peer::clock::now();
      long sum = co_await skynet(0, n, k_div);
      auto t1 = peer::clock::now();
      if (sum != expect) {
        peer::fail("skynet", "sum " + std::to_string(sum) + ", expected " + std::to_string(expect));
      }
      if (r >= 0) ms.push_back(peer::ns_between(t0, t1) / 1e6);
    }
    peer::result("skynet", weft::procs(), peer::median(ms), "ms",
                 "n=" + std::to_string(n) + " reps=" + std::to_string(a.reps) +
                     " min=" + std::to_string(*std::min_element(ms.begin(), ms.end())));
    co_return 0;
  });
}
