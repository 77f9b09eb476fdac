// The TBB programs' parallelism: --procs, else WEFT_PROCS (so one variable drives every C++
// side), else TBB's default. It is applied with a tbb::global_control that must outlive the
// work, and the value TBB then reports is what the RESULT line prints, so bench/compare checks
// what TBB really used rather than what was asked.
#pragma once

#include <oneapi/tbb/global_control.h>

#include <cstdlib>
#include <memory>

#include "peer.hpp"

namespace peer {

struct tbb_parallelism {
  std::unique_ptr<tbb::global_control> limit;  // null: TBB's default
  int procs = 0;                               // what TBB reports it allows
};

inline tbb_parallelism apply_tbb_procs(args& a, const char* prog) {
  if (!a.procs) {
    if (const char* env = std::getenv("WEFT_PROCS")) {  // NOLINT(concurrency-mt-unsafe)
      a.procs = std::atoi(env);
      if (*a.procs <= 0) usage(prog, "WEFT_PROCS must be a positive integer");
    }
  }
  tbb_parallelism p;
  if (a.procs) {
    p.limit = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                                    static_cast<std::size_t>(*a.procs));
  }
  p.procs = static_cast<int>(
      tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism));
  return p;
}

}  // namespace peer
