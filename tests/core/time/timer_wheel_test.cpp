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

// Timers that share one deadline cascade as a whole list (only its head is told its new
// place). Removing heads and middles after such moves, and mixing in a later deadline, must
// still leave exactly the remaining timers to fire, each once, in deadline order.
TEST(TimerWheel, OneDeadlineSlotsMoveWholeAndStillRemoveExactly) {
  constexpr std::uint64_t k_when = 5'000'000;  // level 3 from 0
  timer_wheel w(0);
  std::vector<timer_entry> es(1000);
  for (auto& e : es) {
    e.when_us_ = k_when;
    w.insert(&e);
  }
  std::vector<bool> removed(es.size(), false);
  auto remove = [&](std::size_t i) {
    w.remove(&es[i]);
    removed[i] = true;
  };
  // Cascades into level 2 in one move; then the head (the last inserted) and a few others go.
  EXPECT_TRUE(drain(w.advance(4'990'000)).empty());
  remove(999);
  remove(998);
  remove(500);
  remove(0);  // the tail
  timer_entry later;
  later.when_us_ = k_when + 1;
  w.insert(&later);  // same slot at some level below: no longer one deadline
  EXPECT_EQ(w.size(), es.size() - 4 + 1);
  // Further cascades (a move, then a walk of the mixed slot), and more removals after each.
  EXPECT_TRUE(drain(w.advance(4'999'000)).empty());
  remove(997);
  remove(1);
  EXPECT_TRUE(drain(w.advance(4'999'990)).empty());
  remove(996);
  remove(250);
  auto fired = drain(w.advance(k_when + 1));
  std::size_t expected = 0;
  for (std::size_t i = 0; i < es.size(); ++i) {
    if (!removed[i]) ++expected;
  }
  ASSERT_EQ(fired.size(), expected + 1);
  EXPECT_EQ(fired.back(), &later);  // deadline order: the later deadline last
  std::vector<int> seen(es.size(), 0);
  for (std::size_t k = 0; k + 1 < fired.size(); ++k) {
    auto i = static_cast<std::size_t>(fired[k] - es.data());
    ASSERT_LT(i, es.size());
    EXPECT_FALSE(removed[i]) << i;
    ++seen[i];
  }
  for (std::size_t i = 0; i < es.size(); ++i) EXPECT_EQ(seen[i], removed[i] ? 0 : 1) << i;
  EXPECT_EQ(w.size(), 0u);
  EXPECT_FALSE(w.next_expiration().has_value());
}

// Emptying a slot that moved whole, head after head, leaves the wheel empty: the slot's
// occupied bit goes with its last timer.
TEST(TimerWheel, AMovedSlotEmptiedHeadByHeadLeavesNothing) {
  timer_wheel w(0);
  std::vector<timer_entry> es(64);
  for (auto& e : es) {
    e.when_us_ = 300'000;  // level 3 from 0
    w.insert(&e);
  }
  EXPECT_TRUE(drain(w.advance(299'000)).empty());                     // moves the list down
  for (auto it = es.rbegin(); it != es.rend(); ++it) w.remove(&*it);  // newest first: heads
  EXPECT_EQ(w.size(), 0u);
  EXPECT_FALSE(w.next_expiration().has_value());
  EXPECT_TRUE(drain(w.advance(400'000)).empty());
}

// A bounded advance of a mass expiry: a level-0 slot gives up at most max_fired timers a call;
// the rest stay in the wheel, still due, removable (the new head included), and ahead of a
// later deadline. Every timer fires exactly once, in deadline order.
TEST(TimerWheel, ABoundedAdvanceLeavesTheRestDueAndRemovable) {
  timer_wheel w(0);
  constexpr std::uint64_t k_when = 5'000;
  std::vector<timer_entry> es(1000);
  for (auto& e : es) {
    e.when_us_ = k_when;
    w.insert(&e);
  }
  timer_entry later;
  later.when_us_ = k_when + 1;
  w.insert(&later);
  EXPECT_TRUE(drain(w.advance(k_when - 1, 100)).empty());
  auto first = drain(w.advance(k_when + 50, 100));
  ASSERT_EQ(first.size(), 100u);
  EXPECT_EQ(w.size(), es.size() + 1 - 100);
  EXPECT_EQ(w.elapsed(), k_when);  // not k_when + 50: the rest of the slot is not a turn away
  ASSERT_TRUE(w.next_expiration());
  EXPECT_LE(*w.next_expiration(), k_when);
  // The rest's new head (still linked, nothing before it) and its tail (nothing after it).
  // Removing the head must hand the slot to the next one.
  std::vector<std::size_t> heads, tails;
  for (std::size_t i = 0; i < es.size(); ++i) {
    if (es[i].linked_ && !es[i].prev_) heads.push_back(i);
    if (es[i].linked_ && !es[i].next_) tails.push_back(i);
  }
  ASSERT_EQ(heads.size(), 1u);
  ASSERT_EQ(tails.size(), 1u);
  ASSERT_NE(heads[0], tails[0]);
  std::vector<bool> removed(es.size(), false);
  for (auto i : {heads[0], tails[0]}) {
    w.remove(&es[i]);
    removed[i] = true;
  }
  std::vector<timer_entry*> fired = first;
  for (int calls = 0; !w.empty() && calls < 100; ++calls) {
    auto more = drain(w.advance(k_when + 50, 100));
    EXPECT_LE(more.size(), 100u);
    fired.insert(fired.end(), more.begin(), more.end());
  }
  EXPECT_TRUE(w.empty());
  ASSERT_EQ(fired.size(), es.size() - 2 + 1);
  EXPECT_EQ(fired.back(), &later);
  std::vector<int> seen(es.size(), 0);
  for (std::size_t k = 0; k + 1 < fired.size(); ++k) {
    auto i = static_cast<std::size_t>(fired[k] - es.data());
    ASSERT_LT(i, es.size());
    ++seen[i];
  }
  for (std::size_t i = 0; i < es.size(); ++i) EXPECT_EQ(seen[i], removed[i] ? 0 : 1) << i;
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
