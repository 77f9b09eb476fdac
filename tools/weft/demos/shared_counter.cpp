// shared-counter: a parallel_for whose every item increments one std::atomic. Nothing blocks
// and the chunks are coarse, yet each increment on one worker invalidates the counter's cache
// line on the others, so the same work runs slower on every added worker (USL kappa, coherency).
// The fix: shard the counter (one per worker or per chunk) and combine at the end.
#include <atomic>
#include <weft/weft.hpp>

#include "demos/burn.hpp"
#include "demos/demos.hpp"

namespace weft_demos {

namespace {
std::atomic<std::uint64_t> g_hits{0};
}

int run_shared_counter() {
  constexpr int k_items = 60'000'000;
  return weft::run([]() -> weft::task<int> {
    co_await weft::parallel_for(0, k_items,
                                [](int) {
                                  // relaxed: only the count matters, and contention is the point of
                                  // the demo.
                                  g_hits.fetch_add(1, std::memory_order_relaxed);
                                },
                                {.grain = 1 << 14});
    co_return g_hits.load() == k_items ? 0 : 1;
  });
}

}  // namespace weft_demos
