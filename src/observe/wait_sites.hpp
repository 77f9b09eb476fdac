// Totals of blocked time per named object, for the metrics export.
//
// A named site gets a small id when it is built, one per (kind, name) pair: two channels both
// named "jobs" share it, as they share a line in the report. When a task that waited runs
// again, its worker adds the wait's blocked time to its own tally for that id (worker::
// begin_run, from the stamps the per-kind blocked time uses), if the wait was long or the run
// is exact, or as a weighted sample if the run is a sampling pick; a sampling worker leaves the
// other short waits to the samples (worker::count_short_wait). Plain single-writer counters,
// where two fetch_adds on the site itself cost ~12 ns a wait on the local VM (a ping-pong round
// trip waits twice). Ids beyond the tally's capacity fall back to the site's own atomics.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <utility>

#include "observe/counters.hpp"
#include "weft/detail/wait_site.hpp"

namespace weft::detail {

struct site_totals {
  std::uint64_t blocked_ns = 0;
  std::uint64_t waits = 0;
};

// One worker's blocked time per site id; written by its worker only, read by any thread
// (single-writer relaxed counters, as in counters.hpp). As for a class's blocked time, a wait
// is either counted as it is (`add`: long, or ended on an exact run) or, short and ended on a
// sampling pick, sampled (`add_sampled`), and the sampled part is scaled when read by the runs
// each pick stands for (worker::blocked_scale).
class site_tallies {
 public:
  static constexpr std::uint32_t k_slots = 256;  // ids 1..k_slots-1; 0 means "not tallied"

  void add(std::uint32_t id, std::uint64_t ticks) noexcept {
    slots_[id].ticks.add(ticks);
    slots_[id].waits.add(1);
  }
  // A sample of weight `waits` (the runs its pick stands for), `ticks` already weighted.
  void add_sampled(std::uint32_t id, std::uint64_t ticks, std::uint64_t waits) noexcept {
    slots_[id].sampled_ticks.add(ticks);
    slots_[id].sampled_waits.add(waits);
  }
  // f(id, ticks, waits) for every id with a wait, the sampled part scaled by `scale` (rounded).
  template <class F>
  void for_each(double scale, F&& f) const {
    for (std::uint32_t id = 1; id < k_slots; ++id) {
      const auto& s = slots_[id];
      auto waits = s.waits.get() + scaled(s.sampled_waits.get(), scale);
      if (waits != 0) f(id, s.ticks.get() + scaled(s.sampled_ticks.get(), scale), waits);
    }
  }

 private:
  static std::uint64_t scaled(std::uint64_t v, double scale) noexcept {
    return v == 0 ? 0 : static_cast<std::uint64_t>(static_cast<double>(v) * scale + 0.5);
  }
  struct slot {
    counter ticks;
    counter waits;
    counter sampled_ticks;
    counter sampled_waits;
  };
  std::array<slot, k_slots> slots_{};
};

// A running worker's tallies and the scale of their sampled part.
struct live_tallies {
  const site_tallies* tallies;
  double scale;
};

// (kind, name) -> totals, for every named site that exists or has existed in this process:
// what finished runtimes folded in, the sites' own atomics, and the tallies of `live` (the
// workers of a runtime still running).
std::map<std::pair<std::string, std::string>, site_totals> wait_site_totals(
    std::span<const live_tallies> live = {});
// Adds a finished worker's tallies to the process totals (once, at the end of its runtime).
void fold_site_tallies(const site_tallies& t, double scale);

}  // namespace weft::detail
