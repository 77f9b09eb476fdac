// imbalanced: 100 tasks of 1 ms and one of 300 ms. With two workers one runs the big task
// while the other finishes the small ones and then has nothing to do: the run ends when the
// big task does. The fix: split the big task (or give it its own parallel_for).
#include <weft/weft.hpp>

#include "demos/burn.hpp"
#include "demos/demos.hpp"

namespace weft_demos {

int run_imbalanced() {
  constexpr int k_small = 100;
  return weft::run([]() -> weft::task<int> {
    weft::task_group g;
    for (int i = 0; i < k_small; ++i) g.spawn([] { keep(burn_ns(1'000'000)); });
    g.spawn([] { keep(burn_ns(300'000'000)); });
    co_await g.wait();
    co_return 0;
  });
}

}  // namespace weft_demos
