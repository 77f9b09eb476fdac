// sleepers: N (default 1,000,000) detached tasks each sleep until one common deadline, counted
// by atomics (the peer of N goroutines in time.Sleep). Two modes, run as separate processes:
//
//   --mode rss   resident bytes per parked task: RSS once all N are parked minus RSS before
//                spawning, over N. It must be the first thing the process does (later passes
//                reuse the frame allocator's slabs and would show ~0), and it needs no wake-up:
//                the deadline is an hour away, and the process ends as soon as it has measured
//                (the runtime destroys the still-suspended tasks, as Go ends goroutines when
//                main returns).
//   --mode wake  wake-all time: from the deadline until the last task has finished, per task.
//                The deadline must come after every task is parked, and parking time varies a
//                lot between a cold pass and a warm one (first-touch page faults), so the lead
//                adapts: each pass's deadline is 1.5x the previous pass's parking time ahead (2x
//                after a late pass). A pass that parks late does not count; the first pass never
//                counts (warm-up).
#include <atomic>
#include <string>
#include <weft/weft.hpp>

#include "peer.hpp"

using namespace std::chrono_literals;

namespace {

struct pass_result {
  peer::clock::duration park_time{};  // spawn start until all N counted parked
  bool late = false;                  // the deadline passed before all N were parked
  long rss_delta = 0;
  double wake_ns_per_task = 0;
};

struct counters {
  std::atomic<long> parked{0};
  std::atomic<long> woke{0};
  peer::clock::time_point last_done{};  // written by the last task to finish only
  std::atomic<bool> finished{false};    // set once last_done is written
};

weft::task<> sleeper(counters& c, long n, peer::clock::time_point deadline) {
  // relaxed: a count, read by the root only to decide when all have reached their sleep.
  c.parked.fetch_add(1, std::memory_order_relaxed);
  co_await weft::sleep_until(deadline);
  // relaxed: only the count matters here; the increment that brings it to n is the last one
  // (RMWs on one atomic are totally ordered), so that task alone writes last_done.
  if (c.woke.fetch_add(1, std::memory_order_relaxed) + 1 == n) {
    c.last_done = peer::clock::now();
    // release: publishes last_done; pairs with the root's acquire load of `finished`. (Waiting
    // for `woke` to reach n instead would race with this write.)
    c.finished.store(true, std::memory_order_release);
  }
}

// Spawns n sleepers and waits until they have all reached their sleep. Polls with a short
// sleep rather than a yield: with procs = 1 a yielding root would compete with its tasks.
weft::task<peer::clock::time_point> spawn_and_park(counters& c, long n,
                                                   peer::clock::time_point deadline) {
  for (long i = 0; i < n; ++i) weft::go(sleeper(c, n, deadline));
  while (c.parked.load(std::memory_order_relaxed) < n) co_await weft::sleep_for(200us);
  co_return peer::clock::now();
}

// `c` belongs to the caller: in rss mode the sleepers still refer to it after pass() returns.
weft::task<pass_result> pass(counters& c, long n, peer::clock::duration lead, bool measure_rss) {
  pass_result out;
  long rss_before = measure_rss ? peer::rss_bytes() : 0;
  auto t0 = peer::clock::now();
  auto deadline = t0 + lead;
  auto all_parked = co_await spawn_and_park(c, n, deadline);
  if (measure_rss) out.rss_delta = peer::rss_bytes() - rss_before;
  out.park_time = all_parked - t0;
  out.late = all_parked >= deadline || c.woke.load(std::memory_order_relaxed) != 0;
  if (measure_rss) co_return out;  // the caller ends the process; the sleepers die with it
  while (!c.finished.load(std::memory_order_acquire)) co_await weft::sleep_for(200us);
  out.wake_ns_per_task = peer::ns_between(deadline, c.last_done) / static_cast<double>(n);
  co_return out;
}

double ms(peer::clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

}  // namespace

int main(int argc, char** argv) {
  // --mode is this program's own flag; the common parser sees the rest.
  std::string mode = "wake";
  std::vector<char*> rest{argv[0]};
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--mode" && i + 1 < argc) {
      mode = argv[++i];
    } else {
      rest.push_back(argv[i]);
    }
  }
  const char* what =
      "N (default 1000000) tasks sleep until one deadline; --mode rss|wake (default wake)";
  if (mode != "rss" && mode != "wake") peer::usage(argv[0], what);
  auto a = peer::parse_args(static_cast<int>(rest.size()), rest.data(), what);
  long n = a.n ? a.n : 1'000'000;
  // Outside run(): the rss pass's sleepers are destroyed at the runtime's shutdown, after the
  // root's own locals are gone, and must never refer to a dead object.
  counters rss_counters;
  return weft::run(weft::options{.procs = a.procs}, [&]() -> weft::task<int> {
    std::string common = "n=" + std::to_string(n);
    if (mode == "rss") {
      auto p = co_await pass(rss_counters, n, 1h, true);
      if (p.late) peer::fail("sleepers_rss", "tasks woke before all were parked");
      peer::result("sleepers_rss", weft::procs(),
                   static_cast<double>(p.rss_delta) / static_cast<double>(n), "bytes_per_task",
                   common + " park_ms=" + std::to_string(ms(p.park_time)));
      co_return 0;
    }
    // Bounded, so that a runtime that cannot park N tasks in time fails instead of looping.
    const int max_passes = a.reps + 8;
    std::vector<double> wake;
    peer::clock::duration lead = 100ms;
    int passes = 0, late = 0;
    while (static_cast<int>(wake.size()) < a.reps) {
      if (passes == max_passes) {
        peer::fail("sleepers_wake", std::to_string(late) + " of " + std::to_string(passes) +
                                        " passes parked late; last lead " +
                                        std::to_string(ms(lead)) + " ms");
      }
      counters c;
      auto p = co_await pass(c, n, lead, false);
      // A late pass parked fewer tasks at once (the early ones had already finished), so its
      // parking time understates a full one: give the next pass more room.
      lead = std::chrono::duration_cast<peer::clock::duration>((p.late ? 2.0 : 1.5) * p.park_time) +
             50ms;
      if (p.late) ++late;
      if (!p.late && passes > 0) wake.push_back(p.wake_ns_per_task);
      ++passes;
    }
    peer::result("sleepers_wake", weft::procs(), peer::median(wake), "ns_per_task",
                 common + " reps=" + std::to_string(a.reps) + " passes=" + std::to_string(passes) +
                     " late=" + std::to_string(late) +
                     " min=" + std::to_string(*std::min_element(wake.begin(), wake.end())));
    co_return 0;
  });
}
