// Scheduler stress: exact accounting under many spawners, parking storms, fork-join trees and
// exceptions crossing joins. Sizes shrink under sanitizers; WEFT_SOAK=N grows them.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <vector>
#include <weft/weft.hpp>

#include "support/test_support.hpp"

using namespace std::chrono_literals;
using weft::testing::scaled;

namespace {

// A million tasks spawned from a hundred spawners at once; each task adds its id to a
// checksum and marks itself, so a lost or doubled task shows up exactly.
TEST(SchedulerStress, MillionTasksFromManySpawnersEachRunOnce) {
  const std::size_t total = scaled(1'000'000);
  const std::size_t spawners = 100;
  const std::size_t per = total / spawners;
  std::vector<std::atomic<std::uint8_t>> ran(spawners * per);
  std::atomic<std::uint64_t> sum{0};
  weft::run({.procs = 2}, [&]() -> weft::task<> {
    weft::task_group outer;
    for (std::size_t s = 0; s < spawners; ++s) {
      outer.spawn([&, s]() -> weft::task<> {
        weft::task_group inner;
        for (std::size_t i = 0; i < per; ++i) {
          auto id = s * per + i;
          inner.spawn([&, id]() -> weft::task<> {
            ran[id].fetch_add(1, std::memory_order_relaxed);
            sum.fetch_add(id, std::memory_order_relaxed);
            co_return;
          });
        }
        co_await inner.wait();
      });
    }
    co_await outer.wait();
  });
  const auto n = spawners * per;
  EXPECT_EQ(sum.load(), n * (n - 1) / 2);
  for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(ran[i].load(), 1) << i;
}

// Bursts of spawns separated by sleeps, so workers park and wake over and over.
TEST(SchedulerStress, SpawnStormsWhileWorkersParkAndWake) {
  const int rounds = static_cast<int>(scaled(200));
  std::atomic<long> done{0};
  weft::run({.procs = 4}, [&]() -> weft::task<> {
    for (int r = 0; r < rounds; ++r) {
      weft::task_group g;
      for (int i = 0; i < 50; ++i) {
        g.spawn([&]() -> weft::task<> {
          co_await weft::yield();
          done.fetch_add(1);
        });
      }
      co_await g.wait();
      if (r % 4 == 0) co_await weft::sleep_for(100us);  // everyone parks
    }
  });
  EXPECT_EQ(done.load(), rounds * 50L);
}

weft::task<long> fib(int n) {
  if (n < 2) co_return n;
  auto a = weft::spawn(fib(n - 1));
  auto b = co_await fib(n - 2);
  co_return co_await a + b;
}

TEST(SchedulerStress, ForkJoinTreeComputesFib) {
  const int n = scaled(10) >= 10 ? 25 : 20;
  long expect[] = {0, 1};
  long a = expect[0], b = expect[1];
  for (int i = 0; i < n; ++i) {
    auto c = a + b;
    a = b;
    b = c;
  }
  for (int procs : {1, 2, 3}) {
    EXPECT_EQ(weft::run({.procs = procs}, [n] { return fib(n); }), a) << procs;
  }
}

weft::task<int> failing_chain(int depth) {
  if (depth == 0) throw std::range_error("bottom");
  auto h = weft::spawn(failing_chain(depth - 1));
  co_return co_await h;
}

TEST(SchedulerStress, ExceptionsCrossManyJoins) {
  EXPECT_THROW(weft::run({.procs = 2}, [] { return failing_chain(500); }), std::range_error);
}

TEST(SchedulerStress, ManyShortRuntimesWithDetachedWork) {
  const int n = static_cast<int>(scaled(200));
  for (int i = 0; i < n; ++i) {
    std::atomic<int> c{0};
    weft::run({.procs = 2}, [&]() -> weft::task<> {
      for (int k = 0; k < 20; ++k) {
        weft::go([&]() -> weft::task<> {
          c.fetch_add(1);
          co_await weft::sleep_for(1h);  // destroyed at shutdown
        });
      }
      while (c.load() < 20) co_await weft::yield();
    });
    ASSERT_EQ(c.load(), 20);
  }
}

}  // namespace
