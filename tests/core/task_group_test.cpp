#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <vector>
#include <weft/weft.hpp>

using namespace std::chrono_literals;

namespace {

TEST(TaskGroup, WaitsForEveryChild) {
  std::atomic<int> n{0};
  weft::run({.procs = 2}, [&]() -> weft::task<> {
    weft::task_group g;
    for (int i = 0; i < 1000; ++i) {
      g.spawn([&]() -> weft::task<> {
        co_await weft::yield();
        n.fetch_add(1);
      });
    }
    co_await g.wait();
    EXPECT_EQ(n.load(), 1000);
  });
}

// A waiter that comes while another task is still spawning into the group, after which the
// spawner never touches the group again, must be woken when the children are done (else the
// run would end in a deadlock_error). Children may end while spawns continue, so the count
// can reach zero, and a waker find the waiters already taken, more than once.
TEST(TaskGroup, AWaiterRacingASpawnerIsWoken) {
  constexpr int k_rounds = 200;
  constexpr int k_children = 100;
  for (int round = 0; round < k_rounds; ++round) {
    weft::run({.procs = 3}, [&]() -> weft::task<> {
      weft::task_group g;
      std::atomic<int> ran{0};
      weft::chan<int> started(1);
      weft::chan<int> release;
      auto spawner = weft::spawn([&]() -> weft::task<> {
        for (int i = 0; i < k_children; ++i) {
          if (i == 20) co_await started.send(1);  // the waiter may start now, mid-spawning
          g.spawn([&]() -> weft::task<> {
            ran.fetch_add(1);
            co_return;
          });
        }
        co_await release.recv();  // alive, but never touches g again
      });
      co_await started.recv();
      auto waiter = weft::spawn([&]() -> weft::task<> { co_await g.wait(); });
      co_await waiter;
      release.close();
      co_await spawner;
      co_await g.wait();
      EXPECT_EQ(ran.load(), k_children);
    });
  }
}

TEST(TaskGroup, SeveralTasksWaitOnOneGroup) {
  // Waiters race the last child: the first to wait sets the group's waiting flag while
  // children end on other workers. Every waiter must be woken, and only once all children
  // have ended, whichever came first.
  constexpr int k_rounds = 300;
  std::atomic<int> woken{0};
  weft::run({.procs = 3}, [&]() -> weft::task<> {
    for (int round = 0; round < k_rounds; ++round) {
      const int children = round % 9 + (round % 2 ? 40 : 0);
      std::atomic<int> ended{0};
      weft::task_group g;
      for (int i = 0; i < children; ++i) {
        g.spawn([&, i]() -> weft::task<> {
          if (i % 2) co_await weft::yield();
          ended.fetch_add(1);
        });
      }
      std::vector<weft::join_handle<int>> waiters;
      for (int w = 0; w < 3; ++w) {
        waiters.push_back(weft::spawn([&]() -> weft::task<int> {
          co_await g.wait();
          woken.fetch_add(1);
          co_return ended.load();
        }));
      }
      co_await g.wait();
      EXPECT_EQ(ended.load(), children);
      for (auto& h : waiters) EXPECT_EQ(co_await h, children);
    }
  });
  EXPECT_EQ(woken.load(), 3 * k_rounds);
}

TEST(TaskGroup, WaitOnEmptyGroupReturnsAtOnce) {
  weft::run({.procs = 1}, []() -> weft::task<> {
    weft::task_group g;
    co_await g.wait();
  });
}

TEST(TaskGroup, FirstErrorCancelsSiblingsAndIsRethrown) {
  std::atomic<int> cancelled_siblings{0};
  auto what = weft::run({.procs = 2}, [&]() -> weft::task<std::string> {
    weft::task_group g;
    for (int i = 0; i < 10; ++i) {
      g.spawn([&]() -> weft::task<> {
        try {
          co_await weft::sleep_for(std::chrono::hours(1));
        } catch (const weft::cancelled&) {
          cancelled_siblings.fetch_add(1);
          throw;
        }
      });
    }
    g.spawn([]() -> weft::task<> {
      co_await weft::sleep_for(1ms);
      throw std::runtime_error("first failure");
    });
    try {
      co_await g.wait();
    } catch (const std::runtime_error& e) {
      co_return e.what();
    }
    co_return "";
  });
  EXPECT_EQ(what, "first failure");
  EXPECT_EQ(cancelled_siblings.load(), 10);
}

TEST(TaskGroup, CancelReachesNestedGroupsAndPolling) {
  std::atomic<int> saw{0};
  weft::run({.procs = 2}, [&]() -> weft::task<> {
    weft::task_group outer;
    outer.spawn([&]() -> weft::task<> {
      weft::task_group inner;
      inner.spawn([&]() -> weft::task<> {
        while (!weft::cancellation_requested()) co_await weft::yield();
        saw.fetch_add(1);
      });
      inner.spawn([&]() -> weft::task<> {
        try {
          co_await weft::sleep_for(std::chrono::hours(1));
        } catch (const weft::cancelled&) {
          saw.fetch_add(1);
        }
      });
      co_await inner.wait();
    });
    co_await weft::sleep_for(1ms);
    outer.cancel();
    co_await outer.wait();
  });
  EXPECT_EQ(saw.load(), 2);
}

TEST(TaskGroup, JoinInsideCancelledGroupThrowsCancelled) {
  std::atomic<bool> join_cancelled{false};
  weft::run({.procs = 2}, [&]() -> weft::task<> {
    weft::task_group g;
    g.spawn([&]() -> weft::task<> {
      auto h =
          weft::spawn([]() -> weft::task<> { co_await weft::sleep_for(std::chrono::hours(1)); });
      try {
        co_await h;
      } catch (const weft::cancelled&) {
        join_cancelled = true;
      }
    });
    co_await weft::sleep_for(1ms);
    g.cancel();
    co_await g.wait();
  });
  EXPECT_TRUE(join_cancelled.load());
}

TEST(TaskGroup, DestroyedGroupCancelsItsChildren) {
  std::atomic<int> ended{0};
  weft::run({.procs = 2}, [&]() -> weft::task<> {
    {
      weft::task_group g;
      for (int i = 0; i < 4; ++i) {
        g.spawn([&]() -> weft::task<> {
          try {
            co_await weft::sleep_for(std::chrono::hours(1));
          } catch (const weft::cancelled&) {
          }
          ended.fetch_add(1);
        });
      }
      co_await weft::sleep_for(1ms);
    }  // no wait(): the children are cancelled and finish on their own
    while (ended.load() < 4) co_await weft::sleep_for(1ms);
  });
  EXPECT_EQ(ended.load(), 4);
}

// A worker gathers the ends of one group's children and drops them from the group together
// (worker::child_done), at the latest when it moves on to a task that is not another of that
// group's children. With one worker the order is fixed: the waiter suspends, the child runs and
// ends, then the `go` task runs; the group's count must have been dropped as that task began,
// so the waiter (woken into the LIFO slot) runs as soon as it yields, not after it finishes.
TEST(TaskGroup, WaiterIsWokenWhenTheWorkerMovesOnFromTheGroupsChildren) {
  std::vector<std::string> order;
  weft::run({.procs = 1}, [&]() -> weft::task<> {
    bool other_done = false;
    weft::task_group g;
    g.spawn([]() -> weft::task<> { co_return; });
    weft::go([&]() -> weft::task<> {
      for (int i = 0; i < 3; ++i) {
        order.emplace_back("other");
        co_await weft::yield();
      }
      other_done = true;
    });
    co_await g.wait();
    order.emplace_back("waiter");
    while (!other_done) co_await weft::yield();
  });
  ASSERT_GE(order.size(), 2u);
  EXPECT_EQ(order[0], "other");
  EXPECT_EQ(order[1], "waiter");
}

// Children of two groups end interleaved on both workers, some after a yield: each group's
// count is exact (its wait returns only once all of its own children have run), and a group
// dropped without a wait after its children ended is still freed (LeakSanitizer would report
// its state).
TEST(TaskGroup, InterleavedGroupsAreEachCountedExactly) {
  constexpr int k_rounds = 50;
  constexpr int k_children = 200;
  std::atomic<int> a{0};
  std::atomic<int> b{0};
  weft::run({.procs = 2}, [&]() -> weft::task<> {
    for (int round = 1; round <= k_rounds; ++round) {
      weft::task_group g1;
      weft::task_group g2;
      for (int i = 0; i < k_children; ++i) {
        g1.spawn([&a]() -> weft::task<> {
          a.fetch_add(1);
          co_return;
        });
        g2.spawn([&b, i]() -> weft::task<> {
          if (i % 3 == 0) co_await weft::yield();
          b.fetch_add(1);
        });
      }
      co_await g2.wait();
      EXPECT_EQ(b.load(), round * k_children);
      co_await g1.wait();
      EXPECT_EQ(a.load(), round * k_children);
    }
    {
      weft::task_group dropped;
      for (int i = 0; i < k_children; ++i) {
        dropped.spawn([&a]() -> weft::task<> {
          a.fetch_add(1);
          co_return;
        });
      }
      while (a.load() < (k_rounds + 1) * k_children) co_await weft::yield();
    }  // no wait(): every child has ended, some perhaps still held by a worker's tally
  });
  EXPECT_EQ(a.load(), (k_rounds + 1) * k_children);
  EXPECT_EQ(b.load(), k_rounds * k_children);
}

TEST(TaskGroup, ChildrenSeeParentLocals) {
  // Children may reference the owner's frame: wait() keeps it alive until they are done.
  auto sum = weft::run({.procs = 2}, []() -> weft::task<long> {
    std::vector<long> parts(64, 0);
    weft::task_group g;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      g.spawn([&parts, i]() -> weft::task<> {
        co_await weft::yield();
        parts[i] = static_cast<long>(i);
      });
    }
    co_await g.wait();
    long s = 0;
    for (auto p : parts) s += p;
    co_return s;
  });
  EXPECT_EQ(sum, 63 * 64 / 2);
}

}  // namespace
