// The doctor measures weft's own costs on this machine before it judges anyone's tasks: a task
// "near the spawn cost" means nothing until the spawn cost is known. Measured in-process on a
// one-worker runtime (so the figures are the uncontended floor), the fastest of a few tries.
//
// Not measured: the cost of the always-on counters themselves, which needs a build with them
// compiled out (bench/ does that comparison).
#pragma once

namespace weft_doctor {

struct self_cost {
  bool measured = false;
  double spawn_join_ns = 0;  // spawn a plain-callable task into a task_group, run it, join it
  double yield_ns = 0;       // one co_await weft::yield() round trip through the run queue
};

self_cost measure_self_cost();

}  // namespace weft_doctor
