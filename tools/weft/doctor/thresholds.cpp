#include "doctor/thresholds.hpp"

#include <charconv>
#include <cmath>
#include <string>

namespace weft_doctor {

std::span<const threshold_info> threshold_table() {
  static const threshold_info k_table[] = {
      {"material_loss", &thresholds::material_loss,
       "share of usable CPU capacity lost before a procs value counts as a problem"},
      {"near_best", &thresholds::near_best,
       "recommended procs: smallest whose throughput is this share of the best"},
      {"io_cpu_max", &thresholds::io_cpu_max,
       "io-bound: CPU used per usable core at the baseline below this"},
      {"io_waiting_min", &thresholds::io_waiting_min,
       "io-bound: mean tasks waiting on I/O, blocking pool or timers at least this"},
      {"oversub_demand", &thresholds::oversub_demand,
       "scheduling: runnable threads at least this many times the cores"},
      {"sched_share", &thresholds::sched_share,
       "scheduling: scheduler share of the workers' busy time (search excluded)"},
      {"fine_factor", &thresholds::fine_factor,
       "too-fine: mean task run below this many spawn+join costs"},
      {"fine_sched_share", &thresholds::fine_sched_share,
       "too-fine: scheduler share of busy time at least this"},
      {"fine_busy_min", &thresholds::fine_busy_min,
       "too-fine: workers busy (not parked) at least this share of their time"},
      {"sync_idle_share", &thresholds::sync_idle_share,
       "synchronization: idle growth share of the lost capacity"},
      {"sync_blocked_growth", &thresholds::sync_blocked_growth,
       "synchronization: growth of sync-blocked task-s per lost worker-s"},
      {"coherency_inflation", &thresholds::coherency_inflation,
       "synchronization: growth of run time on CPU (same tasks, slower)"},
      {"idle_share", &thresholds::idle_share,
       "decomposition: idle growth share of the lost capacity"},
      {"imbalance_run_share", &thresholds::imbalance_run_share,
       "imbalance: longest task run as a share of wall time"},
      {"coarse_tasks_per_worker", &thresholds::coarse_tasks_per_worker,
       "too-coarse: fewer tasks spawned than this per worker"},
      {"serial_parallelism", &thresholds::serial_parallelism,
       "serial-path: work/span below this share of min(procs, cores)"},
      {"external_load", &thresholds::external_load,
       "warn when other processes used this share of the cores"},
  };
  return k_table;
}

std::string set_threshold(thresholds& t, std::string_view assignment) {
  auto eq = assignment.find('=');
  if (eq == std::string_view::npos) {
    return "--threshold '" + std::string(assignment) + "': expected NAME=VALUE";
  }
  auto name = assignment.substr(0, eq);
  auto text = assignment.substr(eq + 1);
  for (const auto& info : threshold_table()) {
    if (name != info.name) continue;
    double v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(v) || v < 0) {
      return "--threshold " + std::string(name) + ": '" + std::string(text) +
             "' is not a non-negative number";
    }
    t.*info.field = v;
    return "";
  }
  return "--threshold: unknown threshold '" + std::string(name) +
         "' (weft doctor --list-thresholds names them)";
}

}  // namespace weft_doctor
