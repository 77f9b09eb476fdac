#include "doctor/account.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "doctor/model.hpp"

namespace weft_doctor {

namespace {
constexpr double k_ns = 1e-9;

double s(std::uint64_t ns) {
  return static_cast<double>(ns) * k_ns;
}
}  // namespace

bool is_sync_cause(const std::string& cause) {
  return cause == "mutex" || cause == "semaphore" || cause == "channel_send" ||
         cause == "channel_recv" || cause == "select" || cause == "wait_group";
}

bool is_io_cause(const std::string& cause) {
  return cause == "io" || cause == "blocking" || cause == "timer";
}

run_account account_of(const run_record& r, int cores) {
  run_account a;
  const auto& m = *r.metrics;
  const auto& t = m.total;
  a.procs = m.procs > 0 ? m.procs : r.procs;
  a.wall_s = m.wall_s;
  a.process_wall_s = r.process.wall_s;
  a.probe_ns = r.probe_ns();

  auto& w = a.workers;
  w.total_s = a.procs * m.wall_s;
  w.running_s = s(t.run_ns);
  w.scheduler_s = s(t.sched_ns);
  w.spinning_s = s(t.spin_ns);
  w.parked_s = s(t.idle_ns);
  w.unknown_s = w.total_s - (w.running_s + w.scheduler_s + w.spinning_s + w.parked_s);

  auto& k = a.tasks;
  k.running_s = s(t.run_ns);
  k.runnable_s = s(t.sched_latency_ns);
  for (const auto& [cause, ns] : t.blocked_ns) k.blocked_s[cause] = s(ns);
  for (const auto& o : m.objects) {
    k.objects.push_back({o.kind, o.name, s(o.blocked_ns), static_cast<double>(o.waits)});
  }
  std::sort(k.objects.begin(), k.objects.end(),
            [](const auto& x, const auto& y) { return x.blocked_s > y.blocked_s; });
  for (const auto& c : m.classes) {
    class_time ct{c.site,
                  c.function,
                  static_cast<double>(c.tasks),
                  static_cast<double>(c.runs),
                  s(c.run_ns),
                  s(c.sched_latency_ns),
                  {}};
    for (const auto& [cause, ns] : c.blocked_ns) ct.blocked_s[cause] = s(ns);
    k.classes.push_back(std::move(ct));
  }
  std::sort(k.classes.begin(), k.classes.end(),
            [](const auto& x, const auto& y) { return x.running_s > y.running_s; });
  k.tasks_run = static_cast<double>(t.tasks_run);
  k.tasks_spawned = static_cast<double>(t.tasks_spawned);
  k.longest_run_s = s(t.max_run_ns);
  k.long_runs = static_cast<double>(t.long_runs);
  k.long_run_site = m.long_run_site;

  auto& c = a.cpu;
  c.cpu_s = r.process.cpu_s();
  c.offcpu_s = std::max(0.0, w.busy_s() - c.cpu_s);
  c.outside_s = std::max(0.0, c.cpu_s - w.busy_s());
  c.sampled = r.process.sampled;
  c.run_delay_s = r.process.run_delay_s;
  c.max_threads = r.process.max_threads;
  double pwall = r.process.wall_s > 0 ? r.process.wall_s : m.wall_s;
  if (pwall > 0) {
    c.demand = c.sampled ? (c.cpu_s + c.run_delay_s) / pwall
                         : (w.busy_s() + c.outside_s) / std::max(m.wall_s, 1e-9);
    if (r.process.machine_busy_s) {
      c.external =
          std::max(0.0, *r.process.machine_busy_s - c.cpu_s - r.process.self_cpu_s) / pwall;
    }
  }

  if (c.demand > cores) {
    c.offcpu_own_s = std::min(c.offcpu_s, w.busy_s() * (c.demand - cores) / c.demand);
  }
  c.offcpu_external_s = c.offcpu_s - c.offcpu_own_s;

  a.work_s = s(m.work_ns);
  a.span_s = s(m.span_ns);
  a.parallelism = m.parallelism;
  a.pools_oversubscribed = static_cast<double>(m.pools_oversubscribed);
  a.max_pool_workers = m.max_pool_workers;
  a.steals_tried = static_cast<double>(t.steals_tried);
  a.steals_won = static_cast<double>(t.steals_won);
  a.steals_retry = static_cast<double>(t.steals_retry);
  return a;
}

run_account mean_account(std::span<const run_account> runs) {
  run_account m;
  if (runs.empty()) return m;
  double n = static_cast<double>(runs.size());
  m.procs = runs.front().procs;
  m.runs = static_cast<int>(runs.size());
  std::map<std::pair<std::string, std::string>, object_time> objects;
  std::map<std::string, class_time> classes;
  bool probed = true;
  for (const auto& a : runs) {
    probed = probed && a.probe_ns > 0;
    m.probe_ns += a.probe_ns / n;
    m.wall_s += a.wall_s / n;
    m.process_wall_s += a.process_wall_s / n;
    m.workers.total_s += a.workers.total_s / n;
    m.workers.running_s += a.workers.running_s / n;
    m.workers.scheduler_s += a.workers.scheduler_s / n;
    m.workers.spinning_s += a.workers.spinning_s / n;
    m.workers.parked_s += a.workers.parked_s / n;
    m.workers.unknown_s += a.workers.unknown_s / n;
    m.tasks.running_s += a.tasks.running_s / n;
    m.tasks.runnable_s += a.tasks.runnable_s / n;
    for (const auto& [cause, v] : a.tasks.blocked_s) m.tasks.blocked_s[cause] += v / n;
    for (const auto& o : a.tasks.objects) {
      auto& t = objects[{o.kind, o.name}];
      t.kind = o.kind;
      t.name = o.name;
      t.blocked_s += o.blocked_s / n;
      t.waits += o.waits / n;
    }
    for (const auto& c : a.tasks.classes) {
      auto& t = classes[c.site];
      t.site = c.site;
      t.function = c.function;
      t.tasks += c.tasks / n;
      t.runs += c.runs / n;
      t.running_s += c.running_s / n;
      t.runnable_s += c.runnable_s / n;
      for (const auto& [cause, v] : c.blocked_s) t.blocked_s[cause] += v / n;
    }
    m.tasks.tasks_run += a.tasks.tasks_run / n;
    m.tasks.tasks_spawned += a.tasks.tasks_spawned / n;
    m.tasks.longest_run_s += a.tasks.longest_run_s / n;
    m.tasks.long_runs += a.tasks.long_runs / n;
    if (m.tasks.long_run_site.empty()) m.tasks.long_run_site = a.tasks.long_run_site;
    m.cpu.cpu_s += a.cpu.cpu_s / n;
    m.cpu.offcpu_s += a.cpu.offcpu_s / n;
    m.cpu.offcpu_own_s += a.cpu.offcpu_own_s / n;
    m.cpu.offcpu_external_s += a.cpu.offcpu_external_s / n;
    m.cpu.outside_s += a.cpu.outside_s / n;
    m.cpu.run_delay_s += a.cpu.run_delay_s / n;
    m.cpu.demand += a.cpu.demand / n;
    m.cpu.external += a.cpu.external / n;
    m.cpu.max_threads = std::max(m.cpu.max_threads, a.cpu.max_threads);
    m.cpu.sampled = a.cpu.sampled;
    m.work_s += a.work_s / n;
    m.span_s += a.span_s / n;
    m.parallelism += a.parallelism / n;
    m.pools_oversubscribed += a.pools_oversubscribed / n;
    m.max_pool_workers = std::max(m.max_pool_workers, a.max_pool_workers);
    m.steals_tried += a.steals_tried / n;
    m.steals_won += a.steals_won / n;
    m.steals_retry += a.steals_retry / n;
  }
  if (!probed) m.probe_ns = 0;
  for (auto& [key, o] : objects) m.tasks.objects.push_back(o);
  for (auto& [key, c] : classes) m.tasks.classes.push_back(std::move(c));
  std::sort(m.tasks.classes.begin(), m.tasks.classes.end(),
            [](const auto& x, const auto& y) { return x.running_s > y.running_s; });
  std::sort(m.tasks.objects.begin(), m.tasks.objects.end(),
            [](const auto& x, const auto& y) { return x.blocked_s > y.blocked_s; });
  return m;
}

std::vector<run_account> accounts(const sweep_result& s, int cores) {
  std::map<int, std::vector<run_account>> by_procs;
  for (const auto& r : s.runs) {
    if (r.ok()) by_procs[r.procs].push_back(account_of(r, cores));
  }
  std::vector<run_account> out;
  for (const auto& [p, runs] : by_procs) {
    out.push_back(mean_account(runs));
    out.back().procs = p;  // the procs asked for; a program may override it (warned elsewhere)
  }
  return out;
}

on_cpu on_cpu_part(const run_account& a) {
  const auto& w = a.workers;
  double busy = w.busy_s();
  double on = busy > 0 ? std::max(0.0, 1 - a.cpu.offcpu_s / busy) : 1;
  return {w.running_s * on, w.scheduler_s * on, w.spinning_s * on};
}

std::vector<capacity_loss> attribute(std::span<const run_account> acc,
                                     std::span<const sweep_point> pts, int cores) {
  std::vector<capacity_loss> out;
  if (acc.empty()) return out;
  const auto& b = acc.front();
  auto throughput_at = [&](int p) {
    for (const auto& pt : pts) {
      if (pt.procs == p) return pt.throughput;
    }
    return 0.0;
  };
  double x0 = throughput_at(b.procs);
  auto usable = [&](int p) { return static_cast<double>(std::min(p, cores)); };
  auto b_on = on_cpu_part(b);
  for (const auto& a : acc) {
    capacity_loss l;
    l.procs = a.procs;
    l.baseline_procs = b.procs;
    double x = throughput_at(a.procs);
    l.speedup = x0 > 0 ? x / x0 : 0;
    l.ideal = usable(a.procs) / usable(b.procs);
    l.efficiency = l.ideal > 0 ? l.speedup / l.ideal : 0;
    l.karp_flatt = a.procs > b.procs ? karp_flatt(l.speedup, static_cast<double>(a.procs) / b.procs)
                                     : std::numeric_limits<double>::quiet_NaN();
    l.lost_s = a.workers.total_s - b.workers.total_s;
    l.usable_capacity_s = usable(a.procs) * a.wall_s;
    l.usable_lost_s = l.usable_capacity_s - usable(b.procs) * b.wall_s;

    auto a_on = on_cpu_part(a);
    double run_growth = a_on.running_s - b_on.running_s;
    if (a.probe_ns > 0 && b.probe_ns > 0) l.machine_factor = a.probe_ns / b.probe_ns;
    l.machine_s =
        std::clamp(b_on.running_s * (l.machine_factor - 1), 0.0, std::max(0.0, run_growth));
    l.run_inflation_s = run_growth - l.machine_s;
    l.descheduled_s = a.cpu.offcpu_s - b.cpu.offcpu_s;
    l.scheduler_s = a_on.scheduler_s - b_on.scheduler_s;
    l.spinning_s = a_on.spinning_s - b_on.spinning_s;
    l.unknown_s = a.workers.unknown_s - b.workers.unknown_s;
    double parked_growth = a.workers.parked_s - b.workers.parked_s;

    double positive_growth = 0;
    std::map<std::string, double> causes;
    for (const auto& [c, v] : a.tasks.blocked_s) causes[c] += v;
    for (const auto& [c, v] : b.tasks.blocked_s) causes[c] -= v;
    for (const auto& [c, g] : causes) {
      l.blocked_growth_s[c] = g;
      if (g > 0) positive_growth += g;
    }
    if (parked_growth > 0 && positive_growth > 0) {
      l.idle_blocked_s = std::min(parked_growth, positive_growth);
      for (const auto& [c, g] : causes) {
        if (g > 0) l.idle_by_cause[c] = l.idle_blocked_s * g / positive_growth;
      }
    }
    l.idle_empty_s = parked_growth - l.idle_blocked_s;

    l.external_descheduled_s = std::max(0.0, a.cpu.offcpu_external_s - b.cpu.offcpu_external_s);
    // A worker that parked or searched had no work: that growth is the program's own loss
    // whatever else ran on the machine, so it is a floor under the estimate that subtracts
    // the descheduling (which, on a busy machine, can swallow everything).
    double idle_growth =
        (a.workers.parked_s - b.workers.parked_s) + (a.workers.spinning_s - b.workers.spinning_s);
    // The machine's own slowdown is taken out the same way: capacity the program could not use.
    l.own_lost_s = std::max(l.usable_lost_s - l.external_descheduled_s - l.machine_s,
                            std::min(idle_growth, l.usable_lost_s));
    l.own_share = l.usable_capacity_s > 0 ? l.own_lost_s / l.usable_capacity_s : 0;
    l.run_inflation_ratio = b_on.running_s > 0 ? l.run_inflation_s / b_on.running_s : 0;
    out.push_back(std::move(l));
  }
  return out;
}

}  // namespace weft_doctor
