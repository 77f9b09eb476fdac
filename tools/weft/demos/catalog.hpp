// The names of the doctor's built-in workloads and what each is built to show. Shared by the
// weft-demos program (which runs them) and by `weft doctor` (which checks a --demo name and
// lists them) so the two cannot disagree.
#pragma once

#include <array>
#include <string_view>

namespace weft_demos {

struct demo_info {
  std::string_view name;
  std::string_view designed_for;  // the verdict the workload is built to show (documentation)
  std::string_view what;          // the mistake it makes
};

inline constexpr std::array<demo_info, 8> k_catalog{{
    {"fine-grain", "decomposition/too-fine",
     "parallel_for with grain 1 over ~50 ns items: a spawn storm"},
    {"contended-mutex", "synchronization",
     "every task does all its work holding one named weft::mutex"},
    {"shared-counter", "synchronization",
     "every item increments one std::atomic: no blocking, only coherency traffic"},
    {"imbalanced", "decomposition/imbalance", "one huge task among many small ones"},
    {"serial-chain", "decomposition/serial-path",
     "a chain of dependent tasks, each needing the previous result"},
    {"oversubscribed", "scheduling",
     "a worker_pool of 4 x procs jobs hands CPU work to weft::blocking: more busy threads than "
     "cores"},
    {"io-wait", "io-bound", "tasks spend their time in blocking calls and timers"},
    {"healthy", "healthy", "independent, coarse CPU chunks through parallel_for"},
}};

}  // namespace weft_demos
