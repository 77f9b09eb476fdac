// Channel and select stress with exact accounting: every value sent is received exactly once
// or reported as not delivered (a send that threw). Sizes shrink under sanitizers.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <random>
#include <vector>
#include <weft/weft.hpp>

#include "support/test_support.hpp"

using namespace std::chrono_literals;
using weft::testing::scaled;

namespace {

struct ledger {
  std::vector<std::atomic<std::uint8_t>> received;
  std::vector<std::atomic<std::uint8_t>> undelivered;
  explicit ledger(std::size_t n) : received(n), undelivered(n) {}
  void check(std::size_t n, const char* what) {
    std::size_t got = 0, lost = 0;
    for (std::size_t i = 0; i < n; ++i) {
      auto r = received[i].load(), u = undelivered[i].load();
      ASSERT_LE(r, 1) << what << ": value " << i << " received twice";
      ASSERT_EQ(r + u, 1) << what << ": value " << i << " lost (or both received and refused)";
      got += r;
      lost += u;
    }
    EXPECT_EQ(got + lost, n);
  }
};

void mpmc(std::size_t capacity, int producers, int consumers, int procs) {
  const std::size_t per = scaled(50'000);
  const std::size_t n = per * static_cast<std::size_t>(producers);
  ledger l(n);
  weft::run({.procs = procs}, [&]() -> weft::task<> {
    weft::chan<std::size_t> c(capacity, "mpmc");
    weft::wait_group producing;
    weft::task_group g;
    for (int p = 0; p < producers; ++p) {
      producing.add(1);
      g.spawn([&, p]() -> weft::task<> {
        for (std::size_t i = 0; i < per; ++i)
          co_await c.send(static_cast<std::size_t>(p) * per + i);
        producing.done();
      });
    }
    for (int k = 0; k < consumers; ++k) {
      g.spawn([&]() -> weft::task<> {
        while (auto v = co_await c.recv()) l.received[*v].fetch_add(1);
      });
    }
    co_await producing.wait();
    c.close();
    co_await g.wait();
  });
  l.check(n, "mpmc");
}

TEST(ChanStress, RendezvousManyToMany) {
  mpmc(0, 4, 4, 2);
}
TEST(ChanStress, BufferedManyToMany) {
  mpmc(64, 4, 4, 4);
}
TEST(ChanStress, BufferedOneToOne) {
  mpmc(1024, 1, 1, 2);
}

// Producers and consumers race a close and cancellations: each value is received exactly once,
// or its send threw (closed or cancelled), never both, never neither.
TEST(ChanStress, CloseAndCancelRacesLoseNothing) {
  const int rounds = static_cast<int>(scaled(100));
  for (int round = 0; round < rounds; ++round) {
    const std::size_t per = 500;
    const int producers = 4;
    const std::size_t n = per * producers;
    ledger l(n);
    weft::run({.procs = 2}, [&]() -> weft::task<> {
      weft::chan<std::size_t> c(static_cast<std::size_t>(round % 3) * 4);
      weft::task_group consumers, senders;
      weft::cancel_token stop_some;
      for (int p = 0; p < producers; ++p) {
        senders.spawn([&, p]() -> weft::task<> {
          for (std::size_t i = 0; i < per; ++i) {
            auto v = static_cast<std::size_t>(p) * per + i;
            try {
              if (p % 2 == 0) {
                co_await weft::with_cancel(stop_some, c.send(v));
              } else {
                co_await c.send(v);
              }
            } catch (const weft::channel_closed&) {
              l.undelivered[v].fetch_add(1);
            } catch (const weft::cancelled&) {
              l.undelivered[v].fetch_add(1);
            }
          }
        });
      }
      for (int k = 0; k < 3; ++k) {
        consumers.spawn([&]() -> weft::task<> {
          for (;;) {
            std::optional<std::size_t> v;
            bool was_cancelled = false;
            try {
              v = co_await weft::with_cancel(stop_some, c.recv());
            } catch (const weft::cancelled&) {
              was_cancelled = true;
            }
            if (was_cancelled) v = co_await c.recv();  // it took nothing; keep draining
            if (!v) break;
            l.received[*v].fetch_add(1);
          }
        });
      }
      co_await weft::sleep_for(std::chrono::microseconds(100 + round * 7 % 300));
      stop_some.cancel();
      co_await weft::sleep_for(100us);
      c.close();
      co_await senders.wait();
      co_await consumers.wait();
    });
    l.check(n, "close/cancel race");
    if (::testing::Test::HasFatalFailure()) return;
  }
}

// Many selects over shared channels under contention: sums match exactly.
// Producers select over two sends, consumers over two receives; with_timer adds a timer case to
// the consumers' selects, which sends them down the lock-all path every time. Without it both
// sides take the fast path (one channel at a time) and fall back only when nothing is ready.
void contended_selects(bool with_timer) {
  const std::size_t per = scaled(20'000);
  const int producers = 4;
  const std::size_t n = per * producers;
  ledger l(n);
  weft::run({.procs = 4}, [&]() -> weft::task<> {
    weft::chan<std::size_t> a(8, "a"), b(0, "b");
    weft::wait_group producing;
    weft::task_group g;
    for (int p = 0; p < producers; ++p) {
      producing.add(1);
      g.spawn([&, p]() -> weft::task<> {
        for (std::size_t i = 0; i < per; ++i) {
          auto v = static_cast<std::size_t>(p) * per + i;
          co_await weft::select(a.on_send(v), b.on_send(v));
        }
        producing.done();
      });
    }
    std::atomic<int> closed{0};
    for (int k = 0; k < 4; ++k) {
      g.spawn([&]() -> weft::task<> {
        bool a_open = true, b_open = true;
        while (a_open || b_open) {
          std::size_t index = 0;
          std::optional<std::size_t> got;
          if (with_timer) {
            auto r = co_await weft::select(a.on_recv(), b.on_recv(), weft::after(50ms));
            index = r.index();
            if (index == 0) got = r.get<0>();
            if (index == 1) got = r.get<1>();
          } else {
            auto r = co_await weft::select(a.on_recv(), b.on_recv());
            index = r.index();
            got = index == 0 ? r.get<0>() : r.get<1>();
          }
          if (index < 2 && got) {
            l.received[*got].fetch_add(1);
          } else if (index == 0) {
            a_open = false;
          } else if (index == 1) {
            b_open = false;
          }
        }
        closed.fetch_add(1);
      });
    }
    co_await producing.wait();
    a.close();
    b.close();
    co_await g.wait();
  });
  l.check(n, with_timer ? "select with a timer case" : "select");
}

TEST(SelectStress, ContendedSelectsDeliverEachValueOnce) {
  contended_selects(true);
}

TEST(SelectStress, FastPathSelectsDeliverEachValueOnce) {
  contended_selects(false);
}

}  // namespace
