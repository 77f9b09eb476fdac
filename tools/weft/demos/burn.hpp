// CPU work of a known cost for the demos. The work is a fixed number of dependent multiply-adds,
// not a loop on the clock: when a thread is descheduled, or its cache line bounces between
// cores, the same work takes longer, and that is exactly what the doctor has to see. A clock
// loop would hide both.
#pragma once

#include <cstdint>

namespace weft_demos {

// Measures how many iterations of the work run per microsecond on this machine (the fastest of
// a few tries, so a preempted try does not count). Call once, before starting a runtime.
void calibrate();

// Runs about `ns` nanoseconds of arithmetic at the calibrated speed; returns its result.
std::uint64_t burn_ns(double ns);

// Keeps a result alive so the compiler cannot drop the work that made it.
void keep(std::uint64_t v) noexcept;

}  // namespace weft_demos
