// `weft trace summarize` from the command line: help, a real trace, and the errors.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <weft/weft.hpp>

#include "cli_support.hpp"
#include "support/test_support.hpp"

using weft_tools_testing::contains;
using weft_tools_testing::run_weft;

namespace {

TEST(TraceCli, HelpDescribesTheSubcommand) {
  auto r = run_weft("trace summarize --help");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "--json")) << r.output;
  EXPECT_TRUE(contains(r.output, "--top")) << r.output;
  auto top = run_weft("trace --help");
  EXPECT_EQ(top.status, 0) << top.output;
  EXPECT_TRUE(contains(top.output, "WEFT_TRACE")) << top.output;
}

TEST(TraceCli, SummarizesATraceAndWritesJson) {
  auto trace = ::testing::TempDir() + "weft_trace_cli.json";
  auto out = ::testing::TempDir() + "weft_trace_cli_summary.json";
  {
    weft::testing::scoped_env env("WEFT_TRACE", trace.c_str());
    weft::run({.procs = 2}, []() -> weft::task<> {
      weft::task_group g;
      for (int i = 0; i < 50; ++i) g.spawn([]() -> weft::task<> { co_await weft::yield(); });
      co_await g.wait();
    });
  }
  auto r = run_weft("trace summarize --top 3 --json '" + out + "' '" + trace + "'");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "worker 0")) << r.output;
  EXPECT_TRUE(contains(r.output, "trace_cli_test.cpp:")) << r.output;
  EXPECT_TRUE(contains(r.output, "none dropped")) << r.output;
  std::ifstream in(out);
  EXPECT_TRUE(in) << out;
}

TEST(TraceCli, ErrorsNameTheProblem) {
  auto missing = run_weft("trace summarize /nonexistent/trace.json");
  EXPECT_EQ(missing.status, 1) << missing.output;
  EXPECT_TRUE(contains(missing.output, "cannot open '/nonexistent/trace.json'")) << missing.output;

  auto bad = ::testing::TempDir() + "weft_not_a_trace.json";
  std::ofstream(bad) << "[1, 2";
  auto r = run_weft("trace summarize '" + bad + "'");
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "not valid JSON")) << r.output;

  auto none = run_weft("trace summarize");
  EXPECT_EQ(none.status, 2) << none.output;
  EXPECT_TRUE(contains(none.output, "file")) << none.output;

  auto flag = run_weft("trace summarize --top 0 x.json");
  EXPECT_EQ(flag.status, 2) << flag.output;
  EXPECT_TRUE(contains(flag.output, "--top")) << flag.output;

  auto sub = run_weft("trace frobnicate");
  EXPECT_EQ(sub.status, 2) << sub.output;
}

}  // namespace
