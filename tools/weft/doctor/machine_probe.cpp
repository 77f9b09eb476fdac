#include "doctor/machine_probe.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

namespace weft_doctor {

namespace {
constexpr std::uint64_t k_iterations = 4'000'000;
constexpr int k_tries = 3;

// Each thread's result goes to its own slot (a cache line apart), so the probe shares nothing.
struct alignas(64) slot {
  double ns = 0;
  std::uint64_t sink = 0;
};

std::uint64_t work(std::uint64_t seed) noexcept {
  std::uint64_t x = seed | 1, y = seed ^ 0x9e3779b97f4a7c15ULL;
  for (std::uint64_t i = 0; i < k_iterations; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    y = y * 2862933555777941757ULL + 3037000493ULL;
  }
  return x ^ y;
}

double one_try(int threads) {
  std::vector<slot> slots(static_cast<std::size_t>(threads));
  std::atomic<int> ready{0};
  {
    std::vector<std::jthread> pool;
    pool.reserve(slots.size());
    for (int i = 0; i < threads; ++i) {
      pool.emplace_back([&, i] {
        // Start together: the probe measures `threads` threads running at once.
        ready.fetch_add(1, std::memory_order_relaxed);
        while (ready.load(std::memory_order_relaxed) < threads) std::this_thread::yield();
        auto t0 = std::chrono::steady_clock::now();
        auto r = work(static_cast<std::uint64_t>(i) + 1);
        auto t1 = std::chrono::steady_clock::now();
        slots[static_cast<std::size_t>(i)].sink = r;
        slots[static_cast<std::size_t>(i)].ns =
            std::chrono::duration<double, std::nano>(t1 - t0).count();
      });
    }
  }  // jthreads join here; their writes to the slots happen-before this point
  double sum = 0;
  std::uint64_t keep = 0;
  for (const auto& s : slots) {
    sum += s.ns;
    keep ^= s.sink;
  }
  // The result must look used, or the loop could be removed.
  asm volatile("" : : "r"(keep));
  return sum / threads;
}
}  // namespace

double probe_machine(int threads) {
  threads = std::max(1, threads);
  std::vector<double> tries;
  for (int t = 0; t < k_tries; ++t) tries.push_back(one_try(threads));
  std::sort(tries.begin(), tries.end());
  return tries[tries.size() / 2];
}

}  // namespace weft_doctor
