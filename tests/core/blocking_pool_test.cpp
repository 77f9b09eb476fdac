#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <weft/weft.hpp>

using namespace std::chrono_literals;

namespace {

TEST(Blocking, ReturnsTheCallsValue) {
  auto r = weft::run({.procs = 1}, []() -> weft::task<int> {
    co_return co_await weft::blocking([] { return 41 + 1; });
  });
  EXPECT_EQ(r, 42);
}

TEST(Blocking, PropagatesTheCallsException) {
  EXPECT_THROW(weft::run({.procs = 1},
                         []() -> weft::task<> {
                           co_await weft::blocking([] { throw std::runtime_error("io failed"); });
                         }),
               std::runtime_error);
}

TEST(Blocking, RunsOffTheWorkerThread) {
  auto same = weft::run({.procs = 1}, []() -> weft::task<bool> {
    auto worker = std::this_thread::get_id();
    auto pool = co_await weft::blocking([] { return std::this_thread::get_id(); });
    co_return pool == worker;
  });
  EXPECT_FALSE(same);
}

TEST(Blocking, TheWorkerKeepsRunningTasksDuringTheCall) {
  // One worker. The blocking call waits until another task has run; had the call blocked the
  // worker, that task could never run (the wait is bounded so a bug fails, not hangs).
  std::atomic<bool> other_ran{false};
  auto saw = weft::run({.procs = 1}, [&]() -> weft::task<bool> {
    weft::go([&]() -> weft::task<> {
      other_ran = true;
      co_return;
    });
    co_return co_await weft::blocking([&] {
      for (int i = 0; i < 10'000 && !other_ran; ++i) std::this_thread::sleep_for(1ms);
      return other_ran.load();
    });
  });
  EXPECT_TRUE(saw);
}

TEST(Blocking, ManyConcurrentCallsAllComplete) {
  std::atomic<int> done{0};
  weft::run({.procs = 2}, [&]() -> weft::task<> {
    weft::task_group g;
    for (int i = 0; i < 64; ++i) {
      g.spawn([&]() -> weft::task<> {
        co_await weft::blocking([] { std::this_thread::sleep_for(2ms); });
        done.fetch_add(1);
      });
    }
    co_await g.wait();
  });
  EXPECT_EQ(done.load(), 64);
}

TEST(Blocking, OutsideARuntimeIsAUsageError) {
  auto a = weft::blocking([] { return 1; });
  EXPECT_THROW(a.await_suspend(std::noop_coroutine()), weft::usage_error);
}

}  // namespace
