// chan_pingpong on Boost.Fiber, the peer of bench/peers/weft/chan_pingpong.cpp: two fibers
// bounce an int over two boost::fibers::unbuffered_channel, ping sending i and pong answering
// i + 1, N (default 1,000,000) round trips, every answer checked. Reports wall time per round
// trip.
// Parallelism: --procs, else WEFT_PROCS, else 1. At 1 the fibers run on the main thread under
// Boost's default round_robin scheduler, the usual way Boost.Fiber is used. Above 1, main and
// procs - 1 more threads share the fibers under algo::shared_work with suspend = true (idle
// threads sleep): of Boost's multi-thread schedulers the fastest here, so the peer is given its
// best. Measured on the 2-core dev machine at procs 2, in ns per round trip: shared_work(true)
// ~150, work_stealing(n, true) ~260, and with idle threads spinning (both schedulers' default)
// 2,000-15,000, as the spinners compete for the two cores with the fibers and other work.
#include <boost/fiber/all.hpp>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "peer.hpp"

namespace {

using channel = boost::fibers::unbuffered_channel<long>;
constexpr bool k_suspend = true;  // idle scheduler threads sleep rather than spin

long ping(channel& out, channel& in, long n) {
  long ok = 0;
  for (long i = 0; i < n; ++i) {
    out.push(i);
    long v = 0;
    if (in.pop(v) == boost::fibers::channel_op_status::success && v == i + 1) ++ok;
  }
  out.close();
  return ok;
}

long pong(channel& in, channel& out) {
  long seen = 0;
  long v = 0;
  while (in.pop(v) == boost::fibers::channel_op_status::success) {
    out.push(v + 1);
    ++seen;
  }
  return seen;
}

// The extra threads of the shared_work scheduler: they run fibers from the shared queue until
// told to stop.
class helpers {
 public:
  explicit helpers(int procs) {
    if (procs <= 1) return;
    boost::fibers::use_scheduling_algorithm<boost::fibers::algo::shared_work>(k_suspend);
    for (int i = 1; i < procs; ++i) {
      threads_.emplace_back([this] {
        boost::fibers::use_scheduling_algorithm<boost::fibers::algo::shared_work>(k_suspend);
        std::unique_lock<boost::fibers::mutex> lk(mu_);
        stop_cv_.wait(lk, [this] { return stop_; });
      });
    }
  }
  helpers(const helpers&) = delete;
  helpers& operator=(const helpers&) = delete;
  ~helpers() {
    {
      std::unique_lock<boost::fibers::mutex> lk(mu_);
      stop_ = true;
    }
    stop_cv_.notify_all();
    for (auto& t : threads_) t.join();
  }

 private:
  boost::fibers::mutex mu_;
  boost::fibers::condition_variable stop_cv_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace

int main(int argc, char** argv) {
  peer::impl = "boost";
  const char* what = "N (default 1000000) round trips over two unbuffered_channels";
  auto a = peer::parse_args(argc, argv, what);
  long n = a.n ? a.n : 1'000'000;
  if (!a.procs) {
    if (const char* env = std::getenv("WEFT_PROCS")) {  // NOLINT(concurrency-mt-unsafe)
      a.procs = std::atoi(env);
      if (*a.procs <= 0) peer::usage(argv[0], "WEFT_PROCS must be a positive integer");
    }
  }
  const int procs = a.procs.value_or(1);
  helpers threads(procs);

  std::vector<double> per_trip;
  for (int r = -1; r < a.reps; ++r) {  // r == -1: the untimed warm-up
    channel there, back;
    long ok = 0, seen = 0;
    auto t0 = peer::clock::now();
    boost::fibers::fiber p([&] { seen = pong(there, back); });
    boost::fibers::fiber q([&] { ok = ping(there, back, n); });
    q.join();
    p.join();
    auto t1 = peer::clock::now();
    if (ok != n || seen != n) {
      peer::fail("chan_pingpong", std::to_string(ok) + " correct answers and " +
                                      std::to_string(seen) + " requests seen, expected " +
                                      std::to_string(n));
    }
    if (r >= 0) per_trip.push_back(peer::ns_between(t0, t1) / static_cast<double>(n));
  }
  peer::result("chan_pingpong", procs, peer::median(per_trip), "ns_per_roundtrip",
               "n=" + std::to_string(n) + " reps=" + std::to_string(a.reps) +
                   " min=" + std::to_string(*std::min_element(per_trip.begin(), per_trip.end())));
  return 0;
}
