// The machine's own speed at a given width, measured beside each run of the sweep.
//
// A run at procs 2 can take more CPU than the run at procs 1 for reasons that are not the
// program's: two vCPUs that are hyperthreads of one host core, a host that lowers the clock when
// more cores are busy, a hypervisor whose vCPUs change speed from one minute to the next. The
// account would call that "the same tasks running slower" and blame coherency. So the doctor
// times a fixed piece of private integer work (no shared cache lines, no memory traffic) on
// `threads` threads at once, just before and just after each run, and credits the machine with
// the run-time growth that the probe's own slowdown explains (account.hpp, machine_s).
//
// The work is two independent multiply-add chains per thread: enough instruction-level
// parallelism that a sibling hyperthread slows it, as it would most compute loops. A program
// that is memory-bound can suffer more from a shared core than the probe does; what the probe
// credits is a floor, never the whole of such a loss.
#pragma once

namespace weft_doctor {

// The mean time, in ns, that one of `threads` threads takes for the fixed work while all of them
// run it at once: the median of a few tries. About 5 ms a try on a current core.
double probe_machine(int threads);

}  // namespace weft_doctor
