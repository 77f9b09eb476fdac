// fib: recursive fib(N) (N default 30) with a task per call: each call above the leaves
// spawns fib(n-1), runs fib(n-2) inline with co_await, and joins the spawned one. fib(30) makes
// 2,692,537 calls, 1,346,268 of them spawned. Reports the wall time of one fib(N) in ms; the
// value must equal the iterative fib(N) (832040 for 30).
// Peers: Go, a goroutine per call joined by a WaitGroup; oneTBB, a task_group per call.
#include <string>
#include <weft/weft.hpp>

#include "peer.hpp"

namespace {

weft::task<long> fib(long n) {
  if (n < 2) co_return n;
  auto h = weft::spawn(fib(n - 1));
  long b = co_await fib(n - 2);
  co_return co_await h + b;
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
  auto a =
      peer::parse_args(argc, argv, "recursive fib(N) (default 30, at most 50), a task per call");
  long n = a.n ? a.n : 30;
  if (n > 50) peer::usage(argv[0], "--n must be at most 50");
  const long expect = fib_iterative(n);
  return weft::run(weft::options{.procs = a.procs}, [&]() -> weft::task<int> {
    std::vector<double> ms;
    for (int r = -1; r < a.reps; ++r) {  // r == -1: the untimed warm-up
      auto t0 = peer::clock::now();
      long v = co_await fib(n);
      auto t1 = peer::clock::now();
      if (v != expect) {
        peer::fail("fib", "fib(" + std::to_string(n) + ") = " + std::to_string(v) + ", expected " +
                              std::to_string(expect));
      }
      if (r >= 0) ms.push_back(peer::ns_between(t0, t1) / 1e6);
    }
    peer::result("fib", weft::procs(), peer::median(ms), "ms",
                 "n=" + std::to_string(n) + " reps=" + std::to_string(a.reps) +
                     " min=" + std::to_string(*std::min_element(ms.begin(), ms.end())));
    co_return 0;
  });
}
