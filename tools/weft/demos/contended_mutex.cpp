// contended-mutex: 4000 tasks, each doing 100 us of work while holding one weft::mutex named
// "table". The work is serial by construction; extra workers can only wait on the lock, and
// each hand-off between workers adds a wake-up. The doctor should name the mutex.
#include <weft/weft.hpp>

#include "demos/burn.hpp"
#include "demos/demos.hpp"

namespace weft_demos {

int run_contended_mutex() {
  constexpr int k_tasks = 4000;
  return weft::run([]() -> weft::task<int> {
    weft::mutex table("table");
    weft::task_group g;
    for (int i = 0; i < k_tasks; ++i) {
      g.spawn([&table]() -> weft::task<> {
        auto guard = co_await table.lock();
        keep(burn_ns(100'000));
      });
    }
    co_await g.wait();
    co_return 0;
  });
}

}  // namespace weft_demos
