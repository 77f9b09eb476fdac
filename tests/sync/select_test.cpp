#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <weft/weft.hpp>

#include "support/test_support.hpp"

using namespace std::chrono_literals;

namespace {

TEST(Select, ReceivesFromTheReadyChannel) {
  weft::run({.procs = 2}, []() -> weft::task<> {
    weft::chan<int> a(1), b(1);
    co_await b.send(42);
    auto r = co_await weft::select(a.on_recv(), b.on_recv());
    EXPECT_EQ(r.index(), 1u);
    EXPECT_EQ(*r.get<1>(), 42);
    EXPECT_EQ(a.size(), 0u);
  });
}

TEST(Select, WaitsUntilACaseIsReady) {
  weft::run({.procs = 2}, []() -> weft::task<> {
    weft::chan<int> a, b;
    weft::go([&]() -> weft::task<> {
      co_await weft::sleep_for(2ms);
      co_await a.send(7);
    });
    auto r = co_await weft::select(a.on_recv(), b.on_recv());
    EXPECT_EQ(r.index(), 0u);
    EXPECT_EQ(*r.get<0>(), 7);
  });
}

TEST(Select, SendCaseDeliversToAWaitingReceiver) {
  weft::run({.procs = 2}, []() -> weft::task<> {
    weft::chan<int> out;
    auto h = weft::spawn([&]() -> weft::task<int> { co_return *co_await out.recv(); });
    weft::chan<int> never;
    auto r = co_await weft::select(never.on_recv(), out.on_send(9));
    EXPECT_EQ(r.index(), 1u);
    EXPECT_EQ(co_await h, 9);
  });
}

TEST(Select, TimeoutFiresWhenNothingIsReady) {
  weft::run({.procs = 2}, []() -> weft::task<> {
    weft::chan<int> a;
    auto start = weft::clock::now();
    auto r = co_await weft::select(a.on_recv(), weft::after(5ms));
    EXPECT_EQ(r.index(), 1u);
    EXPECT_GE(weft::clock::now() - start, 5ms);
  });
}

TEST(Select, ClosedChannelMakesTheRecvCaseReadyWithNullopt) {
  weft::run({.procs = 1}, []() -> weft::task<> {
    weft::chan<int> a, b;
    a.close();
    auto r = co_await weft::select(a.on_recv(), b.on_recv());
    EXPECT_EQ(r.index(), 0u);
    EXPECT_FALSE(r.get<0>());
  });
}

TEST(Select, SendCaseOnClosedChannelThrows) {
  EXPECT_THROW(weft::run({.procs = 1},
                         []() -> weft::task<> {
                           weft::chan<int> a;
                           a.close();
                           co_await weft::select(a.on_send(1), weft::after(1h));
                         }),
               weft::channel_closed);
}

TEST(Select, OrDefaultNeverWaits) {
  weft::run({.procs = 1}, []() -> weft::task<> {
    weft::chan<int> a, b(1);
    auto r = co_await weft::select_or_default(a.on_recv(), b.on_recv());
    EXPECT_EQ(r.index(), 2u);  // none ready: the number of cases
    co_await b.send(3);
    auto r2 = co_await weft::select_or_default(a.on_recv(), b.on_recv());
    EXPECT_EQ(r2.index(), 1u);
    EXPECT_EQ(*r2.get<1>(), 3);
  });
}

TEST(Select, ReadyCasesAreChosenUniformly) {
  // Four always-ready cases, many selects: each is chosen about a quarter of the time. A
  // chi-square test at 3 degrees of freedom; 16.27 is the 0.1% critical value.
  const int n = 20'000;
  std::array<int, 4> hits{};
  weft::run({.procs = 1}, [&]() -> weft::task<> {
    std::array<weft::chan<int>, 4> cs{weft::chan<int>(1), weft::chan<int>(1), weft::chan<int>(1),
                                      weft::chan<int>(1)};
    for (auto& c : cs) co_await c.send(0);
    for (int i = 0; i < n; ++i) {
      auto r =
          co_await weft::select(cs[0].on_recv(), cs[1].on_recv(), cs[2].on_recv(), cs[3].on_recv());
      ++hits[r.index()];
      co_await cs[r.index()].send(0);  // refill the one taken
    }
  });
  double expected = n / 4.0, chi2 = 0;
  for (int h : hits) chi2 += (h - expected) * (h - expected) / expected;
  EXPECT_LT(chi2, 16.27) << hits[0] << " " << hits[1] << " " << hits[2] << " " << hits[3];
}

TEST(Select, LosingCasesLeaveTheirChannelsUnchanged) {
  // Values arrive on two channels while a select waits on both; exactly one is taken, the
  // other stays in its channel. Repeated with racing senders, nothing is lost or duplicated.
  const int rounds = static_cast<int>(weft::testing::scaled(2000));
  long received = 0, left = 0;
  weft::run({.procs = 2}, [&]() -> weft::task<> {
    for (int i = 0; i < rounds; ++i) {
      weft::chan<int> a(1), b(1);
      weft::task_group g;
      g.spawn([&]() -> weft::task<> { co_await a.send(1); });
      g.spawn([&]() -> weft::task<> { co_await b.send(1); });
      auto r = co_await weft::select(a.on_recv(), b.on_recv());
      received += r.index() == 0 ? *r.get<0>() : *r.get<1>();
      co_await g.wait();
      left += static_cast<long>(a.size() + b.size());
    }
  });
  EXPECT_EQ(received, rounds);
  EXPECT_EQ(left, rounds);
}

TEST(Select, SameChannelInTwoCases) {
  weft::run({.procs = 2}, []() -> weft::task<> {
    weft::chan<int> c;
    auto h = weft::spawn([&]() -> weft::task<> { co_await c.send(5); });
    auto r = co_await weft::select(c.on_recv(), c.on_recv(), weft::after(1s));
    EXPECT_LT(r.index(), 2u);
    co_await h;
  });
}

// A select that never has to wait completes without suspending, and counts against the
// task's budget: a loop of them still lets the other task on the worker run.
TEST(Select, ReadySelectsInALoopDoNotStarveOthers) {
  weft::run({.procs = 1}, []() -> weft::task<> {
    weft::chan<int> a(1);
    weft::chan<int> b(1);
    bool other_ran = false;
    weft::go([&]() -> weft::task<> {
      other_ran = true;
      co_return;
    });
    long loops = 0;
    while (!other_ran && loops < 1'000'000) {
      auto r = co_await weft::select(a.on_send(1), b.on_send(2));
      EXPECT_TRUE(r.index() == 0 ? a.try_recv() == 1 : b.try_recv() == 2);
      ++loops;
    }
    EXPECT_TRUE(other_ran);
    EXPECT_LE(loops, 200);  // the budget (128) ran out and the loop yielded
  });
}

}  // namespace
