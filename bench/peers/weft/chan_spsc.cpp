// chan_spsc: one producer sends 0..N-1 (N default 10,000,000) over a buffered channel of
// capacity 1024, then closes it; one consumer receives until the channel is closed and drained
// and sums. Reports wall time per item; the sum must be N(N-1)/2.
// Go peer: the same with a `make(chan int64, 1024)`.
#include <string>
#include <weft/weft.hpp>

#include "peer.hpp"

namespace {

constexpr std::size_t k_capacity = 1024;

weft::task<> produce(weft::chan<long>& c, long n) {
  for (long i = 0; i < n; ++i) co_await c.send(i);
  c.close();
}

weft::task<long> consume(weft::chan<long>& c) {
  long sum = 0;
  while (auto v = co_await c.recv()) sum += *v;
  co_return sum;
}

}  // namespace

int main(int argc, char** argv) {
  auto a = peer::parse_args(argc, argv, "N (default 10000000) items, 1 producer, 1 consumer");
  long n = a.n ? a.n : 10'000'000;
  const long expect = n * (n - 1) / 2;
  return weft::run(weft::options{.procs = a.procs}, [&]() -> weft::task<int> {
    std::vector<double> per_item;
    for (int r = -1; r < a.reps; ++r) {  // r == -1: the untimed warm-up
      weft::chan<long> c(k_capacity, "spsc");
      auto t0 = peer::clock::now();
      auto p = weft::spawn(produce(c, n));
      long sum = co_await consume(c);
      co_await p;
      auto t1 = peer::clock::now();
      if (sum != expect) {
        peer::fail("chan_spsc",
                   "sum " + std::to_string(sum) + ", expected " + std::to_string(expect));
      }
      if (r >= 0) per_item.push_back(peer::ns_between(t0, t1) / static_cast<double>(n));
    }
    peer::result("chan_spsc", weft::procs(), peer::median(per_item), "ns_per_item",
                 "n=" + std::to_string(n) + " cap=" + std::to_string(k_capacity) +
                     " reps=" + std::to_string(a.reps) +
                     " min=" + std::to_string(*std::min_element(per_item.begin(), per_item.end())));
    co_return 0;
  });
}
