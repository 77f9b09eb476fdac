// select4: one consumer selects over 4 buffered channels (capacity 1024 each), each fed by its
// own producer: producer p sends p, p + 4, p + 8, ... below N (N default 4,000,000, a multiple of
// 4). The consumer runs N selects, each receiving one item, and sums them; the channels are not
// closed, so every select is over 4 live channels. Reports wall time per received item; the sum
// must be N(N-1)/2.
// Go peer: a 4-case `select` over four `make(chan int64, 1024)`.
#include <string>
#include <weft/weft.hpp>

#include "peer.hpp"

namespace {

constexpr std::size_t k_capacity = 1024;
constexpr long k_producers = 4;

weft::task<long> consume(weft::chan<long> (&cs)[k_producers], long n) {
  long sum = 0;
  for (long i = 0; i < n; ++i) {
    auto r =
        co_await weft::select(cs[0].on_recv(), cs[1].on_recv(), cs[2].on_recv(), cs[3].on_recv());
    std::optional<long> v;
    switch (r.index()) {
      case 0:
        v = r.get<0>();
        break;
      case 1:
        v = r.get<1>();
        break;
      case 2:
        v = r.get<2>();
        break;
      default:
        v = r.get<3>();
        break;
    }
    if (!v) co_return -1;  // no channel is ever closed: caught by the sum check
    sum += *v;
  }
  co_return sum;
}

weft::task<long> run_once(long n) {
  weft::chan<long> cs[k_producers] = {
      weft::chan<long>(k_capacity, "select4.0"), weft::chan<long>(k_capacity, "select4.1"),
      weft::chan<long>(k_capacity, "select4.2"), weft::chan<long>(k_capacity, "select4.3")};
  weft::task_group producers;
  for (long p = 0; p < k_producers; ++p) {
    producers.spawn([&cs, p, n]() -> weft::task<> {
      for (long i = p; i < n; i += k_producers) co_await cs[p].send(i);
    });
  }
  long sum = co_await consume(cs, n);
  co_await producers.wait();
  co_return sum;
}

}  // namespace

int main(int argc, char** argv) {
  auto a = peer::parse_args(argc, argv,
                            "N (default 4000000, a multiple of 4) items selected from 4 channels");
  long n = a.n ? a.n : 4'000'000;
  if (n % k_producers != 0) peer::usage(argv[0], "--n must be a multiple of 4");
  const long expect = n * (n - 1) / 2;
  return weft::run(weft::options{.procs = a.procs}, [&]() -> weft::task<int> {
    std::vector<double> per_item;
    for (int r = -1; r < a.reps; ++r) {  // r == -1: the untimed warm-up
      auto t0 = peer::clock::now();
      long sum = co_await run_once(n);
      auto t1 = peer::clock::now();
      if (sum != expect) {
        peer::fail("select4",
                   "sum " + std::to_string(sum) + ", expected " + std::to_string(expect));
      }
      if (r >= 0) per_item.push_back(peer::ns_between(t0, t1) / static_cast<double>(n));
    }
    peer::result("select4", weft::procs(), peer::median(per_item), "ns_per_item",
                 "n=" + std::to_string(n) + " cap=" + std::to_string(k_capacity) +
                     " reps=" + std::to_string(a.reps) +
                     " min=" + std::to_string(*std::min_element(per_item.begin(), per_item.end())));
    co_return 0;
  });
}
