// WEFT_TRACE: the file is Chrome Trace Event JSON with a track per worker, slices named by the
// spawn site that account for every task run (one per timed run; the untimed runs of a sampling
// worker coalesced, with their count in args.runs), wake-up flows whose ends pair up, instants
// and counters.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <weft/weft.hpp>

#include <unistd.h>

#include "support/test_support.hpp"

using namespace std::chrono_literals;
using json = nlohmann::json;

namespace {

// A trace file of this test: per process (ctest runs this binary's tests in parallel, as
// separate processes), and removed when the test ends, passed or failed.
struct temp_file {
  std::string path;
  explicit temp_file(const char* name)
      : path(testing::TempDir() + std::to_string(getpid()) + "_" + name) {
    std::remove(path.c_str());
  }
  temp_file(const temp_file&) = delete;
  temp_file& operator=(const temp_file&) = delete;
  ~temp_file() { std::remove(path.c_str()); }
};

// The task runs a slice stands for: 1, or a coalesced slice's count.
std::uint64_t runs_of(const json& e) {
  return e.contains("args") && e["args"].contains("runs") ? e["args"]["runs"].get<std::uint64_t>()
                                                          : 1;
}

json load(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in) << path;
  return json::parse(in);  // throws (failing the test) if the file is not valid JSON
}

int g_child_line = 0;

// A little of everything: forked children that are joined, a channel hand-off, a sleep.
weft::task<> workload(int children) {
  weft::task_group g;
  for (int i = 0; i < children; ++i) {
    g_child_line = __LINE__ + 1;
    g.spawn([]() -> weft::task<> { co_await weft::yield(); });
  }
  co_await g.wait();
  weft::chan<int> c;
  auto h = weft::spawn([&]() -> weft::task<int> { co_return (co_await c.recv()).value_or(-1); });
  co_await c.send(7);
  EXPECT_EQ(co_await h, 7);
  co_await weft::sleep_for(200us);
}

TEST(Trace, WritesAChromeTraceOfTheRun) {
  temp_file file("weft_trace_test.json");
  const auto& path = file.path;
  constexpr int k_children = 300;
  {
    weft::testing::scoped_env env("WEFT_TRACE", path.c_str());
    weft::run({.procs = 2, .name = "traced"}, [] { return workload(k_children); });
  }
  auto totals = weft::metrics::snapshot().total();
  auto runs = totals.tasks_run;
  auto j = load(path);
  ASSERT_TRUE(j.contains("traceEvents"));
  const auto& other = j["otherData"];
  EXPECT_EQ(other["schema"], "weft.trace/1");
  EXPECT_EQ(other["runtime"], "traced");
  EXPECT_EQ(other["procs"], 2);
  EXPECT_EQ(other["dropped_events"], 0);

  std::size_t slices = 0, coalesced = 0, non_meta = 0;
  std::uint64_t slice_runs = 0, child_runs = 0;
  std::set<long long> flow_out, flow_in;
  std::set<int> thread_names;
  bool alive_counter = false, queue_counter = false;
  const std::string child_name = "trace_test.cpp:" + std::to_string(g_child_line);
  for (const auto& e : j["traceEvents"]) {
    auto ph = e["ph"].get<std::string>();
    int tid = e["tid"].get<int>();
    EXPECT_GE(tid, 0);
    EXPECT_LT(tid, 2);
    if (ph == "M") {
      if (e["name"] == "thread_name") thread_names.insert(tid);
      continue;
    }
    ++non_meta;
    EXPECT_GE(e["ts"].get<double>(), 0.0);
    if (ph == "X") {
      ++slices;
      EXPECT_GE(e["dur"].get<double>(), 0.0);
      auto n = runs_of(e);
      EXPECT_GE(n, 1u);
      if (e.contains("args")) ++coalesced;
      slice_runs += n;
      if (e["name"] == child_name) child_runs += n;
    } else if (ph == "s") {
      EXPECT_TRUE(flow_out.insert(e["id"].get<long long>()).second) << "flow id reused";
    } else if (ph == "f") {
      EXPECT_EQ(e["bp"], "e");
      EXPECT_TRUE(flow_in.insert(e["id"].get<long long>()).second) << "flow id ends twice";
    } else if (ph == "C") {
      alive_counter = alive_counter || e["name"] == "tasks alive";
      queue_counter = queue_counter || e["name"].get<std::string>().starts_with("run queue w");
    }
  }
  EXPECT_EQ(other["events"].get<std::size_t>(), non_meta);
  // Every task run is in exactly one slice, under its own class: the children each ran twice
  // (they yield once).
  EXPECT_EQ(slice_runs, runs);
  EXPECT_EQ(child_runs, 2u * k_children);
  EXPECT_LE(slices, runs);
  // Every arrow that ends started somewhere.
  for (auto id : flow_in) EXPECT_TRUE(flow_out.count(id)) << "flow " << id << " has no start";
  if (totals.timed_runs < runs) {
    // The runs were short enough to sample (release builds): the untimed ones were coalesced.
    EXPECT_GT(coalesced, 0u);
    EXPECT_LT(slices, runs);
  } else {
    // Every run was timed (sanitizer builds run slower): a slice each, and an arrow to every
    // child from the run that spawned it.
    EXPECT_EQ(coalesced, 0u);
    EXPECT_GE(flow_in.size(), static_cast<std::size_t>(k_children));
  }
  EXPECT_EQ(thread_names, (std::set<int>{0, 1}));
  EXPECT_TRUE(alive_counter);
  EXPECT_TRUE(queue_counter);
}

// A trace file that cannot be opened leaves tracing off; the run itself is unaffected.
TEST(Trace, AnUnwritablePathDoesNotFailTheRun) {
  weft::testing::scoped_env env("WEFT_TRACE", "/nonexistent-dir/weft/trace.json");
  auto v = weft::run({.procs = 2}, []() -> weft::task<int> {
    co_await workload(10);
    co_return 42;
  });
  EXPECT_EQ(v, 42);
}

int g_ping_line = 0;
int g_pong_line = 0;
constexpr int k_rounds = 20'000;

// Two classes taking turns on one worker (a ping-pong over two channels), the case the
// stretch's second entry serves: each side's runs are all in slices under its own name, as many
// as the metrics count for its class.
TEST(Trace, TwoClassesTakingTurnsAreEachCountedExactly) {
  temp_file file("weft_trace_turns.json");
  const auto& path = file.path;
  {
    weft::testing::scoped_env env("WEFT_TRACE", path.c_str());
    weft::run({.procs = 1}, []() -> weft::task<> {
      weft::chan<int> to_pong;
      weft::chan<int> to_ping;
      g_pong_line = __LINE__ + 1;
      auto pong = weft::spawn([&]() -> weft::task<int> {
        int seen = 0;
        while (auto v = co_await to_pong.recv()) {
          co_await to_ping.send(*v + 1);
          ++seen;
        }
        co_return seen;
      });
      g_ping_line = __LINE__ + 1;
      auto ping = weft::spawn([&]() -> weft::task<int> {
        int ok = 0;
        for (int i = 0; i < k_rounds; ++i) {
          co_await to_pong.send(i);
          if (co_await to_ping.recv() == i + 1) ++ok;
        }
        to_pong.close();
        co_return ok;
      });
      EXPECT_EQ(co_await ping, k_rounds);
      EXPECT_EQ(co_await pong, k_rounds);
    });
  }
  auto stats = weft::metrics::snapshot();
  auto class_runs = [&](int line) -> std::uint64_t {
    auto site = "trace_test.cpp:" + std::to_string(line);
    for (const auto& c : stats.classes) {
      if (c.site.ends_with(site)) return c.runs;
    }
    return 0;
  };
  auto j = load(path);
  EXPECT_EQ(j["otherData"]["dropped_events"], 0);
  std::map<std::string, std::uint64_t> slice_runs;
  std::uint64_t all = 0;
  for (const auto& e : j["traceEvents"]) {
    if (e["ph"] != "X") continue;
    slice_runs[e["name"].get<std::string>()] += runs_of(e);
    all += runs_of(e);
  }
  auto ping_runs = class_runs(g_ping_line);
  auto pong_runs = class_runs(g_pong_line);
  EXPECT_GE(ping_runs, static_cast<std::uint64_t>(k_rounds));
  EXPECT_GE(pong_runs, static_cast<std::uint64_t>(k_rounds));
  EXPECT_EQ(slice_runs["trace_test.cpp:" + std::to_string(g_ping_line)], ping_runs);
  EXPECT_EQ(slice_runs["trace_test.cpp:" + std::to_string(g_pong_line)], pong_runs);
  EXPECT_EQ(all, stats.total().tasks_run);
}

// With a tiny buffer the recorder loses events (the oldest by default, the newest when a
// writer streams), but never blocks or corrupts the file: it stays valid JSON and its counts
// add up.
void check_bounded(const char* stream) {
  temp_file file("weft_trace_small.json");
  const auto& path = file.path;
  {
    weft::testing::scoped_env env("WEFT_TRACE", path.c_str());
    weft::testing::scoped_env buf("WEFT_TRACE_BUFFER_MB", "1");
    weft::testing::scoped_env str("WEFT_TRACE_STREAM", stream);
    weft::run({.procs = 1}, []() -> weft::task<> {
      for (int round = 0; round < 20; ++round) co_await workload(500);
    });
  }
  auto runs = weft::metrics::snapshot().total().tasks_run;
  auto j = load(path);
  std::size_t non_meta = 0, slices = 0;
  std::uint64_t slice_runs = 0;
  for (const auto& e : j["traceEvents"]) {
    if (e["ph"] != "M") ++non_meta;
    if (e["ph"] == "X") {
      ++slices;
      slice_runs += runs_of(e);
    }
  }
  EXPECT_EQ(j["otherData"]["events"].get<std::size_t>(), non_meta);
  auto dropped = j["otherData"]["dropped_events"].get<std::uint64_t>();
  auto dropped_runs = j["otherData"]["dropped_runs"].get<std::uint64_t>();
  // Each run is in a slice, which was written or dropped; runs were dropped only with events.
  EXPECT_EQ(slice_runs + dropped_runs, runs);
  if (dropped_runs > 0) {
    EXPECT_GT(dropped, 0u);
  }
  EXPECT_GT(slices, 0u);
}

TEST(Trace, ABoundedBufferKeepsTheNewest) {
  check_bounded(nullptr);
}

TEST(Trace, AStreamingWriterDropsRatherThanBlocks) {
  check_bounded("1");
}

}  // namespace
