// chan_pingpong: two tasks bounce an int N (default 1,000,000) times over two unbuffered
// (rendezvous) channels: ping sends i on one, pong answers i + 1 on the other. Every hand-off
// finds its peer waiting, so a round trip is two rendezvous, each a park and a wake-up.
// Reports wall time per round trip; every answer is checked.
// Peers: Go, two goroutines on two unbuffered chans; Boost.Fiber, two fibers on two
// boost::fibers::unbuffered_channel.
#include <string>
#include <weft/weft.hpp>

#include "peer.hpp"

namespace {

// Sends 0..n-1 on out, checks each answer on in; returns the number of correct answers.
weft::task<long> ping(weft::chan<long>& out, weft::chan<long>& in, long n) {
  long ok = 0;
  for (long i = 0; i < n; ++i) {
    co_await out.send(i);
    auto v = co_await in.recv();
    if (v && *v == i + 1) ++ok;
  }
  out.close();
  co_return ok;
}

weft::task<long> pong(weft::chan<long>& in, weft::chan<long>& out) {
  long seen = 0;
  while (auto v = co_await in.recv()) {
    co_await out.send(*v + 1);
    ++seen;
  }
  co_return seen;
}

}  // namespace

int main(int argc, char** argv) {
  auto a =
      peer::parse_args(argc, argv, "N (default 1000000) round trips over two rendezvous chans");
  long n = a.n ? a.n : 1'000'000;
  return weft::run(weft::options{.procs = a.procs}, [&]() -> weft::task<int> {
    std::vector<double> per_trip;
    for (int r = -1; r < a.reps; ++r) {  // r == -1: the untimed warm-up
      weft::chan<long> there(0, "ping");
      weft::chan<long> back(0, "pong");
      auto t0 = peer::clock::now();
      auto p = weft::spawn(pong(there, back));
      long ok = co_await ping(there, back, n);
      long seen = co_await p;
      auto t1 = peer::clock::now();
      if (ok != n || seen != n) {
        peer::fail("chan_pingpong", std::to_string(ok) + " correct answers and " +
                                        std::to_string(seen) + " requests seen, expected " +
                                        std::to_string(n));
      }
      if (r >= 0) per_trip.push_back(peer::ns_between(t0, t1) / static_cast<double>(n));
    }
    peer::result("chan_pingpong", weft::procs(), peer::median(per_trip), "ns_per_roundtrip",
                 "n=" + std::to_string(n) + " reps=" + std::to_string(a.reps) +
                     " min=" + std::to_string(*std::min_element(per_trip.begin(), per_trip.end())));
    co_return 0;
  });
}
