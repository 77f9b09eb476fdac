#include "core/time/timer_wheel.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace {
using weft::detail::timer_entry;
using weft::detail::timer_wheel;

std::vector<timer_entry*> drain(timer_entry* list) {
  std::vector<timer_entry*> out;
  while (list) {
    out.push_back(list);
    list = list->next_;
  }
  return out;
}

TEST(TimerWheel, FiresAtItsDeadlineNotBefore) {
  timer_wheel w(0);
  timer_entry e;
  e.when_us_ = 1000;
  w.insert(&e);
  EXPECT_EQ(w.size(), 1u);
  EXPECT_TRUE(drain(w.advance(999)).empty());
  auto fired = drain(w.advance(1000));
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0], &e);
  EXPECT_TRUE(w.empty());
}

TEST(TimerWheel, NextExpirationIsALowerBoundOfTheEarliest) {
  timer_wheel w(0);
  timer_entry a, b;
  a.when_us_ = 5000;
  b.when_us_ = 70;
  w.insert(&a);
  w.insert(&b);
  auto n = w.next_expiration();
  ASSERT_TRUE(n);
  EXPECT_LE(*n, 70u);
}

TEST(TimerWheel, RemovedTimersNeverFire) {
  timer_wheel w(0);
  timer_entry a, b;
  a.when_us_ = 100;
  b.when_us_ = 200;
  w.insert(&a);
  w.insert(&b);
  w.remove(&a);
  EXPECT_FALSE(a.linked_);
  auto fired = drain(w.advance(1000));
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0], &b);
}

// Random deadlines across every level, advanced in random steps: each timer fires exactly once,
// never before its deadline, and at the first advance that reaches it.
TEST(TimerWheel, RandomDeadlinesAcrossLevels) {
  std::mt19937_64 rng(12345);
  timer_wheel w(0);
  std::vector<timer_entry> es(20000);
  for (auto& e : es) {
    int magnitude = static_cast<int>(rng() % 40);
    e.when_us_ = 1 + (rng() % (std::uint64_t{1} << magnitude));
    w.insert(&e);
  }
  std::vector<int> fired_count(es.size(), 0);
  std::uint64_t now = 0;
  std::uint64_t last = 0;
  while (!w.empty()) {
    last = now;
    now += 1 + rng() % (std::uint64_t{1} << (rng() % 36));
    for (auto* e : drain(w.advance(now))) {
      auto i = static_cast<std::size_t>(e - es.data());
      ++fired_count[i];
      EXPECT_LE(e->when_us_, now);
      EXPECT_GT(e->when_us_, last);
    }
  }
  for (int c : fired_count) EXPECT_EQ(c, 1);
}

TEST(TimerWheel, FarFutureDeadlinesStillFire) {
  timer_wheel w(10);
  timer_entry e;
  e.when_us_ = std::uint64_t{1} << 60;  // beyond the wheel's span: parked in the top level
  w.insert(&e);
  EXPECT_TRUE(drain(w.advance(std::uint64_t{1} << 50)).empty());
  EXPECT_EQ(drain(w.advance(std::uint64_t{1} << 60)).size(), 1u);
}

}  // namespace
