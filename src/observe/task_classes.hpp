// Per-task-class figures. A task's class is the place that started it (the source_location of
// its go/spawn/task_group::spawn/run call): tasks started from one line do the same kind of
// work, so their run times, scheduling latency and blocked time belong together. The doctor
// compares a class's run time per task with the spawn cost (too-fine), and its blocked time by
// cause with its run time.
//
// Each worker owns a table and is its only writer (the counters are single-writer relaxed
// atomics, as in counters.hpp). A slot is claimed by publishing its key with a release store
// after the site is written; readers (snapshot(), any thread) load the key with acquire and
// then may read the site. Slots are never freed, so a reader can never see a slot change
// class. The table is fixed-size and open-addressed; classes beyond its capacity are counted
// together under "other" rather than lost.
#pragma once

#include <array>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <source_location>

#include "observe/counters.hpp"

namespace weft::detail {

// A source_location is one pointer to a static record per call site (libstdc++, libc++): that
// pointer identifies the class, and converts back to the site for names.
static_assert(sizeof(std::source_location) == sizeof(const void*));
inline const void* class_key(std::source_location site) noexcept {
  return std::bit_cast<const void*>(site);
}
inline std::source_location class_site(const void* key) noexcept {
  return std::bit_cast<std::source_location>(key);
}

struct class_counters {
  std::atomic<const void*> key{nullptr};  // null: free (or, for the overflow slot, "other")
  // Runs: a task's first (wait_kind::fresh) counts it in `spawned`, the tasks started from this
  // site, and the others in `resumed`; runs() is both. One counter a run, not two: the first
  // run of every fork-join task would otherwise pay for both (worker::begin_run).
  counter spawned;
  counter resumed;
  std::uint64_t runs() const noexcept { return spawned.get() + resumed.get(); }
  // The timed runs' time: the exact runs' as measured, the picks' each times its weight
  // (worker::end_timed_run); pick_weight sums those weights.
  counter run_ticks;
  counter pick_weight;
  counter latency_runs;  // runs the short latencies taken stand for (as in worker_counters)
  counter long_waits;    // runs whose latency was counted, not sampled (as in worker_counters)
  counter sched_latency_ticks;
  // Of the timed runs, those the sampler did not pick (core/sampling.hpp, sampled_estimate):
  // counted as they are, not scaled. exact_latency_ticks also holds the long waits
  // (worker::count_long_wait).
  counter exact_runs;
  counter exact_run_ticks;
  counter exact_latency_ticks;
  // Blocked time by cause. Counted as it is: every wait ended on an exact run, and every long
  // one (worker::begin_run). Sampled: the short waits ended on the picks that follow a stretch,
  // each times its weight, the runs of its period; blocked_weight sums the weights of all
  // those picks, with a wait or not. Read as the class's runs less its exact ones in that
  // proportion (core/sampling.hpp, blocked_estimate; worker::count_short_wait).
  std::array<counter, static_cast<std::size_t>(wait_kind::count_)> blocked_ticks;
  std::array<counter, static_cast<std::size_t>(wait_kind::count_)> sampled_blocked_ticks;
  counter blocked_weight;
};

class class_table {
 public:
  static constexpr std::size_t k_slots = 128;  // power of two; distinct spawn sites are few

  // The counters of `site`'s class; owner thread only. A worker runs long stretches of one
  // class (a fork-join tree, a pool's items) or two taking turns (a producer and its consumer,
  // a ping-pong): the last two classes looked up past these first compares answer with a
  // compare or two, then a small direct-mapped cache (a hash and a compare), then the table.
  // A hit on the second does not reorder the two: a pair taking turns would swap them on every
  // call.
  // The two compares are inline; the rest is a call that leaves the caller nothing to keep
  // across it but what it kept anyway (worker::begin_run, where two more saved registers cost
  // every run four instructions). A pair taking turns hits the second, which a call there cost a
  // ping-pong 4 instructions a run.
  class_counters& at(std::source_location site) noexcept {
    auto* key = class_key(site);
    if (key == last_key_) [[likely]]
      return *last_;
    if (key == prev_key_) return *prev_;
    return at_other(key);
  }

  // Visits every claimed slot (and the overflow slot, key null, if used); any thread.
  template <class F>
  void for_each(F&& f) const {
    for (const auto& c : slots_) {
      // acquire: pairs with the claim's release, so the counters' slot is this class's.
      if (auto* key = c.key.load(std::memory_order_acquire)) f(key, c);
    }
    if (used_overflow_.load(std::memory_order_acquire)) f(nullptr, overflow_);
  }

 private:
  // Neither of the last two: the cache, then the table; key becomes the last.
  [[gnu::noinline]] class_counters& at_other(const void* key) noexcept;
  class_counters& lookup(const void* key) noexcept;

  std::array<class_counters, k_slots> slots_{};
  class_counters overflow_{};
  // Set (release) by the owner before it first counts into overflow_; for_each reads it with
  // acquire, as it does the keys, before it reads those counters.
  std::atomic<bool> used_overflow_{false};
  struct cache_entry {
    const void* key = nullptr;
    class_counters* c = nullptr;  // null: empty
  };
  static constexpr std::size_t k_cache = 4;
  static std::size_t cache_index(const void* key) noexcept {
    // Fibonacci hashing, as in lookup(): the keys are addresses of static records 24 bytes
    // apart, whose low bits alone would collide.
    return static_cast<std::size_t>(
        (reinterpret_cast<std::uintptr_t>(key) * 0x9E3779B97F4A7C15ull) >>
        (64 - std::countr_zero(k_cache)));
  }
  std::array<cache_entry, k_cache> cache_{};
  // No site's record is at this address: the first call always misses.
  static constexpr char k_no_class = 0;
  const void* last_key_ = &k_no_class;
  class_counters* last_ = nullptr;
  const void* prev_key_ = &k_no_class;
  class_counters* prev_ = nullptr;
};

}  // namespace weft::detail
