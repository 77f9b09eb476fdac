// healthy: 4000 independent items of 100 us through parallel_for with the measured grain. The
// work is CPU-bound, shares nothing, and is cut into many more chunks than workers, so it
// scales with the cores until there are no more cores.
#include <weft/weft.hpp>

#include "demos/burn.hpp"
#include "demos/demos.hpp"

namespace weft_demos {

int run_healthy() {
  constexpr int k_items = 4000;
  return weft::run([]() -> weft::task<int> {
    co_await weft::parallel_for(0, k_items, [](int) { keep(burn_ns(100'000)); });
    co_return 0;
  });
}

}  // namespace weft_demos
