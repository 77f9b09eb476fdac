#include "core/fork_deque.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <deque>
#include <thread>
#include <vector>

#include "support/test_support.hpp"

namespace {
using weft::detail::fork_deque;
using weft::detail::steal_result;
using weft::detail::task_header;

TEST(ForkDeque, OwnerIsLifoThievesAreFifo) {
  fork_deque d;
  std::vector<task_header> t(4);
  for (auto& x : t) ASSERT_TRUE(d.push(&x));
  steal_result why{};
  EXPECT_EQ(d.steal(why), &t[0]);
  EXPECT_EQ(why, steal_result::stolen);
  EXPECT_EQ(d.pop(), &t[3]);
  EXPECT_EQ(d.pop(), &t[2]);
  EXPECT_EQ(d.pop(), &t[1]);
  EXPECT_EQ(d.pop(), nullptr);
  EXPECT_EQ(d.steal(why), nullptr);
  EXPECT_EQ(why, steal_result::empty);
}

// pop_if takes the newest task only if it is the one asked for (a joiner taking back its
// child); pop_alone is pop without the fence, for a deque nobody steals from.
TEST(ForkDeque, PopIfTakesOnlyTheNewestAndPopAloneIsLifo) {
  for (bool alone : {false, true}) {
    fork_deque d;
    std::vector<task_header> t(3);
    for (auto& x : t) ASSERT_TRUE(d.push(&x));
    EXPECT_EQ(d.pop_if(&t[1], alone), nullptr);
    EXPECT_EQ(d.pop_if(&t[2], alone), &t[2]);
    EXPECT_EQ(d.pop_if(&t[2], alone), nullptr);  // gone; t[1] is the newest now
    EXPECT_EQ(d.pop_alone(), &t[1]);
    steal_result why{};
    EXPECT_EQ(d.steal(why), &t[0]);
    // Only a stale copy of t[0] is left in its slot: not popped again.
    EXPECT_EQ(d.pop_if(&t[0], alone), nullptr);
    EXPECT_EQ(d.pop_alone(), nullptr);
    EXPECT_TRUE(d.empty());
    ASSERT_TRUE(d.push(&t[0]));
    EXPECT_EQ(d.pop_if(&t[0], alone), &t[0]);
    EXPECT_TRUE(d.empty());
  }
}

// It grows past its first array, keeping order (checked against a model), up to its largest
// size; then push fails (and the worker spills to the injector).
TEST(ForkDeque, GrowsThenFailsWhenFull) {
  fork_deque d;
  std::deque<task_header*> model;
  const auto n = static_cast<std::size_t>(fork_deque::k_max_capacity);
  std::vector<task_header> t(n + 1);
  steal_result why{};
  for (std::size_t i = 0; i < n; ++i) {
    ASSERT_TRUE(d.push(&t[i])) << i;
    model.push_back(&t[i]);
    // Now and then steal the oldest and push it back, so the live range wraps the arrays.
    if (i % 1000 == 999) {
      auto* x = d.steal(why);
      ASSERT_EQ(x, model.front()) << i;
      model.pop_front();
      ASSERT_TRUE(d.push(x)) << "re-push " << i;
      model.push_back(x);
    }
  }
  EXPECT_EQ(d.capacity(), fork_deque::k_max_capacity);
  EXPECT_EQ(d.size(), fork_deque::k_max_capacity);
  EXPECT_FALSE(d.push(&t.back()));
  // The owner pops newest first, thieves take oldest first, all in the model's order.
  for (int k = 0; k < 3; ++k) {
    EXPECT_EQ(d.pop(), model.back());
    model.pop_back();
    EXPECT_EQ(d.steal(why), model.front());
    model.pop_front();
  }
  EXPECT_TRUE(d.push(&t.back()));
  EXPECT_EQ(d.pop(), &t.back());
}

TEST(ForkDequeStress, EveryTaskTakenExactlyOnce) {
  const std::size_t n = weft::testing::scaled(300'000);
  std::vector<task_header> tasks(n);
  std::vector<std::atomic<int>> taken(n);
  fork_deque d;
  std::atomic<bool> done{false};
  auto mark = [&](task_header* t) {
    taken[static_cast<std::size_t>(t - tasks.data())].fetch_add(1);
  };
  std::vector<std::thread> thieves;
  for (int k = 0; k < 2; ++k) {
    thieves.emplace_back([&] {
      steal_result why{};
      while (!done.load()) {
        if (auto* t = d.steal(why)) mark(t);
      }
    });
  }
  // Pushes in bursts (growing the deque while thieves read it), pops some of each burst.
  for (std::size_t i = 0; i < n; ++i) {
    while (!d.push(&tasks[i])) {
      if (auto* t = d.pop()) mark(t);
    }
    if (i % 2 == 0 && (i / 5000) % 2 == 1) {
      if (auto* t = d.pop()) mark(t);
    }
  }
  while (auto* t = d.pop()) mark(t);
  done = true;
  for (auto& t : thieves) t.join();
  for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(taken[i].load(), 1) << i;
}

}  // namespace
