// yield_pingpong: two tasks each yield N (default 1,000,000) times. With one worker they hand
// the worker back and forth at every yield; with more, each may keep a worker to itself, and
// a yield is a trip through that worker's queue. Reports wall time per yield (2N yields).
// Go peer: two goroutines calling runtime.Gosched().
#include <string>
#include <weft/weft.hpp>

#include "peer.hpp"

namespace {

weft::task<long> yielder(long n) {
  long done = 0;
  for (long i = 0; i < n; ++i) {
    co_await weft::yield();
    ++done;
  }
  co_return done;
}

}  // namespace

int main(int argc, char** argv) {
  auto a = peer::parse_args(argc, argv, "two tasks each yield N (default 1000000) times");
  long n = a.n ? a.n : 1'000'000;
  return weft::run(weft::options{.procs = a.procs}, [&]() -> weft::task<int> {
    std::vector<double> per_yield;
    for (int r = -1; r < a.reps; ++r) {  // r == -1: the untimed warm-up
      auto t0 = peer::clock::now();
      auto x = weft::spawn(yielder(n));
      auto y = weft::spawn(yielder(n));
      long total = co_await x;
      total += co_await y;
      auto t1 = peer::clock::now();
      if (total != 2 * n) peer::fail("yield_pingpong", "yield count " + std::to_string(total));
      if (r >= 0) per_yield.push_back(peer::ns_between(t0, t1) / static_cast<double>(2 * n));
    }
    peer::result("yield_pingpong", weft::procs(), peer::median(per_yield), "ns_per_yield",
                 "n=" + std::to_string(n) + " reps=" + std::to_string(a.reps) + " min=" +
                     std::to_string(*std::min_element(per_yield.begin(), per_yield.end())));
    co_return 0;
  });
}
