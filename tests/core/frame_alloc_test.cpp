// The coroutine frame allocator (src/core/frame_alloc.cpp): blocks are never handed out twice,
// keep what is written in them, and are recycled across threads through the central pool.
// Under AddressSanitizer the allocator is plain operator new (so that use-after-free is
// caught): the checks still hold, trivially.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "weft/detail/frame_alloc.hpp"

namespace {

using weft::detail::frame_alloc;
using weft::detail::frame_free;

struct block {
  void* p;
  std::size_t bytes;
  std::uint64_t tag;
};

// Fills every byte of the block from its tag; check() finds any byte another owner wrote.
void stamp(const block& b) {
  auto* bytes = static_cast<unsigned char*>(b.p);
  for (std::size_t i = 0; i < b.bytes; ++i) bytes[i] = static_cast<unsigned char>(b.tag + i);
}
bool intact(const block& b) {
  const auto* bytes = static_cast<const unsigned char*>(b.p);
  for (std::size_t i = 0; i < b.bytes; ++i) {
    if (bytes[i] != static_cast<unsigned char>(b.tag + i)) return false;
  }
  return true;
}

// Sizes across the classes (16 to 1024 bytes) and beyond them (operator new).
std::size_t size_of(std::uint64_t i) {
  static constexpr std::size_t k_sizes[] = {16, 24, 72, 136, 200, 392, 1000, 1024, 1500};
  return k_sizes[i % std::size(k_sizes)];
}

TEST(FrameAlloc, BlocksAreDistinctKeepTheirContentsAndAreRecycled) {
  // Far more than a magazine (128) and a slab (64 KiB) of each size, twice over.
  constexpr std::uint64_t k_blocks = 20'000;
  std::set<void*> first_round;
  for (int round = 0; round < 2; ++round) {
    std::vector<block> live;
    std::set<void*> seen;
    for (std::uint64_t i = 0; i < k_blocks; ++i) {
      block b{frame_alloc(size_of(i)), size_of(i), i * 7919 + static_cast<std::uint64_t>(round)};
      ASSERT_TRUE(seen.insert(b.p).second) << "block handed out twice while live";
#if !defined(__SANITIZE_ADDRESS__)
      // The second round is served from what the first freed (sizes the classes cover).
      if (round == 1 && b.bytes <= 1024) {
        ASSERT_TRUE(first_round.count(b.p)) << "block " << i << " was not recycled";
      }
#endif
      stamp(b);
      live.push_back(b);
    }
    for (const auto& b : live) ASSERT_TRUE(intact(b)) << "a block was overwritten";
    // Free in an order unlike the allocation order: every other one, then the rest.
    for (std::size_t i = 0; i < live.size(); i += 2) frame_free(live[i].p, live[i].bytes);
    for (std::size_t i = 1; i < live.size(); i += 2) frame_free(live[i].p, live[i].bytes);
    if (round == 0) first_round = seen;
  }
}

TEST(FrameAlloc, BlocksFreedOnAnotherThreadAreReusedAndNeverShared) {
  // Producer threads allocate and stamp; each hands its blocks to a consumer thread that
  // checks and frees them (frames freed by a thief), while the producers go on allocating
  // what the consumers freed, through the central pool. Every block is checked when freed, and
  // blocks the consumers freed must come back to the producers.
  constexpr int k_pairs = 3;
  constexpr std::uint64_t k_per_round = 3000;
  constexpr int k_rounds = 20;
  std::atomic<long> bad{0};
  std::mutex m;
  std::set<void*> freed;  // guarded by m: every class-sized block a consumer has freed
  long reused = 0;        // guarded by m: allocations that returned one of them
  std::vector<std::thread> threads;
  for (int pair = 0; pair < k_pairs; ++pair) {
    threads.emplace_back([&, pair] {
      for (int round = 0; round < k_rounds; ++round) {
        std::vector<block> batch;
        for (std::uint64_t i = 0; i < k_per_round; ++i) {
          auto n = size_of(i + static_cast<std::uint64_t>(pair));
          block b{frame_alloc(n), n,
                  (static_cast<std::uint64_t>(pair) << 40) ^
                      (i * 31 + static_cast<std::uint64_t>(round))};
          stamp(b);
          batch.push_back(b);
          if (n <= 1024) {
            std::lock_guard g(m);
            reused += static_cast<long>(freed.count(b.p));
          }
        }
        std::thread consumer([&bad, &m, &freed, batch = std::move(batch)] {
          for (const auto& b : batch) {
            if (!intact(b)) bad.fetch_add(1);
          }
          {
            std::lock_guard g(m);
            for (const auto& b : batch) {
              if (b.bytes <= 1024) freed.insert(b.p);
            }
          }
          for (const auto& b : batch) frame_free(b.p, b.bytes);
        });
        consumer.join();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(bad.load(), 0);
#if !defined(__SANITIZE_ADDRESS__)
  // The consumers' threads ended after each round, their magazines going to the pool: most of
  // the later rounds' blocks are theirs.
  EXPECT_GT(reused, static_cast<long>(k_pairs * k_per_round));
#endif
}

}  // namespace
