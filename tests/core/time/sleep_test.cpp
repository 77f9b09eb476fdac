#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <random>
#include <vector>
#include <weft/weft.hpp>

#include "support/test_support.hpp"

using namespace std::chrono_literals;

namespace {

TEST(Sleep, NeverWakesEarly) {
  weft::run({.procs = 2}, []() -> weft::task<> {
    for (auto d : {1ms, 5ms, 20ms}) {
      auto start = weft::clock::now();
      co_await weft::sleep_for(d);
      EXPECT_GE(weft::clock::now() - start, d);
    }
  });
}

TEST(Sleep, ZeroAndPastDeadlinesReturnAtOnce) {
  weft::run({.procs = 1}, []() -> weft::task<> {
    co_await weft::sleep_for(0ms);
    co_await weft::sleep_for(-5ms);
    co_await weft::sleep_until(weft::clock::now() - 1s);
  });
}

TEST(Sleep, SleepersFireInDeadlineOrder) {
  // Distinct deadlines on one worker: the wake order is the deadline order, even when the
  // process is descheduled and several are due at once (they fire as one ordered batch).
  std::vector<int> order;
  weft::run({.procs = 1}, [&]() -> weft::task<> {
    weft::task_group g;
    auto base = weft::clock::now() + 30ms;
    for (int i = 9; i >= 0; --i) {
      g.spawn([&order, base, i]() -> weft::task<> {
        co_await weft::sleep_until(base + i * 2ms);
        order.push_back(i);
      });
    }
    co_await g.wait();
  });
  ASSERT_EQ(order.size(), 10u);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(order[static_cast<std::size_t>(i)], i);
}

TEST(SleepStress, ManySleepersNoneLostNoneEarly) {
  const auto n = static_cast<int>(weft::testing::scaled(50'000));
  std::atomic<int> woke{0};
  std::atomic<int> early{0};
  weft::run({.procs = 2}, [&]() -> weft::task<> {
    weft::task_group g;
    std::mt19937 rng(7);
    for (int i = 0; i < n; ++i) {
      auto d = std::chrono::microseconds(rng() % 20'000);
      g.spawn([&, d]() -> weft::task<> {
        auto deadline = weft::clock::now() + d;
        co_await weft::sleep_until(deadline);
        if (weft::clock::now() < deadline) early.fetch_add(1);
        woke.fetch_add(1);
      });
    }
    co_await g.wait();
  });
  EXPECT_EQ(woke.load(), n);
  EXPECT_EQ(early.load(), 0);
}

// Thousands of timers due at about the same instant (the sleeps share one deadline, whose slot
// cascades as a whole list and is then fired in bounded batches by whichever workers poll the
// timers: timer_wheel::advance, worker::poll_timers): plain sleeps, selects' timeouts (whose
// owners cancel them and wait on firing_) and scopes' deadlines. Every one fires exactly once,
// and no sleep ends early.
TEST(SleepStress, OneDeadlineForSleepersSelectsAndScopes) {
  const auto n = static_cast<int>(weft::testing::scaled(20'000));
  std::atomic<int> slept{0};
  std::atomic<int> early{0};
  std::atomic<int> selects_timed_out{0};
  std::atomic<int> scopes_timed_out{0};
  weft::run({.procs = 2}, [&]() -> weft::task<> {
    weft::chan<int> never;  // nobody sends: a select on it ends by its timeout
    weft::task_group g;
    auto deadline = weft::clock::now() + 100ms;
    for (int i = 0; i < n; ++i) {
      g.spawn([&, i]() -> weft::task<> {
        auto left = deadline - weft::clock::now();
        if (i % 4 == 2) {
          auto r = co_await weft::select(never.on_recv(), weft::after(left));
          if (r.index() == 1) selects_timed_out.fetch_add(1);
        } else if (i % 4 == 3) {
          try {
            co_await weft::with_timeout(weft::sleep_for(1h), left);
          } catch (const weft::timed_out&) {
            scopes_timed_out.fetch_add(1);
          }
        } else {
          co_await weft::sleep_until(deadline);
          if (weft::clock::now() < deadline) early.fetch_add(1);
          slept.fetch_add(1);
        }
      });
    }
    co_await g.wait();
  });
  EXPECT_EQ(slept.load(), n / 4 * 2 + std::min(n % 4, 2));
  EXPECT_EQ(selects_timed_out.load(), n / 4 + (n % 4 > 2 ? 1 : 0));
  EXPECT_EQ(scopes_timed_out.load(), n / 4);
  EXPECT_EQ(early.load(), 0);
}

TEST(Sleep, ATimerIsDrivenWhileEveryWorkerWouldOtherwiseSleep) {
  // Only timers are pending: the parked worker must wake itself for the deadline.
  auto r = weft::run({.procs = 2}, []() -> weft::task<int> {
    int n = 0;
    for (int i = 0; i < 5; ++i) {
      co_await weft::sleep_for(3ms);
      ++n;
    }
    co_return n;
  });
  EXPECT_EQ(r, 5);
}

TEST(Sleep, EarlierTimerAddedWhileDriverWaitsOnALaterOne) {
  // A long sleeper arms the driver for +10 min; a later, shorter sleep must still fire on time.
  auto r = weft::run({.procs = 2}, []() -> weft::task<int> {
    weft::task_group g;
    g.spawn([]() -> weft::task<> {
      try {
        co_await weft::sleep_for(10min);
      } catch (const weft::cancelled&) {
      }
    });
    co_await weft::sleep_for(2ms);
    co_await weft::sleep_for(2ms);
    g.cancel();
    co_await g.wait();
    co_return 1;
  });
  EXPECT_EQ(r, 1);
}

}  // namespace
