// too-fine: a parallel_for with an explicit grain of 1 over items that each cost about 50 ns.
// Every item becomes a task that costs more to create, queue, steal and join than to run, so
// the workers spend their time in the scheduler, and a second worker mostly adds steals.
// The fix the doctor should find: raise the grain (or drop it and let parallel_for measure).
#include <weft/weft.hpp>

#include "demos/burn.hpp"
#include "demos/demos.hpp"

namespace weft_demos {

int run_fine_grain() {
  constexpr int k_items = 1'500'000;
  return weft::run([]() -> weft::task<int> {
    co_await weft::parallel_for(0, k_items, [](int) { keep(burn_ns(50)); }, {.grain = 1});
    co_return 0;
  });
}

}  // namespace weft_demos
