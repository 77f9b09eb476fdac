// Work/span accounting on task trees whose answer is known by construction. The leaves burn a
// fixed amount of CPU; the assertions are on ratios of measured CPU time (work / span), which
// do not depend on how fast the machine is, with tolerances for preemption noise (a task
// preempted mid-run has that time counted as work; on a loaded 2-core machine that is a few
// tens of percent). What they pin down is the structure: 1 for a chain, ~16 for 16 leaves.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
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

// Preemption can only add time to some runs, which moves the measured parallelism away from
// the true one in either direction; the structure is checked on the best of three runs (the one
// closest to the truth), and the bounds separate the shapes (1 vs ~4.5 vs ~16) rather than pin
// the value, so a loaded machine cannot fail a correct implementation.
template <class Run>
double best_parallelism(Run run, double truth) {
  double best = 0;
  for (int attempt = 0; attempt < 3; ++attempt) {
    weft::run({.procs = 2}, run);
    auto p = weft::metrics::snapshot().parallelism();
    if (attempt == 0 || std::abs(p - truth) < std::abs(best - truth)) best = p;
  }
  return best;
}

TEST(WorkSpan, AChainHasParallelismOne) {
  auto p = best_parallelism([] { return chain(20); }, 1.0);
  EXPECT_GT(weft::metrics::snapshot().span_ns(), 0u);
  EXPECT_GT(p, 0.7);
  EXPECT_LT(p, 1.6);
}

TEST(WorkSpan, ABalancedTreeHasParallelismNearItsLeafCount) {
  auto p = best_parallelism([] { return tree(4); }, 16.0);  // 16 equal leaves
  EXPECT_GT(p, 4.0);  // clearly "many": a preempted leaf on the critical path lowers it
  EXPECT_LT(p, 16 * 1.2);
}

TEST(WorkSpan, TaskGroupJoinsTakeTheLongestChild) {
  auto p = best_parallelism(
      []() -> weft::task<> {
        weft::task_group g;
        for (int i = 0; i < 8; ++i) {
          g.spawn([] { burn(std::chrono::microseconds(1000)); });
        }
        co_await g.wait();
        burn(std::chrono::microseconds(1000));  // serial tail after the join
      },
      4.5);
  // work ~ 9 ms, span ~ 2 ms: parallelism ~ 4.5
  EXPECT_GT(p, 2.0);
  EXPECT_LT(p, 8.0);
}

weft::task<> burn_then_done(weft::wait_group& wg) {
  burn(std::chrono::microseconds(20'000));
  wg.done();
  co_return;
}

// A path nobody continues still counts: a child whose handle is dropped unawaited ends its
// path itself (it is recorded where it ends, or where the handle is dropped if that is later),
// while the root's own path is a few microseconds of running.
TEST(WorkSpan, AnUnjoinedChildsPathCountsTowardTheSpan) {
  weft::run({.procs = 2}, []() -> weft::task<> {
    weft::wait_group wg;
    wg.add(1);
    {
      auto h = weft::spawn(burn_then_done(wg));
      co_await wg.wait();
    }  // dropped unawaited: the child may or may not have ended by now
  });
  EXPECT_GE(weft::metrics::snapshot().span_ns(), 15'000'000u);
}

// A group nobody waits for ends its children's paths where it is destroyed; a task still
// alive at shutdown ends its path there. Either way the span holds them.
TEST(WorkSpan, AnUnwaitedGroupsChildrenCountTowardTheSpan) {
  weft::run({.procs = 2}, []() -> weft::task<> {
    weft::wait_group wg;
    wg.add(1);
    {
      weft::task_group g;
      g.spawn(burn_then_done(wg));
      co_await wg.wait();
    }  // destroyed unwaited (the child may still be finishing: it is then cancelled)
  });
  EXPECT_GE(weft::metrics::snapshot().span_ns(), 15'000'000u);
}

weft::task<> burn_then_wait_for_ever(weft::wait_group& wg) {
  burn(std::chrono::microseconds(20'000));
  wg.done();
  weft::chan<int> never(0);
  (void)co_await never.recv();  // nobody sends: still waiting when the root ends
}

TEST(WorkSpan, ATaskAliveAtShutdownEndsItsPathThere) {
  weft::run({.procs = 1}, []() -> weft::task<> {
    weft::wait_group wg;
    wg.add(1);
    weft::go(burn_then_wait_for_ever(wg));
    co_await wg.wait();
  });
  EXPECT_GE(weft::metrics::snapshot().span_ns(), 15'000'000u);
}

}  // namespace
