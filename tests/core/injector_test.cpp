#include "core/injector.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "support/test_support.hpp"

namespace {
using weft::detail::injector;
using weft::detail::task_header;

std::vector<task_header*> drain_list(task_header* t) {
  std::vector<task_header*> out;
  for (; t; t = t->next_) out.push_back(t);
  return out;
}

TEST(Injector, PopBatchTakesTheOldestAndPutsTheRestBackInOrder) {
  injector inj;
  std::vector<task_header> tasks(10);
  for (auto& t : tasks) inj.push(&t);
  bool put_back = false;
  auto first = drain_list(inj.pop_batch(4, put_back));
  EXPECT_TRUE(put_back);
  ASSERT_EQ(first.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(first[i], &tasks[i]);
  EXPECT_EQ(inj.size(), 6u);
  // A push after the cut lands behind what was put back.
  task_header late;
  inj.push(&late);
  auto rest = drain_list(inj.pop_batch(100, put_back));
  EXPECT_FALSE(put_back);
  ASSERT_EQ(rest.size(), 7u);
  for (std::size_t i = 0; i < 6; ++i) EXPECT_EQ(rest[i], &tasks[4 + i]);
  EXPECT_EQ(rest[6], &late);
  EXPECT_TRUE(inj.empty());
  EXPECT_EQ(inj.pop_batch(4, put_back), nullptr);
}

// Producers push batches while one consumer pops batches: every task comes out exactly once,
// and each producer's tasks come out in the order it pushed them (a put-back rest must go in
// front of what was pushed meanwhile, not behind it).
TEST(InjectorStress, PopBatchLosesNothingAndKeepsEachProducersOrder) {
  constexpr int k_producers = 3;
  const std::size_t per = weft::testing::scaled(60'000);
  std::vector<task_header> tasks(per * k_producers);
  auto producer_of = [&](task_header* t) {
    return static_cast<std::size_t>(t - tasks.data()) / per;
  };
  auto seq_of = [&](task_header* t) { return static_cast<std::size_t>(t - tasks.data()) % per; };
  injector inj;
  std::vector<std::thread> producers;
  for (int p = 0; p < k_producers; ++p) {
    producers.emplace_back([&, p] {
      auto* base = tasks.data() + static_cast<std::size_t>(p) * per;
      std::size_t i = 0;
      while (i < per) {
        // Alternate single pushes with linked batches of up to 7, as overflow does.
        std::size_t n = (i % 3 == 0) ? 1 : std::min<std::size_t>(7, per - i);
        for (std::size_t k = 0; k + 1 < n; ++k) base[i + k].next_ = &base[i + k + 1];
        base[i + n - 1].next_ = nullptr;
        if (n == 1) {
          inj.push(&base[i]);
        } else {
          inj.push_batch(&base[i], &base[i + n - 1], n);
        }
        i += n;
      }
    });
  }
  std::vector<std::size_t> next_seq(k_producers, 0);
  std::size_t got = 0;
  std::size_t batches_put_back = 0;
  std::size_t out_of_order = 0;
  while (got < tasks.size()) {
    bool put_back = false;
    auto* list = inj.pop_batch(1 + got % 13, put_back);
    batches_put_back += put_back ? 1 : 0;
    for (auto* t = list; t;) {
      auto* next = t->next_;
      auto p = producer_of(t);
      // Counted, not asserted here: a failing assertion would return with producers running.
      if (seq_of(t) != next_seq[p]) ++out_of_order;
      next_seq[p] = seq_of(t) + 1;
      ++got;
      t = next;
    }
  }
  for (auto& t : producers) t.join();
  EXPECT_TRUE(inj.empty());
  EXPECT_EQ(out_of_order, 0u);
  for (auto s : next_seq) EXPECT_EQ(s, per);
  EXPECT_GT(batches_put_back, 0u);
}

}  // namespace
