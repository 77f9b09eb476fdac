// io-wait: 8 tasks, each 60 times doing a 2 ms blocking call (on weft::blocking), 20 us of
// work, and a 3 ms timer wait. The CPU is almost idle; throughput is set by the waits, and
// more procs cannot shorten them. The fix is more requests in flight (concurrency), not
// more workers (parallelism).
#include <chrono>
#include <thread>
#include <weft/weft.hpp>

#include "demos/burn.hpp"
#include "demos/demos.hpp"

namespace weft_demos {

int run_io_wait() {
  using namespace std::chrono_literals;
  constexpr int k_tasks = 8;
  constexpr int k_rounds = 60;
  return weft::run([]() -> weft::task<int> {
    weft::task_group g;
    for (int t = 0; t < k_tasks; ++t) {
      g.spawn([]() -> weft::task<> {
        for (int i = 0; i < k_rounds; ++i) {
          co_await weft::blocking([] { std::this_thread::sleep_for(2ms); });
          keep(burn_ns(20'000));
          co_await weft::sleep_for(3ms);
        }
      });
    }
    co_await g.wait();
    co_return 0;
  });
}

}  // namespace weft_demos
