#include <gtest/gtest.h>

#include <atomic>

#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <weft/weft.hpp>

using namespace std::chrono_literals;

namespace {

// root waits on group g; g's child P joins Q; Q waits on g, which waits on P: a cycle that
// nothing outside can break. Q waits for P to be in g first: at procs > 1 another worker may
// run Q at once, and a wait on a g still empty would return (no cycle, no deadlock).
std::string deadlock_message(int procs) {
  try {
    weft::run({.procs = procs}, []() -> weft::task<> {
      weft::task_group g;
      weft::semaphore p_spawned(0);
      std::optional<weft::join_handle<void>> q;
      q = weft::spawn([&]() -> weft::task<> {
        co_await p_spawned.acquire();
        co_await g.wait();
      });
      g.spawn([&]() -> weft::task<> { co_await *q; });
      p_spawned.release();
      co_await g.wait();
    });
  } catch (const weft::deadlock_error& e) {
    return e.what();
  }
  return "";
}

TEST(Deadlock, AllTasksAsleepIsReportedWithWhatTheyWaitOn) {
  for (int procs : {1, 2, 4}) {
    auto m = deadlock_message(procs);
    ASSERT_FALSE(m.empty()) << "no deadlock_error at procs " << procs;
    EXPECT_NE(m.find("all 3 tasks are asleep"), std::string::npos) << m;
    EXPECT_NE(m.find("1 waiting on join"), std::string::npos) << m;
    EXPECT_NE(m.find("2 waiting on task_group"), std::string::npos) << m;
    EXPECT_NE(m.find("the root task waits on task_group"), std::string::npos) << m;
  }
}

TEST(Deadlock, SelfJoinIsADeadlock) {
  EXPECT_THROW(weft::run({.procs = 2},
                         []() -> weft::task<> {
                           std::optional<weft::join_handle<void>> self;
                           weft::semaphore published(0);
                           weft::task_group g;
                           g.spawn([&]() -> weft::task<> {
                             self = weft::spawn([&]() -> weft::task<> {
                               // `self` is assigned before the release below: wait for it.
                               co_await published.acquire();
                               co_await *self;
                             });
                             published.release();
                             co_await weft::sleep_for(1ms);
                           });
                           co_await g.wait();
                           co_await weft::task_group{}.wait();  // returns at once
                           weft::task_group stuck;
                           stuck.spawn([&]() -> weft::task<> { co_await stuck.wait(); });
                           co_await stuck.wait();
                         }),
               weft::deadlock_error);
}

TEST(Deadlock, TwoTasksJoiningOneHandleIsAUsageError) {
  EXPECT_THROW(
      weft::run({.procs = 2},
                []() -> weft::task<> {
                  auto h = weft::spawn([]() -> weft::task<> { co_await weft::sleep_for(50ms); });
                  weft::task_group g;
                  // The first joiner says when it is about to join; the second joins only
                  // after that (and a little more, for the first to reach its wait), so the
                  // order does not depend on how soon a busy machine runs the child.
                  std::atomic<bool> joining{false};
                  g.spawn([&]() -> weft::task<> {
                    joining.store(true);
                    co_await h;
                  });
                  while (!joining.load()) co_await weft::sleep_for(1ms);
                  co_await weft::sleep_for(5ms);
                  co_await h;
                }),
      weft::usage_error);
}

TEST(Deadlock, PendingTimerIsNotADeadlock) {
  auto r = weft::run({.procs = 2}, []() -> weft::task<int> {
    auto h = weft::spawn([]() -> weft::task<int> {
      co_await weft::sleep_for(20ms);
      co_return 3;
    });
    co_return co_await h;
  });
  EXPECT_EQ(r, 3);
}

TEST(Deadlock, BlockingCallInFlightIsNotADeadlock) {
  auto r = weft::run({.procs = 2}, []() -> weft::task<int> {
    co_return co_await weft::blocking([] {
      std::this_thread::sleep_for(30ms);
      return 4;
    });
  });
  EXPECT_EQ(r, 4);
}

TEST(Deadlock, StuckDetachedTaskDoesNotOutliveTheRoot) {
  // Not a deadlock: the root returns while a go task waits forever; it is destroyed.
  weft::run({.procs = 2}, []() -> weft::task<> {
    weft::go([]() -> weft::task<> {
      weft::task_group g;
      g.spawn([&]() -> weft::task<> { co_await g.wait(); });
      co_await g.wait();
    });
    co_await weft::sleep_for(1ms);
  });
}

}  // namespace
