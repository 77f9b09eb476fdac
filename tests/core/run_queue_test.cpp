#include "core/run_queue.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "core/injector.hpp"
#include "support/test_support.hpp"

namespace {
using weft::detail::injector;
using weft::detail::run_queue;
using weft::detail::steal_result;
using weft::detail::task_header;

TEST(RunQueue, OwnerPopsInFifoOrder) {
  run_queue q;
  injector inj;
  std::vector<task_header> tasks(10);
  for (auto& t : tasks) EXPECT_FALSE(q.push_back(&t, inj));
  EXPECT_EQ(q.size(), 10u);
  for (auto& t : tasks) EXPECT_EQ(q.pop(), &t);
  EXPECT_EQ(q.pop(), nullptr);
  EXPECT_TRUE(q.empty());
}

TEST(RunQueue, OverflowMovesHalfToTheInjectorAndLosesNothing) {
  run_queue q;
  injector inj;
  std::vector<task_header> tasks(run_queue::k_capacity + 1);
  int overflows = 0;
  for (auto& t : tasks) overflows += q.push_back(&t, inj) ? 1 : 0;
  EXPECT_EQ(overflows, 1);
  EXPECT_EQ(inj.size(), run_queue::k_capacity / 2 + 1);
  EXPECT_EQ(q.size(), run_queue::k_capacity / 2);
  std::vector<int> seen(tasks.size(), 0);
  while (auto* t = q.pop()) ++seen[static_cast<std::size_t>(t - tasks.data())];
  while (auto* t = inj.pop()) ++seen[static_cast<std::size_t>(t - tasks.data())];
  for (int s : seen) EXPECT_EQ(s, 1);
}

TEST(RunQueue, StealTakesHalf) {
  run_queue victim, thief;
  injector inj;
  std::vector<task_header> tasks(8);
  for (auto& t : tasks) victim.push_back(&t, inj);
  steal_result why{};
  auto* got = victim.steal_into(thief, why);
  EXPECT_EQ(why, steal_result::stolen);
  EXPECT_EQ(got, &tasks[3]);  // 4 stolen: three land in the thief's queue, the last is returned
  EXPECT_EQ(thief.size(), 3u);
  EXPECT_EQ(victim.size(), 4u);
  EXPECT_EQ(victim.pop(), &tasks[4]);
}

TEST(RunQueue, StealFromEmptySaysEmpty) {
  run_queue victim, thief;
  steal_result why{};
  EXPECT_EQ(victim.steal_into(thief, why), nullptr);
  EXPECT_EQ(why, steal_result::empty);
}

// The owner pushes and pops while two thieves steal: every task is taken exactly once.
TEST(RunQueueStress, EveryTaskTakenExactlyOnce) {
  const std::size_t n = weft::testing::scaled(200'000);
  std::vector<task_header> tasks(n);
  std::vector<std::atomic<int>> taken(n);
  run_queue owner_q;
  injector inj;
  std::atomic<bool> done{false};
  auto mark = [&](task_header* t) {
    taken[static_cast<std::size_t>(t - tasks.data())].fetch_add(1);
  };
  std::vector<std::thread> thieves;
  for (int k = 0; k < 2; ++k) {
    thieves.emplace_back([&] {
      run_queue mine;
      steal_result why{};
      while (!done.load()) {
        if (auto* t = owner_q.steal_into(mine, why)) {
          mark(t);
          while (auto* u = mine.pop()) mark(u);
        }
      }
    });
  }
  for (std::size_t i = 0; i < n; ++i) {
    owner_q.push_back(&tasks[i], inj);
    if (i % 3 == 0) {
      if (auto* t = owner_q.pop()) mark(t);
    }
  }
  while (auto* t = owner_q.pop()) mark(t);
  done = true;
  for (auto& t : thieves) t.join();
  while (auto* t = inj.pop()) mark(t);
  for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(taken[i].load(), 1) << i;
}

}  // namespace
