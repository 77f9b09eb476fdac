// The doctor measures weft's own costs on this machine before it judges anyone's tasks: a task
// "near the spawn cost" means nothing until the spawn cost is known. Measured in-process on a
// one-worker runtime (so the figures are the uncontended floor), the fastest of a few tries.
//
// The always-on counters cannot be switched off at run time, so their cost is given as what
// drives it: the price of one clock reading, of which a task run takes two or three. The
// exact comparison needs a build with them compiled out (bench/overhead).
#pragma once

#include <string>

namespace weft_doctor {

struct self_cost {
  bool measured = false;
  double spawn_join_ns = 0;  // spawn a plain-callable task into a task_group, run it, join it
  double yield_ns = 0;       // one co_await weft::yield() round trip through the run queue
  double wake_ns = 0;        // one channel hand-off: a send that wakes a waiting receiver
  double clock_ns = 0;       // one reading of the runtime's clock (weft::metrics::clock_read_ns)
  // What the accounting adds to a timed task run: three clock readings (start, end, a spawn).
  // Short runs are sampled (2 in every 32 to 1024 timed), so they pay this far less often.
  double accounting_ns() const { return 3 * clock_ns; }
};

self_cost measure_self_cost();

// One line for the reports: "spawn+join 69 ns per task, yield 26 ns, ..." or "not measured".
std::string describe(const self_cost& c);

}  // namespace weft_doctor
