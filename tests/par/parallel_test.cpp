#include <gtest/gtest.h>

#include <atomic>
#include <numeric>
#include <string>
#include <thread>
#include <vector>
#include <weft/weft.hpp>

namespace {

// Results equal the serial computation for many sizes and grains, including grain 0 (auto),
// 1, and sizes the grain does not divide.
TEST(ParallelFor, VisitsEveryIndexExactlyOnce) {
  for (std::size_t n : {0u, 1u, 2u, 7u, 100u, 1000u, 12345u}) {
    for (std::size_t grain : {0u, 1u, 3u, 64u, 100000u}) {
      std::vector<std::atomic<int>> hits(n);
      weft::run({.procs = 2}, [&]() -> weft::task<> {
        co_await weft::parallel_for(std::size_t{0}, n, [&](std::size_t i) { hits[i].fetch_add(1); },
                                    {.grain = grain});
      });
      for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(hits[i].load(), 1) << n << "/" << grain;
    }
  }
}

TEST(ParallelFor, SignedAndOffsetRanges) {
  std::atomic<long> sum{0};
  weft::run({.procs = 3}, [&]() -> weft::task<> {
    co_await weft::parallel_for(-50, 50, [&](int i) { sum.fetch_add(i); }, {.grain = 7});
  });
  EXPECT_EQ(sum.load(), -50);
}

TEST(ParallelReduce, MatchesTheSerialSum) {
  for (std::size_t n : {0u, 1u, 5u, 1000u, 100003u}) {
    for (std::size_t grain : {0u, 1u, 17u, 4096u}) {
      auto r = weft::run({.procs = 2}, [&]() -> weft::task<long> {
        co_return co_await weft::parallel_reduce(
            std::size_t{0}, n, 10L, [](std::size_t i) { return static_cast<long>(i); },
            [](long a, long b) { return a + b; }, {.grain = grain});
      });
      long expect = 10 + static_cast<long>(n) * (static_cast<long>(n) - 1) / 2;
      ASSERT_EQ(r, expect) << n << "/" << grain;
    }
  }
}

TEST(ParallelReduce, KeepsIndexOrderForNonCommutativeCombine) {
  auto s = weft::run({.procs = 4}, []() -> weft::task<std::string> {
    co_return co_await weft::parallel_reduce(
        0, 200, std::string(">"),
        [](int i) { return std::string(1, static_cast<char>('a' + i % 26)); },
        [](std::string a, const std::string& b) { return a + b; }, {.grain = 3});
  });
  std::string expect = ">";
  for (int i = 0; i < 200; ++i) expect += static_cast<char>('a' + i % 26);
  EXPECT_EQ(s, expect);
}

TEST(ParallelFor, ExceptionPropagatesAndCancelsTheRest) {
  std::atomic<long> ran{0};
  EXPECT_THROW(weft::run({.procs = 2},
                         [&]() -> weft::task<> {
                           co_await weft::parallel_for(0, 100000,
                                                       [&](int i) {
                                                         ran.fetch_add(1);
                                                         if (i == 10)
                                                           throw std::runtime_error("chunk failed");
                                                       },
                                                       {.grain = 10});
                         }),
               std::runtime_error);
  EXPECT_LT(ran.load(), 100000);  // chunks not yet started were skipped
}

TEST(ParallelReduce, ExceptionPropagates) {
  EXPECT_THROW(weft::run({.procs = 2},
                         []() -> weft::task<int> {
                           co_return co_await weft::parallel_reduce(
                               0, 1000, 0,
                               [](int i) {
                                 if (i == 777) throw std::out_of_range("bad item");
                                 return i;
                               },
                               [](int a, int b) { return a + b; }, {.grain = 8});
                         }),
               std::out_of_range);
}

TEST(ParallelFor, AutoGrainOnCheapItemsMakesFewChunks) {
  // A cheap body: the picked grain must be far above 1 (too-fine chunks would mean one task
  // per item). Counted through the runtime's spawn counter.
  weft::run({.procs = 2}, []() -> weft::task<> {
    std::vector<int> v(1'000'000);
    co_await weft::parallel_for(std::size_t{0}, v.size(), [&](std::size_t i) { v[i] = 1; });
    EXPECT_EQ(std::accumulate(v.begin(), v.end(), 0), 1'000'000);
  });
  EXPECT_LT(weft::metrics::snapshot().total().tasks_spawned, 10'000u);
}

// One slow item at the start (a stall: preemption, a page fault) must not make the picked
// grain collapse: the probe weighs its fastest round, so the loop still runs in few chunks.
TEST(ParallelFor, AutoGrainSurvivesAStallInTheProbe) {
  weft::run({.procs = 2}, []() -> weft::task<> {
    std::vector<int> v(1'000'000);
    co_await weft::parallel_for(std::size_t{0}, v.size(), [&](std::size_t i) {
      if (i == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      v[i] = 1;
    });
    EXPECT_EQ(std::accumulate(v.begin(), v.end(), 0), 1'000'000);
  });
  EXPECT_LT(weft::metrics::snapshot().total().tasks_spawned, 10'000u);
}

}  // namespace
