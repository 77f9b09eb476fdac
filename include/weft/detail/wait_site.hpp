// A named object that tasks wait on (channel, mutex, semaphore, wait group). It accumulates
// the time tasks spent blocked on it, for the metrics and the doctor. Named sites are listed in
// a process-wide registry while they exist; their totals are folded into a per-name record
// when they are destroyed, so a short-lived object's blocked time is not lost.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace weft::detail {

struct wait_site {
  // `kind` names the object's type in reports ("channel", "mutex", ...); a string literal.
  wait_site(const char* kind, std::string name);
  ~wait_site();
  wait_site(const wait_site&) = delete;
  wait_site& operator=(const wait_site&) = delete;

  // What a wait on this object records (task_header::wait_site_): the site if it is named,
  // else null (an unnamed object's waits count by kind and class only).
  const wait_site* if_named() const noexcept { return name_.empty() ? nullptr : this; }
  // `waits` waits of `ticks` in all on this named site that no worker's tally holds: its id is
  // 0 (more names than the tallies have slots). Counted on the site's own atomics. A sampled
  // wait comes here weighted by the runs it stands for (worker::count_short_wait).
  void record_untallied(std::uint64_t ticks, std::uint64_t waits = 1) const noexcept;

  const char* kind_;
  std::string name_;
  // The (kind, name) pair's id in the workers' tallies (observe/wait_sites.hpp); 0 when
  // unnamed (an unnamed site's waits only count by kind) or beyond the tallies' capacity.
  std::uint32_t id_ = 0;
  // Waits with id 0 and a name (many distinct names). Mutable: a waiting task holds the site
  // const (task_header::wait_site_), and counting its wait is no change to the object.
  mutable std::atomic<std::uint64_t> blocked_ticks_{0};
  mutable std::atomic<std::uint64_t> waits_{0};
  wait_site* prev_ = nullptr;  // registry links; guarded by the registry's lock
  wait_site* next_ = nullptr;
};

}  // namespace weft::detail
