#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <source_location>
#include <sstream>
#include <string>
#include <utility>
#include <vector>
#include <weft/weft.hpp>

#include "support/test_support.hpp"

using namespace std::chrono_literals;

namespace {

TEST(Metrics, CountersReflectTheRun) {
  weft::run({.procs = 2, .name = "counted"}, []() -> weft::task<> {
    weft::task_group g;
    for (int i = 0; i < 100; ++i) g.spawn([]() -> weft::task<> { co_await weft::yield(); });
    co_await g.wait();
    co_await weft::sleep_for(2ms);
    auto live = weft::metrics::snapshot();
    EXPECT_EQ(live.procs, 2);
    EXPECT_EQ(live.name, "counted");
  });
  auto s = weft::metrics::snapshot();
  ASSERT_EQ(s.workers.size(), 2u);
  auto t = s.total();
  EXPECT_GE(t.tasks_run, 201u);  // 100 children run twice (yield) plus the root
  EXPECT_GE(t.tasks_spawned, 100u);
  EXPECT_GT(t.run_ns, 0u);
  EXPECT_GT(t.blocked_ns["timer"], 1'000'000u);  // the root slept 2 ms
  EXPECT_GE(t.wall_ns, t.run_ns);
}

TEST(Metrics, WeftMetricsWritesJsonAtExit) {
  auto path = testing::TempDir() + "weft_metrics_test.json";
  std::remove(path.c_str());
  {
    weft::testing::scoped_env env("WEFT_METRICS", path.c_str());
    weft::run({.procs = 2}, []() -> weft::task<> { co_await weft::sleep_for(1ms); });
  }
  std::ifstream in(path);
  ASSERT_TRUE(in) << path;
  auto j = nlohmann::json::parse(in);
  EXPECT_EQ(j["schema"], "weft.metrics/1");
  EXPECT_EQ(j["procs"], 2);
  EXPECT_EQ(j["workers"].size(), 2u);
  EXPECT_GE(j["total"]["tasks_run"].get<long>(), 1);
  EXPECT_TRUE(j["total"].contains("idle_ns"));
  EXPECT_TRUE(j["total"].contains("sched_ns"));
  EXPECT_TRUE(j.contains("forkjoin"));
  EXPECT_TRUE(j.contains("objects"));
  EXPECT_TRUE(j.contains("progress"));
}

TEST(Metrics, ProgressPointsAreCountedPerRun) {
  auto work = []() -> weft::task<> {
    weft::task_group g;
    for (int i = 0; i < 10; ++i) {
      g.spawn([] {
        weft::progress("items", 3);
        weft::progress("batches");
      });
    }
    co_await g.wait();
  };
  weft::run({.procs = 2}, work);
  auto p = weft::metrics::snapshot().progress;
  EXPECT_EQ(p["items"], 30u);
  EXPECT_EQ(p["batches"], 10u);
  weft::run({.procs = 2}, work);  // a second runtime counts its own
  EXPECT_EQ(weft::metrics::snapshot().progress["items"], 30u);
}

TEST(Metrics, LongRunsAreCounted) {
  weft::run({.procs = 1}, []() -> weft::task<> {
    auto until = std::chrono::steady_clock::now() + 15ms;
    while (std::chrono::steady_clock::now() < until) {
    }
    co_return;
  });
  auto s = weft::metrics::snapshot();
  EXPECT_GE(s.total().long_runs, 1u);
  // Named by where the task was started: this file.
  EXPECT_NE(s.long_run_last.find("metrics_test.cpp"), std::string::npos) << s.long_run_last;
}

// Tasks are counted under the line that started them: their number, their runs, and the time
// they spent blocked, by cause.
TEST(Metrics, TaskClassesAreKeyedBySpawnSite) {
  constexpr int k_tasks = 50;
  int spawn_line = 0;
  weft::run({.procs = 2}, [&]() -> weft::task<> {
    weft::task_group g;
    for (int i = 0; i < k_tasks; ++i) {
      spawn_line = __LINE__ + 1;
      g.spawn([]() -> weft::task<> { co_await weft::sleep_for(1ms); });
    }
    co_await g.wait();
  });
  auto s = weft::metrics::snapshot();
  const weft::metrics::class_stats* sleepers = nullptr;
  for (const auto& c : s.classes) {
    if (c.site.ends_with("metrics_test.cpp:" + std::to_string(spawn_line))) sleepers = &c;
  }
  ASSERT_NE(sleepers, nullptr) << "no class for line " << spawn_line;
  EXPECT_EQ(sleepers->tasks, static_cast<std::uint64_t>(k_tasks));
  // Each runs, sleeps, and usually runs again; but a sleep whose deadline passes before its
  // task has suspended (the thread preempted, as under TSan on a loaded machine: 3 runs in 20
  // with both CPUs busy) completes without a second run and without blocking.
  EXPECT_GE(sleepers->runs, static_cast<std::uint64_t>(k_tasks));
  EXPECT_GT(sleepers->runs, static_cast<std::uint64_t>(k_tasks + k_tasks / 2));  // most twice
  EXPECT_GT(sleepers->blocked_ns.at("timer"), 0u);
  EXPECT_NE(sleepers->function.find("TaskClassesAreKeyedBySpawnSite"), std::string::npos)
      << sleepers->function;
  // The root's class is there too, and the busiest class comes first.
  ASSERT_GE(s.classes.size(), 2u);
  for (std::size_t i = 1; i < s.classes.size(); ++i) {
    EXPECT_GE(s.classes[i - 1].run_ns, s.classes[i].run_ns);
  }
  std::uint64_t runs = 0;
  for (const auto& c : s.classes) runs += c.runs;
  EXPECT_EQ(runs, s.total().tasks_run);  // every run is counted in exactly one class
}

// The chunks of a parallel_for and the jobs of a worker_pool are counted under the line that
// called parallel_for / submit, not under the library's own spawn.
TEST(Metrics, LibraryTasksAreClassedAtTheCallersLine) {
  int loop_line = 0, submit_line = 0;
  weft::run({.procs = 2}, [&]() -> weft::task<> {
    loop_line = __LINE__ + 1;
    co_await weft::parallel_for(0, 64, [](int) {}, {.grain = 1});
    weft::worker_pool pool({.workers = 2});
    submit_line = __LINE__ + 1;
    auto h = co_await pool.submit([] { return 1; });
    EXPECT_EQ(co_await h, 1);
    co_await pool.join();
  });
  auto s = weft::metrics::snapshot();
  auto find = [&](int line) -> const weft::metrics::class_stats* {
    for (const auto& c : s.classes) {
      if (c.site.ends_with("metrics_test.cpp:" + std::to_string(line))) return &c;
    }
    return nullptr;
  };
  const auto* loop = find(loop_line);
  ASSERT_NE(loop, nullptr);
  EXPECT_EQ(loop->tasks, 63u);  // 64 single-item chunks: the first runs in the caller
  const auto* job = find(submit_line);
  ASSERT_NE(job, nullptr);
  EXPECT_EQ(job->tasks, 1u);
  for (const auto& c : s.classes) EXPECT_EQ(c.site.find("weft/parallel.hpp"), std::string::npos);
}

TEST(Metrics, ClockReadCostIsMeasured) {
  auto ns = weft::metrics::clock_read_ns();
  EXPECT_GT(ns, 0.0);
  EXPECT_LT(ns, 100'000.0);                       // a sanity bound, not a speed claim
  EXPECT_EQ(ns, weft::metrics::clock_read_ns());  // measured once per process
}

// Fine-grained work is timed by sampling (2 runs a sampling period, docs/metrics.md): fewer
// runs are timed than run, yet every run is counted and the run time adds up.
TEST(Metrics, ShortRunsAreTimedBySampling) {
  weft::run({.procs = 1}, []() -> weft::task<> {
    for (int round = 0; round < 20; ++round) {
      weft::task_group g;
      for (int i = 0; i < 1000; ++i) g.spawn([] {});
      co_await g.wait();
    }
  });
  auto t = weft::metrics::snapshot().total();
  EXPECT_GE(t.tasks_run, 20'000u);
  EXPECT_GT(t.timed_runs, 0u);
  EXPECT_LE(t.timed_runs, t.tasks_run);
  // Sampling engages while runs average under 2 us; sanitizers make these runs longer.
  if (!weft::testing::sanitized()) {
    EXPECT_LT(t.timed_runs, t.tasks_run / 4);
  }
  EXPECT_GT(t.run_ns, 0u);
  EXPECT_LE(t.run_ns, t.wall_ns);
}

void burn_for(std::chrono::milliseconds d) {
  auto until = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < until) {
  }
}

// A long run hidden among short sampled ones is still found: its stretch is settled from the
// clock, so it counts as a long run and in the run time.
TEST(Metrics, ALongRunAmongSampledShortOnesIsCounted) {
  weft::run({.procs = 1}, []() -> weft::task<> {
    weft::task_group g;
    for (int i = 0; i < 5000; ++i) g.spawn([] {});
    for (int i = 0; i < 40; ++i) g.spawn([] {});
    g.spawn([] { burn_for(15ms); });
    for (int i = 0; i < 40; ++i) g.spawn([] {});
    co_await g.wait();
  });
  auto t = weft::metrics::snapshot().total();
  EXPECT_GE(t.long_runs, 1u);
  EXPECT_GE(t.max_run_ns, 14'000'000u);
  EXPECT_GE(t.run_ns, 14'000'000u);
}

namespace {
// About `steps` nanoseconds of arithmetic that the compiler cannot drop.
void spin(int steps) {
  static volatile std::uint64_t sink = 1;
  for (int i = 0; i < steps; ++i) sink = sink * 6364136223846793005u + 1;
}

// k_trips round trips of a value between two tasks over two rendezvous channels (named, if
// names are given), inside a running runtime. Each side spins `work` steps a run after it has
// received, which is what wakes the other (here a rendezvous sender waits for its receiver),
// so the task it woke waits about that long to run. With `bursts`, that many times over, each
// after a sleep of `pause` (at procs 1, the worker parks in it).
weft::task<> bounce(long k_trips, std::string there_name, std::string back_name, int work,
                    int bursts = 1, std::chrono::microseconds pause = {}) {
  weft::chan<long> there(0, std::move(there_name));
  weft::chan<long> back(0, std::move(back_name));
  auto pong = weft::spawn([&]() -> weft::task<long> {
    long seen = 0;
    while (auto v = co_await there.recv()) {
      spin(work);
      co_await back.send(*v + 1);
      ++seen;
    }
    co_return seen;
  });
  long ok = 0;
  for (int b = 0; b < bursts; ++b) {
    if (pause.count() > 0) co_await weft::sleep_for(pause);
    for (long i = 0; i < k_trips; ++i) {
      co_await there.send(i);
      auto v = co_await back.recv();
      spin(work);
      if (v && *v == i + 1) ++ok;
    }
  }
  there.close();
  EXPECT_EQ(ok, k_trips * bursts);
  EXPECT_EQ(co_await pong, k_trips * bursts);
}

// The same at procs 1, as the whole of a runtime's run.
void ping_pong(long k_trips, const std::string& there_name = {},
               const std::string& back_name = {}) {
  weft::run({.procs = 1},
            [&]() -> weft::task<> { co_await bounce(k_trips, there_name, back_name, 0); });
}

// The waits of named channels in `s`: (name, waits).
std::uint64_t waits_on(const weft::metrics::runtime_stats& s, const std::string& name) {
  for (const auto& o : s.objects) {
    if (o.name == name) return o.waits;
  }
  return 0;
}
}  // namespace

// Two tasks bouncing a value over two rendezvous channels at procs 1: each run is tens of
// nanoseconds, so the worker samples (docs/metrics.md), and the tasks it wakes are stamped
// between its clock readings. However they are stamped, a task's running, runnable and blocked
// time are disjoint parts of its life, so they cannot add up to much more than the wall time.
// With one worker and two tasks, at most one task is runnable and not running at any moment,
// so the summed scheduling latency is at most the wall time. And the two tasks do the same
// thing in turn, so each has its share of the latency.
//
// Before: stamped with the last reading, up to a stretch of hundreds of runs old, the task
// that started each stretch read as runnable for the whole stretch, and the latency summed to
// 400 times the wall time; the blocked time all went to the other task; and with the sampling
// period even, every sampled latency fell on the same task. Now (release build, local VM): a
// class's running + runnable + blocked is 0.96 to 1.26 times the wall time, median 1.08, in 100
// processes of bench/'s ping-pong (the timed runs' own clock readings make the sampled run time
// read high), the summed latency about half the wall time, a quarter to each task. With the stress
// tests running on the other vCPU, as under `ctest -j2`, the estimates stray further: up to 1.57
// times the wall time in 120 classes, the summed latency up to 0.87 of it. The bounds leave room
// for that.
TEST(Metrics, SampledTimesOfAPingPongFitInItsWallTime) {
  static constexpr long k_trips = 200'000;
  ping_pong(k_trips);
  auto s = weft::metrics::snapshot();
  auto t = s.total();
  EXPECT_GE(t.tasks_run, 2u * k_trips);  // each task runs once a round trip
  // Sampling engages while runs average under 2 us; sanitizers may make these runs longer,
  // and then every run is timed and the same bounds hold for the exact figures.
  if (!weft::testing::sanitized()) {
    EXPECT_LT(t.timed_runs, t.tasks_run / 4);
  }
  auto wall = static_cast<double>(t.wall_ns);
  EXPECT_LE(static_cast<double>(t.sched_latency_ns), 1.5 * wall);
  ASSERT_EQ(s.classes.size(), 2u);
  double latency[2] = {};
  for (std::size_t i = 0; i < 2; ++i) {
    const auto& c = s.classes[i];
    auto life = static_cast<double>(c.run_ns + c.sched_latency_ns);
    for (const auto& [cause, ns] : c.blocked_ns) life += static_cast<double>(ns);
    EXPECT_LE(life, 2.0 * wall) << c.site;
    latency[i] = static_cast<double>(c.sched_latency_ns);
  }
  EXPECT_GE(std::min(latency[0], latency[1]), 0.5 * std::max(latency[0], latency[1]));
  // The worker's run time (its stretches settled: core/sampling.hpp, settled_run) and its
  // classes' (scaled from the picks) are two estimates of the same time. The classes' reads
  // high by the timed runs' own clock readings: the worker's is 0.74 to 1.19 of it, median
  // 0.84, in 100 processes of bench/'s ping-pong. Before (a mean gap per run taken off each
  // stretch) it fell to 0.28 in the VM's slow mode, and the worker read 80-98% scheduler time.
  double class_run = 0;
  for (const auto& c : s.classes) class_run += static_cast<double>(c.run_ns);
  // (No upper bound: a stretch that took in a preemption counts as a long run, all of it in
  // the worker's run time, where the classes see only their picks.)
  EXPECT_GE(static_cast<double>(t.run_ns), 0.4 * class_run);
}

// The same ping-pong with named channels. Each round trip, each channel is waited on once, and
// while the worker samples, those waits are short: counted on the picks only and scaled to the
// runs the picks stand for (worker::count_short_wait). The scaled figures must come back to the
// count that happened, per object, and the blocked time must split evenly between the two
// tasks, which wait in turn. The objects' figures (scaled by the worker's picks) and the
// classes' (by each class's) are two estimates of the same waits.
//
// Counted on every wait (before 2026-12-05), the waits were k_trips exactly. Sampled, in 150
// processes of bench/'s ping-pong at the same size (release build, local VM): 0.90 to 1.10 of
// the count, median 1.00; the smaller task's blocked time 0.95 of the larger's or more; the
// objects' total within 0.2% of the classes'. Counted on the picks and not scaled, the waits
// would read about a five-hundredth of the count; counted on every run as well, double.
TEST(Metrics, SampledWaitsOfAPingPongAddUpPerObjectAndPerTask) {
  static constexpr long k_trips = 200'000;
  // Named objects' figures are process-wide and outlive runtimes: names of this run's own.
  static int run = 0;
  auto there = "sampled-there-" + std::to_string(++run);
  auto back = "sampled-back-" + std::to_string(run);
  ping_pong(k_trips, there, back);
  auto s = weft::metrics::snapshot();
  auto wall = static_cast<double>(s.total().wall_ns);
  double objects_blocked = 0;
  int found = 0;
  for (const auto& o : s.objects) {
    if (o.name != there && o.name != back) continue;
    ++found;
    EXPECT_GE(static_cast<double>(o.waits), 0.8 * k_trips) << o.name;
    EXPECT_LE(static_cast<double>(o.waits), 1.2 * k_trips) << o.name;
    EXPECT_GT(o.blocked_ns, 0u) << o.name;
    EXPECT_LE(static_cast<double>(o.blocked_ns), wall) << o.name;
    objects_blocked += static_cast<double>(o.blocked_ns);
  }
  EXPECT_EQ(found, 2);
  ASSERT_EQ(s.classes.size(), 2u);
  double blocked[2] = {};
  for (std::size_t i = 0; i < 2; ++i) {
    for (const auto& [cause, ns] : s.classes[i].blocked_ns) blocked[i] += static_cast<double>(ns);
  }
  EXPECT_GE(std::min(blocked[0], blocked[1]), 0.5 * std::max(blocked[0], blocked[1]));
  auto classes_blocked = blocked[0] + blocked[1];
  EXPECT_GE(objects_blocked, 0.8 * classes_blocked);
  EXPECT_LE(objects_blocked, 1.25 * classes_blocked);
}

// A sample's weight is the runs of its period, and the period follows the run length (32 runs
// while they take a few hundred nanoseconds, 512 to 1024 at tens). Two phases of one run, a
// ping-pong of ~300 ns runs on one pair of channels and then one of bare runs on another: each
// object's waits must come back to its own count. Scaled by one ratio for the whole worker
// instead (the runs over the picks, as this was first written), the first phase's picks, many
// and each standing for few runs, would stand for as many as the second's: its objects read
// 6.7 times too many waits, the second phase's under half. Latency likewise: in the first
// phase each task waits ~300 ns to run (the other spins after it has sent), in the second tens
// of nanoseconds; one worker, so the summed latency is at most the wall time.
TEST(Metrics, SampledWaitsAreWeightedByTheirPeriods) {
  static constexpr long k_slow = 20'000;
  static constexpr long k_fast = 200'000;
  static int run = 0;
  auto n = std::to_string(++run);
  weft::run({.procs = 1}, [&]() -> weft::task<> {
    co_await bounce(k_slow, "slow-there-" + n, "slow-back-" + n, 300);
    co_await bounce(k_fast, "fast-there-" + n, "fast-back-" + n, 0);
  });
  auto s = weft::metrics::snapshot();
  for (const auto* phase : {"slow-", "fast-"}) {
    auto trips = phase == std::string("slow-") ? k_slow : k_fast;
    for (const auto* side : {"there-", "back-"}) {
      auto name = phase + std::string(side) + n;
      auto waits = static_cast<double>(waits_on(s, name));
      EXPECT_GE(waits, 0.75 * static_cast<double>(trips)) << name;
      EXPECT_LE(waits, 1.25 * static_cast<double>(trips)) << name;
    }
  }
}

// Latency is weighted the same way. Two phases of one run at procs 1: eight tasks taking turns
// (each yields after ~300 ns of work, so each waits for the other seven: the summed latency is
// seven times the phase's length), then a ping-pong of bare runs (its latency a fraction of
// its length). The first phase's period is 64 runs, the second's 1024. Weighted, the latency
// reads 1.07 times that (111-113 ms where seven times the first phase is 99-101, four runs).
// Scaled by one ratio, runs over picks, the first phase's many picks would stand for as many
// runs each as the second's: 532-556 ms (checked), about five times the truth.
TEST(Metrics, SampledLatencyIsWeightedByItsPeriods) {
  static constexpr int k_tasks = 8;
  static constexpr int k_turns = 5'000;
  double first_ns = 0;
  weft::run({.procs = 1}, [&]() -> weft::task<> {
    auto t0 = std::chrono::steady_clock::now();
    weft::task_group g;
    for (int i = 0; i < k_tasks; ++i) {
      g.spawn([]() -> weft::task<> {
        for (int n = 0; n < k_turns; ++n) {
          spin(300);
          co_await weft::yield();
        }
      });
    }
    co_await g.wait();
    first_ns =
        std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
    co_await bounce(200'000, {}, {}, 0);
  });
  auto t = weft::metrics::snapshot().total();
  auto latency = static_cast<double>(t.sched_latency_ns);
  auto wall = static_cast<double>(t.wall_ns);
  EXPECT_GE(latency, 0.5 * (k_tasks - 1) * first_ns);
  EXPECT_LE(latency, 1.5 * ((k_tasks - 1) * first_ns + (wall - first_ns)));
}

// Run time is weighted the same way. One class of tasks in two phases at procs 1: eight taking
// turns with ~300 ns of work a run (period 64), then eight taking turns with none (period 1024).
// One worker: the class's run time is at most the wall time, and at least most of the first
// phase. Weighted: 20.9-21.1 ms in 23.4-24.4 ms of wall time (three runs). Scaled by one ratio,
// its runs over its picks, the first phase's picks would stand for as many runs each as the
// second's: 91-92 ms in 20 ms (checked).
TEST(Metrics, SampledRunTimeIsWeightedByItsPeriods) {
  double first_ns = 0;
  weft::run({.procs = 1}, [&]() -> weft::task<> {
    for (int work : {300, 0}) {
      auto t0 = std::chrono::steady_clock::now();
      int turns = work != 0 ? 5'000 : 50'000;
      weft::task_group g;
      for (int i = 0; i < 8; ++i) {
        g.spawn([turns, work]() -> weft::task<> {
          for (int n = 0; n < turns; ++n) {
            spin(work);
            co_await weft::yield();
          }
        });
      }
      co_await g.wait();
      if (work != 0) {
        first_ns =
            std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
      }
    }
  });
  auto s = weft::metrics::snapshot();
  const weft::metrics::class_stats* turns = nullptr;
  for (const auto& c : s.classes) {
    if (c.tasks == 16) turns = &c;
  }
  ASSERT_NE(turns, nullptr);
  auto run = static_cast<double>(turns->run_ns);
  EXPECT_GE(run, 0.5 * first_ns);
  EXPECT_LE(run, static_cast<double>(s.total().wall_ns));
}

// A worker that parks between short bursts of work, as a server's worker does between requests:
// each burst here is a ping-pong of 32 round trips (65 runs of tens of nanoseconds, shorter than
// one sampling period of 256 to 1024 such runs), after a sleep that parks the only worker. Each
// round trip, each channel is waited on once, and the waits are short (but the first on "there"
// in each burst, which lasts the sleep). Then, on the same worker, as many round trips of one
// unbroken ping-pong on two other channels, whose samples are picks of whole periods. Every
// object's waits must come back to its count: the first stretch after a search has a random
// length, and its pick stands for a whole period (worker::start_random_period). Weighted by
// its stretch instead, as a pick of a whole period is, such a pick would count for a few dozen
// runs where it stands for hundreds, and the bursts' objects would read a fraction of their
// count beside the unbroken phase's (checked: 0.14 to 0.19, and 1.79 to 1.88).
// Before the first stretch after a search was given a random length, few bursts reached a
// pick, and the few samples were scaled to every run: "back" read 0 to 0.37 of its count,
// "there" 1.66 to 2.03 (three processes, checked, with the bursts alone). Now, in 60 processes
// (release build, local VM): the four objects 0.86 to 1.16 of the count, medians 0.99 to 1.00.
// (With the sampler's generator seeded by the worker's index alone, every process drew the
// same sample positions, and one object read 1.05 to 1.11 in all 60.)
TEST(Metrics, ShortBurstsBetweenParksAreSampled) {
  static constexpr int k_bursts = 4'000;
  static constexpr long k_trips = 32;
  static constexpr long k_count = k_bursts * k_trips;
  static int run = 0;
  auto n = std::to_string(++run);
  std::vector<std::string> names = {"burst-there-" + n, "burst-back-" + n, "steady-there-" + n,
                                    "steady-back-" + n};
  weft::run({.procs = 1}, [&]() -> weft::task<> {
    co_await bounce(k_trips, names[0], names[1], 0, k_bursts, 20us);
    co_await bounce(k_count, names[2], names[3], 0);
  });
  auto s = weft::metrics::snapshot();
  for (const auto& name : names) {
    auto waits = static_cast<double>(waits_on(s, name));
    EXPECT_GE(waits, 0.5 * k_count) << name;
    EXPECT_LE(waits, 1.5 * k_count) << name;
  }
}

// A task group of many short tasks at procs 1: all are spawned before any runs, then they run
// one after another, so each waits its turn, on average about half the time the whole takes.
// Their waits are long (thousands of runs), the kind a sampling worker counts on every run
// (worker::count_long_wait) instead of leaving them to its picks: this checks that path adds
// up (counted once, and not also scaled); whether such waits are counted or sampled, the mean
// comes out about the same here (core/sampling_test.cpp checks the estimate's inputs).
TEST(Metrics, TasksQueuedTogetherWaitHalfTheWholeOnAverage) {
  static constexpr int k_tasks = 20'000;
  std::uint64_t elapsed_ns = 0;
  weft::run({.procs = 1}, [&]() -> weft::task<> {
    auto t0 = std::chrono::steady_clock::now();
    weft::task_group g;
    for (int i = 0; i < k_tasks; ++i) g.spawn([] {});
    co_await g.wait();
    elapsed_ns = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0)
            .count());
  });
  auto s = weft::metrics::snapshot();
  const weft::metrics::class_stats* spawned = nullptr;
  for (const auto& c : s.classes) {
    if (c.tasks == k_tasks) spawned = &c;
  }
  ASSERT_NE(spawned, nullptr);
  auto mean_wait = static_cast<double>(spawned->sched_latency_ns) / k_tasks;
  auto e = static_cast<double>(elapsed_ns);
  // 0.50 to 0.54 of the whole in ten runs (release build, local VM). Counted twice, or left
  // out of both the count and the sample, it would read about 1 or about 0.
  EXPECT_GE(mean_wait, 0.3 * e);
  EXPECT_LE(mean_wait, 0.7 * e);
}

// A task that spawns a child and joins it, over and over at procs 1, while the child runs a
// few hundred short runs (yields) before it ends: the worker samples, and each join waits the
// child's whole life, a long wait, which a sampling worker counts on every run it ends on
// (worker::count_long_untimed), not on its picks. With one worker and the joiner waiting, the
// children's lives fill the loop, so the joins' blocked time is about the loop's time.
//
// 1.004 to 1.012 of it in ten runs (release build, local VM), 1.03 to 1.04 beside a benchmark on
// the other vCPU. With the long waits of untimed runs left out (only the timed runs' counted),
// it read 0.002 to 0.005.
TEST(Metrics, LongJoinWaitsAmongSampledRunsAreCounted) {
  static constexpr int k_rounds = 2'000;
  static constexpr int k_yields = 256;
  std::uint64_t elapsed_ns = 0;
  weft::run({.procs = 1}, [&]() -> weft::task<> {
    auto t0 = std::chrono::steady_clock::now();
    for (int r = 0; r < k_rounds; ++r) {
      co_await weft::spawn([]() -> weft::task<> {
        for (int i = 0; i < k_yields; ++i) co_await weft::yield();
      });
    }
    elapsed_ns = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0)
            .count());
  });
  auto s = weft::metrics::snapshot();
  std::uint64_t join_ns = 0;
  for (const auto& c : s.classes) {
    if (auto it = c.blocked_ns.find("join"); it != c.blocked_ns.end()) join_ns += it->second;
  }
  auto e = static_cast<double>(elapsed_ns);
  EXPECT_GE(static_cast<double>(join_ns), 0.6 * e);
  EXPECT_LE(static_cast<double>(join_ns), 1.2 * e);
}

// More spawn sites than the table holds: the rest are counted together, none lost. Each
// instantiation of site_no<N> is a distinct call site (its function name differs).
template <int N>
std::source_location site_no() {
  return std::source_location::current();
}
template <int... I>
void spawn_from_each(weft::task_group& g, std::integer_sequence<int, I...>) {
  (g.spawn([]() -> weft::task<> { co_return; }, site_no<I>()), ...);
}

TEST(Metrics, TaskClassesOverflowIntoOther) {
  constexpr int k_sites = 200;  // more than class_table::k_slots (128)
  weft::run({.procs = 1}, []() -> weft::task<> {
    weft::task_group g;
    spawn_from_each(g, std::make_integer_sequence<int, k_sites>{});
    co_await g.wait();
  });
  auto s = weft::metrics::snapshot();
  std::uint64_t tasks = 0;
  bool other = false;
  for (const auto& c : s.classes) {
    tasks += c.tasks;
    other = other || c.site == "other";
  }
  EXPECT_EQ(tasks, static_cast<std::uint64_t>(k_sites) + 1);  // and the root
  EXPECT_TRUE(other);
  EXPECT_LE(s.classes.size(), 129u);
}

}  // namespace
