// Work/span accounting on task trees whose answer is known by construction. The leaves burn a
// fixed amount of CPU; the assertions are on ratios of measured CPU time (work / span), which
// do not depend on how fast the machine is, with tolerances for preemption noise (a task
// preempted mid-run has that time counted as work; on a loaded 2-core machine that is a few
// tens of percent). What they pin down is the structure: 1 for a chain, ~16 for 16 leaves.
#include <gtest/gtest.h>

#include <chrono>
#include <weft/weft.hpp>

namespace {

void burn(std::chrono::microseconds d) {
  auto until = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < until) {
  }
}

weft::task<> chain(int depth) {
  burn(std::chrono::microseconds(500));
  if (depth == 0) co_return;
  auto h = weft::spawn(chain(depth - 1));
  co_await h;
}

weft::task<> tree(int depth) {
  if (depth == 0) {
    burn(std::chrono::microseconds(2000));
    co_return;
  }
  auto left = weft::spawn(tree(depth - 1));
  co_await tree(depth - 1);
  co_await left;
}

TEST(WorkSpan, AChainHasParallelismOne) {
  weft::run({.procs = 2}, [] { return chain(20); });
  auto s = weft::metrics::snapshot();
  EXPECT_GT(s.span_ns(), 0u);
  EXPECT_NEAR(s.parallelism(), 1.0, 0.5) << s.work_ns() << " / " << s.span_ns();
}

TEST(WorkSpan, ABalancedTreeHasParallelismNearItsLeafCount) {
  weft::run({.procs = 2}, [] { return tree(4); });  // 16 equal leaves
  auto s = weft::metrics::snapshot();
  EXPECT_GT(s.parallelism(), 16 * 0.6) << s.work_ns() << " / " << s.span_ns();
  EXPECT_LT(s.parallelism(), 16 * 1.2);
}

TEST(WorkSpan, TaskGroupJoinsTakeTheLongestChild) {
  weft::run({.procs = 2}, []() -> weft::task<> {
    weft::task_group g;
    for (int i = 0; i < 8; ++i) {
      g.spawn([] { burn(std::chrono::microseconds(1000)); });
    }
    co_await g.wait();
    burn(std::chrono::microseconds(1000));  // serial tail after the join
  });
  auto s = weft::metrics::snapshot();
  // work ~ 9 ms, span ~ 2 ms: parallelism ~ 4.5
  EXPECT_GT(s.parallelism(), 2.5) << s.work_ns() << " / " << s.span_ns();
  EXPECT_LT(s.parallelism(), 6.5);
}

}  // namespace
