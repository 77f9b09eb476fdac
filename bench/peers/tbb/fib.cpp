// fib on oneTBB, the peer of bench/peers/weft/fib.cpp: each call above the leaves runs fib(n-1)
// in a tbb::task_group, computes fib(n-2) itself, and waits for the group.
// Parallelism: see parallelism.hpp.
#include <oneapi/tbb/task_group.h>

#include <string>

#include "parallelism.hpp"
#include "peer.hpp"

namespace {

long fib(long n) {
  if (n < 2) return n;
  long a = 0;
  tbb::task_group g;
  g.run([&a, n] { a = fib(n - 1); });
  long b = fib(n - 2);
  g.wait();
  return a + b;
}

long fib_iterative(long n) {
  long a = 0, b = 1;
  for (long i = 0; i < n; ++i) {
    long c = a + b;
    a = b;
    b = c;
  }
  return a;
}

}  // namespace

int main(int argc, char** argv) {
  peer::impl = "tbb";
  auto a =
      peer::parse_args(argc, argv, "recursive fib(N) (default 30, at most 50), a task per call");
  long n = a.n ? a.n : 30;
  if (n > 50) peer::usage(argv[0], "--n must be at most 50");
  auto par = peer::apply_tbb_procs(a, argv[0]);

  const long expect = fib_iterative(n);
  std::vector<double> ms;
  for (int r = -1; r < a.reps; ++r) {  // r == -1: the untimed warm-up
    auto t0 = peer::clock::now();
    long v = fib(n);
    auto t1 = peer::clock::now();
    if (v != expect) {
      peer::fail("fib", "fib(" + std::to_string(n) + ") = " + std::to_string(v) + ", expected " +
                            std::to_string(expect));
    }
    if (r >= 0) ms.push_back(peer::ns_between(t0, t1) / 1e6);
  }
  peer::result("fib", par.procs, peer::median(ms), "ms",
               "n=" + std::to_string(n) + " reps=" + std::to_string(a.reps) +
                   " min=" + std::to_string(*std::min_element(ms.begin(), ms.end())));
  return 0;
}
