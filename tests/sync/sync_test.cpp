#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>
#include <weft/weft.hpp>

#include "support/test_support.hpp"

using namespace std::chrono_literals;

namespace {

TEST(WaitGroup, WaitsForAllDone) {
  std::atomic<int> n{0};
  weft::run({.procs = 2}, [&]() -> weft::task<> {
    weft::wait_group wg("workers");
    for (int i = 0; i < 50; ++i) {
      wg.add(1);
      weft::go([&]() -> weft::task<> {
        co_await weft::sleep_for(1ms);
        n.fetch_add(1);
        wg.done();
      });
    }
    co_await wg.wait();
    EXPECT_EQ(n.load(), 50);
    EXPECT_EQ(wg.count(), 0);
    co_await wg.wait();  // zero: returns at once
  });
}

TEST(WaitGroup, ManyWaiters) {
  std::atomic<int> woke{0};
  weft::run({.procs = 2}, [&]() -> weft::task<> {
    weft::wait_group wg;
    wg.add(1);
    weft::task_group g;
    for (int i = 0; i < 10; ++i) {
      g.spawn([&]() -> weft::task<> {
        co_await wg.wait();
        woke.fetch_add(1);
      });
    }
    co_await weft::sleep_for(1ms);
    wg.done();
    co_await g.wait();
  });
  EXPECT_EQ(woke.load(), 10);
}

TEST(WaitGroup, NegativeCounterIsAUsageError) {
  weft::wait_group wg("wg");
  wg.add(1);
  wg.done();
  try {
    wg.done();
    FAIL() << "no throw";
  } catch (const weft::usage_error& e) {
    EXPECT_NE(std::string(e.what()).find("negative"), std::string::npos);
  }
}

TEST(Mutex, ProtectsACriticalSection) {
  long counter = 0;  // a plain variable: only the mutex keeps it right (TSan checks it)
  const int tasks = 8, iters = static_cast<int>(weft::testing::scaled(20'000));
  weft::run({.procs = 4}, [&]() -> weft::task<> {
    weft::mutex m("counter");
    weft::task_group g;
    for (int t = 0; t < tasks; ++t) {
      g.spawn([&]() -> weft::task<> {
        for (int i = 0; i < iters; ++i) {
          auto guard = co_await m.lock();
          ++counter;
          if (i % 64 == 0) co_await weft::yield();  // hold it across a suspension sometimes
        }
      });
    }
    co_await g.wait();
  });
  EXPECT_EQ(counter, static_cast<long>(tasks) * iters);
}

TEST(Mutex, HandsOffInFifoOrder) {
  std::vector<int> order;
  weft::run({.procs = 1}, [&]() -> weft::task<> {
    weft::mutex m;
    auto held = co_await m.lock();
    weft::task_group g;
    for (int i = 0; i < 5; ++i) {
      g.spawn([&, i]() -> weft::task<> {
        auto guard = co_await m.lock();
        order.push_back(i);
      });
      co_await weft::yield();  // let each child queue up in turn
    }
    held.unlock();
    co_await g.wait();
  });
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
}

TEST(Mutex, TryLockAndMisuse) {
  weft::mutex m("m");
  auto g = m.try_lock();
  EXPECT_TRUE(g.owns_lock());
  EXPECT_FALSE(m.try_lock().owns_lock());
  g.unlock();
  EXPECT_THROW(m.unlock(), weft::usage_error);
}

TEST(Semaphore, BoundsConcurrency) {
  std::atomic<int> inside{0}, peak{0};
  weft::run({.procs = 4}, [&]() -> weft::task<> {
    weft::semaphore sem(3, "slots");
    weft::task_group g;
    for (int i = 0; i < 40; ++i) {
      g.spawn([&]() -> weft::task<> {
        co_await sem.acquire();
        int now = inside.fetch_add(1) + 1;
        int p = peak.load();
        while (now > p && !peak.compare_exchange_weak(p, now)) {
        }
        co_await weft::sleep_for(200us);
        inside.fetch_sub(1);
        sem.release();
      });
    }
    co_await g.wait();
    EXPECT_EQ(sem.available(), 3u);
  });
  EXPECT_LE(peak.load(), 3);
  EXPECT_GE(peak.load(), 1);
}

TEST(Semaphore, TryAcquire) {
  weft::semaphore s(1);
  EXPECT_TRUE(s.try_acquire());
  EXPECT_FALSE(s.try_acquire());
  s.release();
  EXPECT_TRUE(s.try_acquire());
}

// A named object destroyed under a waiting task wakes it with a usage_error. Its wait is not
// counted: the count is taken when the task next runs, from the object's site, which is gone
// by then (under ASan, counting it anyway is a use after free).
TEST(Semaphore, DestroyedUnderAWaiterWakesItWithAnError) {
  std::string error;
  weft::run({.procs = 1}, [&]() -> weft::task<> {
    auto s = std::make_unique<weft::semaphore>(0, "doomed-sem");
    auto h = weft::spawn([&, raw = s.get()]() -> weft::task<> {
      try {
        co_await raw->acquire();
      } catch (const weft::usage_error& e) {
        error = e.what();
      }
    });
    co_await weft::sleep_for(2ms);
    s.reset();
    co_await h;
  });
  EXPECT_NE(error.find("destroyed while a task waited"), std::string::npos) << error;
}

TEST(Sync, BlockedTimeIsRecordedAgainstTheNamedObject) {
  // One worker, so the child surely waits for the whole sleep: it runs (and blocks on the lock)
  // as soon as the root suspends. With two, a second worker slow to start (TSan) could take the
  // child only after the root's wake-up, and the child's real wait would be a moment.
  weft::run({.procs = 1}, []() -> weft::task<> {
    weft::mutex m("the-lock");
    auto g = co_await m.lock();
    auto h = weft::spawn([&]() -> weft::task<> { auto g2 = co_await m.lock(); });
    co_await weft::sleep_for(5ms);
    g.unlock();
    co_await h;
  });
  bool found = false;
  for (const auto& o : weft::metrics::snapshot().objects) {
    if (o.kind == "mutex" && o.name == "the-lock") {
      found = true;
      EXPECT_GE(o.waits, 1u);
      EXPECT_GT(o.blocked_ns, 1'000'000u);
    }
  }
  EXPECT_TRUE(found);
}

namespace {
std::uint64_t waits_on(const weft::metrics::runtime_stats& s, const std::string& kind,
                       const std::string& name) {
  for (const auto& o : s.objects) {
    if (o.kind == kind && o.name == name) return o.waits;
  }
  return 0;
}
// One receive that must wait on a channel named `name` (the sender comes 2 ms later).
weft::task<> one_wait_on(const std::string& name) {
  weft::chan<int> c(0, name);
  auto h = weft::spawn([&]() -> weft::task<> {
    co_await weft::sleep_for(2ms);
    co_await c.send(1);
  });
  EXPECT_EQ(co_await c.recv(), 1);
  co_await h;
}
}  // namespace

// Waits are tallied per worker while a runtime runs: a snapshot taken inside the run sees
// them, the figures after the run keep them, and a later run adds to them.
TEST(Sync, BlockedTimeCountsWhileRunningAndAcrossRuns) {
  std::uint64_t inside = 0;
  weft::run({.procs = 2}, [&]() -> weft::task<> {
    co_await one_wait_on("tallied");
    co_await one_wait_on("tallied");  // a second channel of that name shares its line
    inside = waits_on(weft::metrics::snapshot(), "channel", "tallied");
  });
  EXPECT_GE(inside, 2u);
  auto after_first = waits_on(weft::metrics::snapshot(), "channel", "tallied");
  EXPECT_GE(after_first, inside);
  weft::run({.procs = 1}, [&]() -> weft::task<> { co_await one_wait_on("tallied"); });
  EXPECT_GE(waits_on(weft::metrics::snapshot(), "channel", "tallied"), after_first + 1);
}

// Only the first 255 distinct names (site_tallies::k_slots - 1) have a slot in the workers'
// tallies; a later name's waits count on the object itself. They still reach the figures under
// the name, and a deadlock report still names the object.
TEST(Sync, ObjectsBeyondTheTalliesAreStillCountedAndNamed) {
  std::vector<std::unique_ptr<weft::chan<int>>> earlier;
  for (int i = 0; i < 300; ++i) {
    earlier.push_back(std::make_unique<weft::chan<int>>(0, "beyond-" + std::to_string(i)));
  }
  weft::run({.procs = 1}, [&]() -> weft::task<> { co_await one_wait_on("beyond-299"); });
  auto s = weft::metrics::snapshot();
  EXPECT_EQ(waits_on(s, "channel", "beyond-299"), 1u);
  for (const auto& o : s.objects) {
    if (o.kind == "channel" && o.name == "beyond-299") {
      EXPECT_GT(o.blocked_ns, 1'000'000u);
    }
  }
  try {
    weft::run({.procs = 1}, []() -> weft::task<> {
      weft::chan<int> c(0, "beyond-299");
      co_await c.recv();
    });
    FAIL() << "no deadlock reported";
  } catch (const weft::deadlock_error& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("channel_recv 'beyond-299'"), std::string::npos) << m;
  }
}

TEST(Sync, DeadlockReportNamesTheObjects) {
  try {
    weft::run({.procs = 2}, []() -> weft::task<> {
      weft::chan<int> jobs(0, "jobs");
      weft::mutex m("table");
      auto g = co_await m.lock();
      weft::go([&]() -> weft::task<> { auto g2 = co_await m.lock(); });
      co_await jobs.recv();
    });
    FAIL() << "no deadlock reported";
  } catch (const weft::deadlock_error& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("channel_recv 'jobs'"), std::string::npos) << m;
    EXPECT_NE(m.find("mutex 'table'"), std::string::npos) << m;
  }
}

}  // namespace

namespace {

TEST(Mutex, LockCycleIsDetectedWhileOtherTasksRun) {
  // A holds 'left' and wants 'right'; B holds 'right' and wants 'left'. The second lock()
  // closes the cycle and throws, naming both mutexes, while a third task keeps running.
  std::string message;
  std::atomic<bool> stop{false};
  std::atomic<long> ticks{0};
  weft::run({.procs = 2}, [&]() -> weft::task<> {
    weft::mutex left("left"), right("right");
    weft::go([&]() -> weft::task<> {
      while (!stop) {
        ticks.fetch_add(1);
        co_await weft::sleep_for(100us);
      }
    });
    while (ticks.load() == 0) co_await weft::yield();  // the ticker is running: never all stuck
    weft::task_group g;
    weft::wait_group both_hold;
    both_hold.add(2);
    auto take = [&](weft::mutex& first, weft::mutex& second) -> weft::task<> {
      auto g1 = co_await first.lock();
      both_hold.done();
      co_await both_hold.wait();
      try {
        auto g2 = co_await second.lock();
      } catch (const weft::deadlock_error& e) {
        message = e.what();
      }
    };
    g.spawn(take(left, right));
    g.spawn(take(right, left));
    co_await g.wait();
    stop = true;
  });
  EXPECT_NE(message.find("lock cycle"), std::string::npos) << message;
  EXPECT_NE(message.find("'left'"), std::string::npos) << message;
  EXPECT_NE(message.find("'right'"), std::string::npos) << message;
  EXPECT_GT(ticks.load(), 0);
}

TEST(Mutex, NoFalseCycleUnderHeavyContention) {
  // Many tasks contending on two mutexes always in the same order: never a cycle.
  weft::run({.procs = 4}, []() -> weft::task<> {
    weft::mutex a("a"), b("b");
    weft::task_group g;
    for (int t = 0; t < 16; ++t) {
      g.spawn([&]() -> weft::task<> {
        for (int i = 0; i < 500; ++i) {
          auto ga = co_await a.lock();
          auto gb = co_await b.lock();
          if (i % 16 == 0) co_await weft::yield();
        }
      });
    }
    co_await g.wait();  // a deadlock_error would fail the test
  });
}

}  // namespace

namespace {

TEST(Mutex, RelockingAHeldMutexIsACycleOfOne) {
  EXPECT_THROW(weft::run({.procs = 1},
                         []() -> weft::task<> {
                           weft::mutex m("self");
                           auto g = co_await m.lock();
                           auto g2 = co_await m.lock();
                         }),
               weft::deadlock_error);
}

}  // namespace
