#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <weft/weft.hpp>

using namespace std::chrono_literals;

namespace {

TEST(Cancel, TokenCancelsAWaitingRecvWithoutLosingValues) {
  weft::run({.procs = 2}, []() -> weft::task<> {
    weft::chan<int> c(1);
    weft::cancel_token tok;
    auto h = weft::spawn([&]() -> weft::task<bool> {
      try {
        co_await weft::with_cancel(tok, [&]() -> weft::task<> {
          co_await c.recv();
          ADD_FAILURE() << "received";
        }());
      } catch (const weft::cancelled&) {
        co_return true;
      }
      co_return false;
    });
    co_await weft::sleep_for(2ms);
    tok.cancel();
    EXPECT_TRUE(co_await h);
    co_await c.send(5);  // the cancelled recv took nothing: the value is still there for us
    EXPECT_EQ(*co_await c.recv(), 5);
  });
}

TEST(Cancel, CancelledSendDidNotDeliver) {
  weft::run({.procs = 2}, []() -> weft::task<> {
    weft::chan<int> c;  // rendezvous, nobody receives
    weft::cancel_token tok;
    auto h = weft::spawn([&]() -> weft::task<> {
      EXPECT_THROW(co_await weft::with_cancel(tok, c.send(1)), weft::cancelled);
    });
    co_await weft::sleep_for(2ms);
    tok.cancel();
    co_await h;
    EXPECT_FALSE(c.try_recv());
  });
}

TEST(Cancel, WithTimeoutThrowsTimedOut) {
  weft::run({.procs = 2}, []() -> weft::task<> {
    weft::chan<int> c;
    auto start = weft::clock::now();
    try {
      co_await weft::with_timeout(c.recv(), 5ms);
      ADD_FAILURE() << "no timeout";
    } catch (const weft::timed_out&) {
      EXPECT_GE(weft::clock::now() - start, 5ms);
    }
  });
}

TEST(Cancel, WithTimeoutReturnsTheValueWhenInTime) {
  auto v = weft::run({.procs = 2}, []() -> weft::task<int> {
    weft::chan<int> c(1);
    co_await c.send(3);
    co_return *co_await weft::with_timeout(c.recv(), 1h);
  });
  EXPECT_EQ(v, 3);
}

TEST(Cancel, TimeoutReachesMutexSemaphoreSleepJoinAndSelect) {
  weft::run({.procs = 2}, []() -> weft::task<> {
    weft::mutex m;
    weft::semaphore release_it(0);
    weft::semaphore locked(0);
    auto holder = weft::spawn([&]() -> weft::task<> {  // another task holds the mutex
      auto g = co_await m.lock();
      locked.release();
      co_await release_it.acquire();
    });
    co_await locked.acquire();
    EXPECT_THROW(co_await weft::with_timeout(m.lock(), 2ms), weft::timed_out);
    weft::semaphore s(0);
    EXPECT_THROW(co_await weft::with_timeout(s.acquire(), 2ms), weft::timed_out);
    EXPECT_THROW(co_await weft::with_timeout(weft::sleep_for(1h), 2ms), weft::timed_out);
    weft::chan<int> c;
    auto sel = [&]() -> weft::task<> { co_await weft::select(c.on_recv(), weft::after(1h)); };
    EXPECT_THROW(co_await weft::with_timeout(sel(), 2ms), weft::timed_out);
    auto h = weft::spawn([]() -> weft::task<> { co_await weft::sleep_for(1h); });
    auto join = [&]() -> weft::task<> { co_await h; };
    EXPECT_THROW(co_await weft::with_timeout(join(), 2ms), weft::timed_out);
    release_it.release();
    co_await holder;
    // The objects are consistent afterwards: the lock and the semaphore still work.
    auto g2 = co_await m.lock();
    s.release();
    co_await s.acquire();
  });
}

// A join cancelled at the moment its task ends: the task's end must not take the joiner's
// word for anything but what the join word itself says (the joiner published with a cancel
// source, so it may withdraw, be resumed elsewhere and leave its scope meanwhile). Either the
// value arrives, or the join throws and the handle, which still owns the task, delivers the
// value to a second join: nothing is lost or settled twice (LeakSanitizer and TSan check the
// rest).
TEST(Cancel, AJoinCancelledAsItsTaskEndsIsSettledOnce) {
  int got = 0;
  int cancelled = 0;
  weft::run({.procs = 3}, [&]() -> weft::task<> {
    for (int round = 0; round < 300; ++round) {
      weft::cancel_token tok;
      std::atomic<bool> go{false};
      auto h = weft::spawn([&go]() -> weft::task<int> {
        while (!go.load()) co_await weft::yield();
        co_return 7;
      });
      auto racer = weft::spawn([&]() -> weft::task<> {
        go = true;     // lets the task end ...
        tok.cancel();  // ... while its join is being cancelled
        co_return;
      });
      bool was_cancelled = false;
      try {
        auto v =
            co_await weft::with_cancel(tok, [&]() -> weft::task<int> { co_return co_await h; }());
        EXPECT_EQ(v, 7);
        ++got;
      } catch (const weft::cancelled&) {
        was_cancelled = true;
      }
      if (was_cancelled) {
        EXPECT_EQ(co_await h, 7);  // the task still ends once, and its value is still there
        ++cancelled;
      }
      co_await racer;
    }
  });
  EXPECT_EQ(got + cancelled, 300);
}

TEST(Cancel, OuterCancellationReachesInsideATimeoutScope) {
  weft::run({.procs = 2}, []() -> weft::task<> {
    weft::task_group g;
    std::atomic<bool> saw{false};
    g.spawn([&]() -> weft::task<> {
      try {
        co_await weft::with_timeout(weft::sleep_for(1h), 1h);
      } catch (const weft::timed_out&) {
        ADD_FAILURE() << "not a timeout";
      } catch (const weft::cancelled&) {
        saw = true;
      }
    });
    co_await weft::sleep_for(1ms);
    g.cancel();
    co_await g.wait();
    EXPECT_TRUE(saw.load());
  });
}

}  // namespace
