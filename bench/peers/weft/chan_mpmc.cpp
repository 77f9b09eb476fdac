// chan_mpmc: 4 producers and 4 consumers share one buffered channel of capacity 1024.
// Producer p sends the N/4 values p, p + 4, p + 8, ... below N (N default 10,000,000, a multiple
// of 4); once all have finished the channel is closed, and each consumer sums what it received
// until the channel is closed and drained. Reports wall time per item; the consumers' sums must
// add up to N(N-1)/2 (every value received exactly once).
// Go peer: the same with goroutines and a `make(chan int64, 1024)`.
#include <string>
#include <weft/weft.hpp>

#include "peer.hpp"

namespace {

constexpr std::size_t k_capacity = 1024;
constexpr long k_producers = 4;
constexpr long k_consumers = 4;

weft::task<long> consume(weft::chan<long>& c) {
  long sum = 0;
  while (auto v = co_await c.recv()) sum += *v;
  co_return sum;
}

weft::task<long> run_once(long n) {
  weft::chan<long> c(k_capacity, "mpmc");
  weft::join_handle<long> consumers[k_consumers];
  for (auto& h : consumers) h = weft::spawn(consume(c));
  weft::task_group producers;
  for (long p = 0; p < k_producers; ++p) {
    producers.spawn([&c, p, n]() -> weft::task<> {
      for (long i = p; i < n; i += k_producers) co_await c.send(i);
    });
  }
  co_await producers.wait();
  c.close();
  long sum = 0;
  for (auto& h : consumers) sum += co_await h;
  co_return sum;
}

}  // namespace

int main(int argc, char** argv) {
  auto a = peer::parse_args(
      argc, argv, "N (default 10000000, a multiple of 4) items, 4 producers, 4 consumers");
  long n = a.n ? a.n : 10'000'000;
  if (n % k_producers != 0) peer::usage(argv[0], "--n must be a multiple of 4");
  const long expect = n * (n - 1) / 2;
  return weft::run(weft::options{.procs = a.procs}, [&]() -> weft::task<int> {
    std::vector<double> per_item;
    for (int r = -1; r < a.reps; ++r) {  // r == -1: the untimed warm-up
      auto t0 = peer::clock::now();
      long sum = co_await run_once(n);
      auto t1 = peer::clock::now();
      if (sum != expect) {
        peer::fail("chan_mpmc",
                   "sum " + std::to_string(sum) + ", expected " + std::to_string(expect));
      }
      if (r >= 0) per_item.push_back(peer::ns_between(t0, t1) / static_cast<double>(n));
    }
    peer::result("chan_mpmc", weft::procs(), peer::median(per_item), "ns_per_item",
                 "n=" + std::to_string(n) + " cap=" + std::to_string(k_capacity) +
                     " reps=" + std::to_string(a.reps) +
                     " min=" + std::to_string(*std::min_element(per_item.begin(), per_item.end())));
    co_return 0;
  });
}
