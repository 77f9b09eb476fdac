// A prefetch for writing. GCC emits prefetcht0 for __builtin_prefetch(p, 1) unless the target
// has PRFCHW (not in plain x86-64), and prefetcht0 fetches a line another core holds as shared:
// the write then waits for a second round trip to own it. The lines weft prefetches for writing
// (recycled frames, stolen tasks' headers) were last written by another core, so this uses
// prefetchw where the CPU has it (asked once, at start-up), prefetcht0 elsewhere.
#pragma once

namespace weft::detail {

#if defined(__x86_64__)
// Zero until its initializer runs: a prefetch during static initialization falls back to
// prefetcht0, which is only slower.
inline const bool has_prefetchw = [] {
  __builtin_cpu_init();
  return __builtin_cpu_supports("prfchw") != 0;
}();
#endif

inline void prefetch_for_write(const void* p) noexcept {
#if defined(__x86_64__)
  if (has_prefetchw) {
    asm volatile("prefetchw %0" : : "m"(*static_cast<const char*>(p)));
    return;
  }
#endif
  __builtin_prefetch(p, 1);
}

}  // namespace weft::detail
