#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <vector>
#include <weft/weft.hpp>

using namespace std::chrono_literals;

namespace {

TEST(WorkerPool, RunsJobsAndReturnsResults) {
  auto sum = weft::run({.procs = 2}, []() -> weft::task<long> {
    weft::worker_pool pool({.workers = 2, .queue = 8});
    std::vector<weft::join_handle<long>> hs;
    for (long i = 0; i < 100; ++i) hs.push_back(co_await pool.submit([i] { return i * i; }));
    long s = 0;
    for (auto& h : hs) s += co_await h;
    pool.close();
    co_await pool.join();
    co_return s;
  });
  EXPECT_EQ(sum, 328350);
}

TEST(WorkerPool, NeverMoreThanWorkersRunningNorQueueWaiting) {
  std::atomic<int> running{0}, peak{0};
  std::size_t max_waiting = 0;
  weft::run({.procs = 4}, [&]() -> weft::task<> {
    weft::worker_pool pool({.workers = 3, .queue = 5});
    for (int i = 0; i < 60; ++i) {
      auto h = co_await pool.submit([&]() -> weft::task<> {
        int now = running.fetch_add(1) + 1;
        int p = peak.load();
        while (now > p && !peak.compare_exchange_weak(p, now)) {
        }
        co_await weft::sleep_for(300us);
        running.fetch_sub(1);
      });
      EXPECT_LE(pool.waiting(), 5u);
    }
    co_await pool.join();
    max_waiting = pool.max_waiting();
  });
  EXPECT_LE(peak.load(), 3);
  EXPECT_LE(max_waiting, 5u);
  EXPECT_GE(max_waiting, 1u);  // the submitter did outrun the workers: backpressure was used
}

TEST(WorkerPool, ExceptionsReachTheHandle) {
  weft::run({.procs = 2}, []() -> weft::task<> {
    weft::worker_pool pool({.workers = 1, .queue = 2});
    auto h = co_await pool.submit([]() -> int { throw std::runtime_error("job failed"); });
    EXPECT_THROW(co_await h, std::runtime_error);
    auto ok = co_await pool.submit([] { return 1; });
    EXPECT_EQ(co_await ok, 1);  // the pool survives a failed job
    co_await pool.join();
  });
}

TEST(WorkerPool, SubmitAfterCloseIsAUsageError) {
  EXPECT_THROW(weft::run({.procs = 1},
                         []() -> weft::task<> {
                           weft::worker_pool pool;
                           pool.close();
                           (void)co_await pool.submit([] { return 0; });
                         }),
               weft::usage_error);
}

TEST(WorkerPool, InvalidOptionsAreConfigErrors) {
  EXPECT_THROW(weft::run({.procs = 1},
                         []() -> weft::task<> {
                           weft::worker_pool p({.workers = -1});
                           co_return;
                         }),
               weft::config_error);
  EXPECT_THROW(weft::run({.procs = 1},
                         []() -> weft::task<> {
                           weft::worker_pool p({.workers = 1, .queue = 0});
                           co_return;
                         }),
               weft::config_error);
}

TEST(WorkerPool, OversubscriptionIsRecorded) {
  auto before = weft::metrics::snapshot().pools_oversubscribed;
  weft::run({.procs = 1}, []() -> weft::task<> {
    weft::worker_pool pool({.workers = 4});
    co_return;
  });
  EXPECT_EQ(weft::metrics::snapshot().pools_oversubscribed, before + 1);
}

}  // namespace
