// `weft trace summarize`: its figures agree with the runtime's own counters for the same run,
// and files that are not traces get a clear error.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <weft/weft.hpp>

#include "support/test_support.hpp"
#include "trace/summary.hpp"

namespace {

int g_leaf_line = 0;

TEST(TraceSummary, AgreesWithTheRuntimesCounters) {
  auto path = testing::TempDir() + "weft_trace_summary_test.json";
  std::remove(path.c_str());
  constexpr int k_leaves = 400;
  {
    weft::testing::scoped_env env("WEFT_TRACE", path.c_str());
    weft::run({.procs = 2, .name = "summarized"}, []() -> weft::task<> {
      weft::task_group g;
      for (int i = 0; i < k_leaves; ++i) {
        g_leaf_line = __LINE__ + 1;
        g.spawn([]() -> weft::task<> { co_return; });
      }
      co_await g.wait();
    });
  }
  auto stats = weft::metrics::snapshot();
  std::ifstream in(path);
  ASSERT_TRUE(in);
  auto s = weft_trace::summarize(in);
  EXPECT_EQ(s.schema, "weft.trace/1");
  EXPECT_EQ(s.runtime, "summarized");
  EXPECT_EQ(s.dropped, 0u);
  std::uint64_t slices = 0;
  for (const auto& [tid, w] : s.workers) slices += w.slices;
  EXPECT_EQ(slices, stats.total().tasks_run);
  EXPECT_EQ(s.runs(), slices);
  auto leaf = s.classes.find("trace_summary_test.cpp:" + std::to_string(g_leaf_line));
  ASSERT_NE(leaf, s.classes.end());
  EXPECT_EQ(leaf->second.slices, static_cast<std::uint64_t>(k_leaves));
  EXPECT_EQ(s.workers.at(0).name, "worker 0");
  if (stats.total().timed_runs == stats.total().tasks_run) {
    EXPECT_GE(s.flows_out, static_cast<std::uint64_t>(k_leaves));  // each leaf's spawn
  }  // else the workers sampled the short runs, and draw no arrows then
  EXPECT_GT(s.duration_us(), 0.0);
  EXPECT_LE(s.slice_quantile(0.5), s.slice_quantile(1.0));

  // The printed report names the busiest classes and the JSON carries the same counts.
  char* buf = nullptr;
  std::size_t len = 0;
  std::FILE* mem = open_memstream(&buf, &len);
  weft_trace::print(s, path, mem, 5);
  std::fclose(mem);
  std::string text(buf, len);
  std::free(buf);  // NOLINT(cppcoreguidelines-no-malloc): open_memstream's buffer
  EXPECT_NE(text.find("trace_summary_test.cpp:" + std::to_string(g_leaf_line)), std::string::npos)
      << text;
  EXPECT_NE(text.find("worker 1"), std::string::npos) << text;
  auto j = weft_trace::to_json(s);
  EXPECT_EQ(j["schema"], "weft.trace-summary/1");
  EXPECT_EQ(j["tracks"].size(), s.workers.size());
}

TEST(TraceSummary, RejectsWhatIsNotATrace) {
  std::istringstream not_json("{\"traceEvents\": [ {\"ph\": ");
  EXPECT_THROW(weft_trace::summarize(not_json), weft_trace::trace_format_error);
  std::istringstream other_json("{\"hello\": [1, 2, 3]}");
  try {
    weft_trace::summarize(other_json);
    FAIL() << "accepted JSON without traceEvents";
  } catch (const weft_trace::trace_format_error& e) {
    EXPECT_NE(std::string(e.what()).find("traceEvents"), std::string::npos) << e.what();
  }
}

// Traces from elsewhere (a bare array of events is not accepted, an object with traceEvents
// and no weft metadata is): tracks without names are shown by tid.
TEST(TraceSummary, ReadsForeignTraces) {
  std::istringstream in(R"({"traceEvents":[
    {"ph":"X","pid":1,"tid":7,"ts":10,"dur":5,"name":"a"},
    {"ph":"X","pid":1,"tid":7,"ts":20,"dur":15,"name":"a"},
    {"ph":"X","pid":1,"tid":8,"ts":12,"dur":3,"name":"b"}]})");
  auto s = weft_trace::summarize(in);
  EXPECT_EQ(s.events, 3u);
  EXPECT_DOUBLE_EQ(s.duration_us(), 25.0);
  EXPECT_EQ(s.workers.at(7).slices, 2u);
  EXPECT_DOUBLE_EQ(s.classes.at("a").total_us, 20.0);
  EXPECT_DOUBLE_EQ(s.classes.at("a").max_us, 15.0);
}

// A coalesced slice (a sampling worker's untimed runs, args.runs) counts as that many runs of
// the mean length; a count no weft trace could hold is an error, not a huge allocation.
TEST(TraceSummary, CountsTheRunsOfCoalescedSlices) {
  std::istringstream in(R"({"traceEvents":[
    {"ph":"X","pid":1,"tid":0,"ts":0,"dur":30,"name":"a","cat":"task","args":{"runs":10}},
    {"ph":"X","pid":1,"tid":0,"ts":30,"dur":8,"name":"a","cat":"task"}]})");
  auto s = weft_trace::summarize(in);
  EXPECT_EQ(s.workers.at(0).slices, 11u);
  EXPECT_EQ(s.classes.at("a").slices, 11u);
  EXPECT_DOUBLE_EQ(s.classes.at("a").total_us, 38.0);
  EXPECT_DOUBLE_EQ(s.classes.at("a").max_us, 8.0);  // the coalesced runs' mean is 3
  EXPECT_EQ(s.runs(), 11u);
  EXPECT_EQ(s.run_lengths.size(), 2u);  // a weighted entry per slice, not one per run
  EXPECT_DOUBLE_EQ(s.slice_quantile(0.5), 3.0);

  std::istringstream huge(R"({"traceEvents":[
    {"ph":"X","pid":1,"tid":0,"ts":0,"dur":1,"name":"a","args":{"runs":1e12}}]})");
  try {
    weft_trace::summarize(huge);
    FAIL() << "accepted a slice of 1e12 runs";
  } catch (const weft_trace::trace_format_error& e) {
    EXPECT_NE(std::string(e.what()).find("task runs"), std::string::npos) << e.what();
  }
}

}  // namespace
