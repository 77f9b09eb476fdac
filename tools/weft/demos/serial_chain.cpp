// serial-chain: 20000 tasks of 20 us, each spawned with the previous task's result and joined
// before the next starts. Work / span is about 1: no number of workers can run two steps at
// once, and the second worker only adds cross-worker wake-ups. It counts its steps with
// weft::progress, so the doctor measures its throughput in steps per second.
#include <cstdint>
#include <weft/weft.hpp>

#include "demos/burn.hpp"
#include "demos/demos.hpp"

namespace weft_demos {

int run_serial_chain() {
  constexpr int k_steps = 20000;
  return weft::run([]() -> weft::task<int> {
    std::uint64_t x = 1;
    for (int i = 0; i < k_steps; ++i) {
      x = co_await weft::spawn([x] { return x ^ burn_ns(20'000); });
      weft::progress("steps");  // the doctor's throughput: steps per second
    }
    keep(x);
    co_return 0;
  });
}

}  // namespace weft_demos
