#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
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

}  // namespace
