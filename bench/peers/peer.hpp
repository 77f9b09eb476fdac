// What the C++ peer programs (weft, oneTBB) share: its command line, the RESULT line that
// bench/compare parses, and the measurements (wall clock, resident memory).
//
// Each program runs its workload once untimed, then `--reps` timed times, and reports the
// median. The untimed pass matters here: first-touch page faults cost ~10 µs a page on the
// machines these run on, and the frame allocator keeps its slabs, so a cold pass measures the
// kernel, not the runtime. The Go programs in bench/peers/go follow the same protocol, so
// the two sides' numbers can be compared line by line.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace peer {

// The implementation named in RESULT lines; a program for another runtime sets its own.
inline const char* impl = "weft";

struct args {
  long n = 0;                // workload size; 0: the program's default
  int reps = 5;              // timed repetitions after the warm-up
  std::optional<int> procs;  // unset: the runtime's default (weft: WEFT_PROCS)
};

[[noreturn]] inline void usage(const char* prog, const char* what) {
  std::fprintf(stderr,
               "usage: %s [--n N] [--reps R] [--procs P]\n  %s\n"
               "  prints RESULT lines: workload= impl=%s procs= value= unit=\n",
               prog, what, impl);
  std::exit(2);
}

inline args parse_args(int argc, char** argv, const char* what) {
  args a;
  for (int i = 1; i < argc; ++i) {
    std::string_view k = argv[i];
    if (k == "--help" || k == "-h") usage(argv[0], what);
    if (i + 1 >= argc) usage(argv[0], what);
    // Bad numbers are rejected rather than read as 0, so a typo cannot become a default run.
    char* end = nullptr;
    long v = std::strtol(argv[++i], &end, 10);
    if (*end != '\0' || v <= 0) usage(argv[0], what);
    if (k == "--n") {
      a.n = v;
    } else if (k == "--reps") {
      a.reps = static_cast<int>(v);
    } else if (k == "--procs") {
      a.procs = static_cast<int>(v);
    } else {
      usage(argv[0], what);
    }
  }
  return a;
}

using clock = std::chrono::steady_clock;

inline double ns_between(clock::time_point a, clock::time_point b) {
  return std::chrono::duration<double, std::nano>(b - a).count();
}

inline double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  auto m = v.size() / 2;
  return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

// Resident set size in bytes, from /proc/self/statm (the same source the Go side reads, so the
// two agree on what "resident" means).
inline long rss_bytes() {
  std::ifstream f("/proc/self/statm");
  long size = 0, resident = 0;
  f >> size >> resident;
  return resident * sysconf(_SC_PAGESIZE);
}

inline void result(const char* workload, int procs, double value, const char* unit,
                   const std::string& extra = "") {
  std::printf("RESULT workload=%s impl=%s procs=%d value=%.6g unit=%s%s%s\n", workload, impl, procs,
              value, unit, extra.empty() ? "" : " ", extra.c_str());
  std::fflush(stdout);
}

[[noreturn]] inline void fail(const char* workload, const std::string& why) {
  std::fprintf(stderr, "FAIL workload=%s impl=%s: %s\n", workload, impl, why.c_str());
  std::exit(1);
}

}  // namespace peer
