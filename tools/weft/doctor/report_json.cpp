#include <cmath>
#include <nlohmann/json.hpp>

#include "doctor/report.hpp"

namespace weft_doctor {

namespace {
using json = nlohmann::json;

// NaN and infinities are not JSON: they become null.
json number(double v) {
  return std::isfinite(v) ? json(v) : json(nullptr);
}

json item(const evidence_item& e) {
  json j{{"name", e.name}, {"value", number(e.value)}, {"unit", e.unit}, {"meaning", e.meaning}};
  if (e.threshold) {
    j["threshold"] = number(*e.threshold);
    j["compare"] = e.compare;
  }
  return j;
}

json seconds_map(const std::map<std::string, double>& m) {
  json j = json::object();
  for (const auto& [k, v] : m) j[k] = number(v);
  return j;
}

json account_json(const run_account& a) {
  json objects = json::array();
  for (const auto& o : a.tasks.objects) {
    objects.push_back({{"kind", o.kind},
                       {"name", o.name},
                       {"blocked_s", number(o.blocked_s)},
                       {"waits", number(o.waits)}});
  }
  const auto& w = a.workers;
  return {
      {"procs", a.procs},
      {"runs", a.runs},
      {"wall_s", number(a.wall_s)},
      {"process_wall_s", number(a.process_wall_s)},
      {"worker_s",
       {{"total", number(w.total_s)},
        {"running", number(w.running_s)},
        {"scheduler", number(w.scheduler_s)},
        {"spinning", number(w.spinning_s)},
        {"parked", number(w.parked_s)},
        {"unknown", number(w.unknown_s)}}},
      {"cpu",
       {{"cpu_s", number(a.cpu.cpu_s)},
        {"offcpu_s", number(a.cpu.offcpu_s)},
        {"offcpu_own_s", number(a.cpu.offcpu_own_s)},
        {"offcpu_external_s", number(a.cpu.offcpu_external_s)},
        {"outside_workers_s", number(a.cpu.outside_s)},
        {"run_delay_s", number(a.cpu.run_delay_s)},
        {"runnable_threads", number(a.cpu.demand)},
        {"max_threads", a.cpu.max_threads},
        {"external_cores", number(a.cpu.external)},
        {"sampled", a.cpu.sampled}}},
      {"tasks",
       {{"running_s", number(a.tasks.running_s)},
        {"runnable_s", number(a.tasks.runnable_s)},
        {"blocked_s", seconds_map(a.tasks.blocked_s)},
        {"objects", objects},
        {"tasks_run", number(a.tasks.tasks_run)},
        {"tasks_spawned", number(a.tasks.tasks_spawned)},
        {"mean_run_ns", number(a.tasks.mean_run_ns())},
        {"longest_run_s", number(a.tasks.longest_run_s)},
        {"long_runs", number(a.tasks.long_runs)},
        {"long_run_site", a.tasks.long_run_site}}},
      {"forkjoin",
       {{"work_s", number(a.work_s)},
        {"span_s", number(a.span_s)},
        {"parallelism", number(a.parallelism)}}},
      {"steals",
       {{"tried", number(a.steals_tried)},
        {"won", number(a.steals_won)},
        {"retry", number(a.steals_retry)}}},
      {"pools_oversubscribed", number(a.pools_oversubscribed)},
      {"max_pool_workers", number(a.max_pool_workers)},
      {"machine_probe_ns", number(a.probe_ns)},
  };
}

json loss_json(const capacity_loss& l) {
  return {
      {"procs", l.procs},
      {"baseline_procs", l.baseline_procs},
      {"lost_s", number(l.lost_s)},
      {"machine_factor", number(l.machine_factor)},
      {"split",
       {{"machine_s", number(l.machine_s)},
        {"run_inflation_s", number(l.run_inflation_s)},
        {"descheduled_s", number(l.descheduled_s)},
        {"scheduler_s", number(l.scheduler_s)},
        {"spinning_s", number(l.spinning_s)},
        {"idle_blocked_s", number(l.idle_blocked_s)},
        {"idle_by_cause_s", seconds_map(l.idle_by_cause)},
        {"idle_empty_s", number(l.idle_empty_s)},
        {"unknown_s", number(l.unknown_s)}}},
      {"blocked_growth_s", seconds_map(l.blocked_growth_s)},
      {"usable_capacity_s", number(l.usable_capacity_s)},
      {"usable_lost_s", number(l.usable_lost_s)},
      {"external_descheduled_s", number(l.external_descheduled_s)},
      {"own_lost_s", number(l.own_lost_s)},
      {"own_share", number(l.own_share)},
      {"run_inflation_ratio", number(l.run_inflation_ratio)},
  };
}
}  // namespace

json to_json(const doctor_report& r) {
  const auto& d = r.dx;
  json j;
  j["schema"] = "weft.doctor/1";
  j["verdict"] = d.verdict;
  j["subtype"] = d.subtype.empty() ? json(nullptr) : json(d.subtype);

  json numbers = json::object(), details = json::array();
  for (const auto& e : d.evidence) {
    numbers[e.name] = number(e.value);
    details.push_back(item(e));
  }
  j["evidence"] = {{"rule", d.rule},
                   {"procs", d.procs},
                   {"baseline_procs", d.baseline_procs},
                   {"low_confidence", d.low_confidence},
                   {"disturbed", d.disturbed},
                   {"numbers", numbers},
                   {"details", details},
                   {"findings", d.findings}};

  json sweep = json::array();
  for (const auto& p : r.points) {
    json e{{"procs", p.procs},
           {"throughput", number(p.throughput)},
           {"wall_s", number(p.wall_s)},
           {"runs", p.runs},
           {"throughput_min", number(p.throughput_min)},
           {"throughput_max", number(p.throughput_max)}};
    for (const auto& l : r.losses) {
      if (l.procs != p.procs) continue;
      e["speedup"] = number(l.speedup);
      e["efficiency"] = number(l.efficiency);
      e["karp_flatt"] = number(l.karp_flatt);
    }
    for (const auto& a : r.accounts) {
      if (a.procs != p.procs) continue;
      e["cpu_s"] = number(a.cpu.cpu_s);
      e["runnable_threads"] = number(a.cpu.demand);
      e["external_cores"] = number(a.cpu.external);
    }
    sweep.push_back(e);
  }
  j["sweep"] = sweep;
  j["throughput_unit"] = r.sweep.progress_points ? "progress points per second" : "runs per second";

  j["usl"] = {{"sigma", number(r.usl.sigma)},
              {"kappa", number(r.usl.kappa)},
              {"peak_procs", r.usl.peak_procs ? number(*r.usl.peak_procs) : json(nullptr)},
              {"lambda", number(r.usl.lambda)},
              {"r2", number(r.usl.r2)},
              {"valid", r.usl.valid},
              {"kappa_fitted", r.usl.kappa_fitted},
              {"points", r.usl.points},
              {"distinct_procs", r.usl.distinct_procs},
              {"parameters", r.usl.parameters}};
  j["amdahl"] = {{"serial_fraction", number(r.amdahl.serial_fraction)},
                 {"base", number(r.amdahl.base)},
                 {"r2", number(r.amdahl.r2)},
                 {"valid", r.amdahl.valid}};
  j["recommendation"] = {
      {"summary", d.recommendation}, {"procs", d.recommended_procs}, {"changes", d.changes}};

  json accounts = json::array(), losses = json::array();
  for (const auto& a : r.accounts) accounts.push_back(account_json(a));
  for (const auto& l : r.losses) losses.push_back(loss_json(l));
  j["account"] = accounts;
  j["capacity_lost"] = losses;

  json rules = json::array();
  for (const auto& rule : d.rules) {
    json nums = json::array();
    for (const auto& e : rule.numbers) nums.push_back(item(e));
    rules.push_back({{"name", rule.name},
                     {"verdict", rule.verdict},
                     {"subtype", rule.subtype.empty() ? json(nullptr) : json(rule.subtype)},
                     {"fired", rule.fired},
                     {"numbers", nums}});
  }
  j["rules"] = rules;

  json runs = json::array();
  for (const auto& run : r.sweep.runs) {
    runs.push_back({{"procs", run.procs},
                    {"repeat", run.repeat},
                    {"status", run.process.status()},
                    {"ok", run.ok()},
                    {"wall_s", number(run.wall_s())},
                    {"throughput", run.timed() ? number(run.throughput()) : json(nullptr)},
                    {"process_wall_s", number(run.process.wall_s)},
                    {"cpu_s", number(run.process.cpu_s())},
                    {"involuntary_switches", run.process.involuntary_switches},
                    {"metrics", run.metrics.has_value()},
                    {"metrics_error", run.metrics_error}});
  }
  j["runs"] = runs;
  j["self_cost"] = {{"measured", r.cost.measured},
                    {"spawn_join_ns", number(r.cost.spawn_join_ns)},
                    {"yield_ns", number(r.cost.yield_ns)},
                    {"wake_ns", number(r.cost.wake_ns)},
                    {"clock_read_ns", number(r.cost.clock_ns)},
                    {"accounting_ns_per_run", number(r.cost.accounting_ns())}};
  j["machine"] = {{"cores", r.cores}};
  j["command"] = r.command;
  j["repeat"] = r.repeat;
  j["timeout_s"] = number(r.timeout_s);
  json limits = json::object();
  for (const auto& t : threshold_table()) limits[t.name] = number(r.limits.*t.field);
  j["thresholds"] = limits;
  j["warnings"] = r.warnings;
  return j;
}

}  // namespace weft_doctor
