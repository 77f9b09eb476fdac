// A named object that tasks wait on (channel, mutex, semaphore, wait group). It accumulates
// the time tasks spent blocked on it, for the metrics and the doctor. Named sites are listed in
// a process-wide registry while they exist; their totals are folded into a per-name record
// when they are destroyed, so a short-lived object's blocked time is not lost.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace weft::detail {

struct wait_site;
// The "name" of the (kind, name) pair with this id; empty for 0. Takes the registry's lock: for
// reports, not hot paths.
std::string wait_site_name(std::uint32_t id);

struct wait_site {
  // `kind` names the object's type in reports ("channel", "mutex", ...); a string literal.
  wait_site(const char* kind, std::string name);
  ~wait_site();
  wait_site(const wait_site&) = delete;
  wait_site& operator=(const wait_site&) = delete;

  // Ids below this have a slot in every worker's tally (observe/wait_sites.hpp).
  static constexpr std::uint32_t k_tallied_ids = 256;

  // Whether a wait's blocked time goes to the waiting task's worker's tally (begin_run adds it
  // there from the task's stamps), rather than to this site's own atomics (record_wait).
  bool tallied() const noexcept { return id_ != 0 && id_ < k_tallied_ids; }
  // For a named site that is not tallied: called by a task resuming from a wait that began at
  // `since` (ticks).
  void record_wait(std::uint64_t since) noexcept;

  const char* kind_;
  std::string name_;
  // The (kind, name) pair's id, the same for every site of that kind and name, never reused;
  // 0 when unnamed (an unnamed site's waits only count by kind). Waiting tasks carry it
  // (task_header::wait_site_).
  std::uint32_t id_ = 0;
  // Waits on a named site that is not tallied (ids from k_tallied_ids on: many distinct names).
  std::atomic<std::uint64_t> blocked_ticks_{0};
  std::atomic<std::uint64_t> waits_{0};
  wait_site* prev_ = nullptr;  // registry links; guarded by the registry's lock
  wait_site* next_ = nullptr;
};

}  // namespace weft::detail
