// The doctor's built-in workloads, one per verdict. Each is an ordinary weft program: it starts
// one runtime (procs from WEFT_PROCS, as any program would), does a fixed amount of work, and
// lets the runtime write WEFT_METRICS. Nothing in them talks to the doctor: the doctor has to
// find the problem from the outside, as it would in a user's program.
#pragma once

namespace weft_demos {

int run_fine_grain();
int run_contended_mutex();
int run_shared_counter();
int run_imbalanced();
int run_serial_chain();
int run_oversubscribed();
int run_io_wait();
int run_healthy();

}  // namespace weft_demos
