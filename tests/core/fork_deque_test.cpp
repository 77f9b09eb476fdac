#include "core/fork_deque.hpp"

#include <gtest/gtest.h>

#include <atomic>
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

TEST(ForkDeque, PushFailsWhenFull) {
  fork_deque d;
  std::vector<task_header> t(fork_deque::k_capacity + 1);
  for (std::int64_t i = 0; i < fork_deque::k_capacity; ++i) {
    ASSERT_TRUE(d.push(&t[static_cast<std::size_t>(i)]));
  }
  EXPECT_FALSE(d.push(&t.back()));
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
  for (std::size_t i = 0; i < n; ++i) {
    while (!d.push(&tasks[i])) {
      if (auto* t = d.pop()) mark(t);
    }
    if (i % 2 == 0) {
      if (auto* t = d.pop()) mark(t);
    }
  }
  while (auto* t = d.pop()) mark(t);
  done = true;
  for (auto& t : thieves) t.join();
  for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(taken[i].load(), 1) << i;
}

}  // namespace
