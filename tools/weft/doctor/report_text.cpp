#include <cmath>
#include <set>

#include <fmt/format.h>

#include "doctor/report.hpp"
#include "doctor/report_format.hpp"

namespace weft_doctor {

namespace {
using format::fixed;
using format::join;
using format::pct;
using format::secs;
using format::signed_secs;
using format::threshold_text;
using format::value_text;

void sweep_table(const doctor_report& r, std::FILE* out) {
  fmt::print(out, "\nSweep (throughput = {})\n",
             r.sweep.progress_points
                 ? "progress points per second of the runtime's wall time"
                 : "runs per second, 1 / the runtime's wall time: the program has no progress "
                   "points");
  fmt::print(out, "  {:>5}  {:>9}  {:>10}  {:>7}  {:>6}  {:>10}  {:>8}  {:>8}  {:>11}\n", "procs",
             "wall", "throughput", "speedup", "effic.", "Karp-Flatt", "CPU", "runnable",
             "other procs");
  for (const auto& p : r.points) {
    const capacity_loss* l = nullptr;
    const run_account* a = nullptr;
    for (const auto& x : r.losses) l = x.procs == p.procs ? &x : l;
    for (const auto& x : r.accounts) a = x.procs == p.procs ? &x : a;
    fmt::print(out, "  {:>5}  {:>9}  {:>10}  {:>7}  {:>6}  {:>10}  {:>8}  {:>8}  {:>11}\n", p.procs,
               secs(p.wall_s), fixed(p.throughput, 3), l ? fixed(l->speedup, 2) : "-",
               l ? pct(l->efficiency) : "-", l ? fixed(l->karp_flatt, 2) : "-",
               a ? secs(a->cpu.cpu_s) : "-", a ? fixed(a->cpu.demand, 1) + " thr" : "-",
               a ? fixed(a->cpu.external, 1) + " cores" : "-");
  }
}

void model_section(const doctor_report& r, std::FILE* out) {
  const auto& u = r.usl;
  fmt::print(out, "\nScalability models (least squares over {} runs at {} procs values)\n",
             u.points, u.distinct_procs);
  if (!u.valid) {
    fmt::print(out, "  not fitted: needs runs at two or more procs values\n");
    return;
  }
  auto quality = [&](double r2) {
    if (u.points <= u.parameters) return std::string("exact fit: as many parameters as runs");
    return std::isfinite(r2) ? fmt::format("R^2 {:.3f}", r2)
                             : std::string("R^2 undefined: throughput did not vary");
  };
  fmt::print(out, "  USL     sigma {:.4f} (contention)  kappa {} (coherency)  peak at {}  {}\n",
             u.sigma,
             u.kappa_fitted ? fmt::format("{:.5f}", u.kappa)
                            : std::string("0, held: needs 3 procs values"),
             u.peak_procs ? fmt::format("procs {:.1f}", *u.peak_procs)
                          : std::string("no peak (throughput keeps rising)"),
             quality(u.r2));
  fmt::print(out, "  Amdahl  serial fraction {:.4f}  {}\n", r.amdahl.serial_fraction,
             quality(r.amdahl.r2));
}

void worker_table(const doctor_report& r, std::FILE* out) {
  fmt::print(out, "\nWhere the worker-seconds went (mean of the runs at each procs value)\n");
  fmt::print(out, "  {:>5}  {:>9}  {:>7}  {:>9}  {:>8}  {:>6}  {:>7}   {:>13}  {:>11}\n", "procs",
             "worker-s", "running", "scheduler", "spinning", "parked", "unknown", "busy, no CPU",
             "CPU outside");
  for (const auto& a : r.accounts) {
    const auto& w = a.workers;
    auto share = [&](double v) { return w.total_s > 0 ? pct(v / w.total_s) : "-"; };
    fmt::print(out, "  {:>5}  {:>9}  {:>7}  {:>9}  {:>8}  {:>6}  {:>7}   {:>13}  {:>11}\n", a.procs,
               secs(w.total_s), share(w.running_s), share(w.scheduler_s), share(w.spinning_s),
               share(w.parked_s), share(w.unknown_s), ">= " + secs(a.cpu.offcpu_s),
               secs(a.cpu.outside_s));
  }
}

void task_table(const doctor_report& r, std::FILE* out) {
  std::set<std::string> causes;
  for (const auto& a : r.accounts) {
    for (const auto& [c, v] : a.tasks.blocked_s) causes.insert(c);
  }
  fmt::print(out,
             "\nWhere the task-seconds went (tasks overlap: these add up to more than the "
             "wall time)\n");
  std::string head = fmt::format("  {:>5}  {:>9}  {:>9}", "procs", "running", "runnable");
  for (const auto& c : causes) head += fmt::format("  {:>12}", c);
  fmt::print(out, "{}\n", head);
  for (const auto& a : r.accounts) {
    std::string row = fmt::format("  {:>5}  {:>9}  {:>9}", a.procs, secs(a.tasks.running_s),
                                  secs(a.tasks.runnable_s));
    for (const auto& c : causes) {
      auto it = a.tasks.blocked_s.find(c);
      row += fmt::format("  {:>12}", it == a.tasks.blocked_s.end() ? "-" : secs(it->second));
    }
    fmt::print(out, "{}\n", row);
  }
  fmt::print(out, "  {:>5}  {:>10}  {:>10}  {:>11}  {:>12}  {:>9}  {:>9}  {:>11}\n", "procs",
             "task runs", "mean run", "longest run", "spawned", "work", "span", "parallelism");
  for (const auto& a : r.accounts) {
    fmt::print(out, "  {:>5}  {:>10.0f}  {:>10}  {:>11}  {:>12.0f}  {:>9}  {:>9}  {:>11}\n",
               a.procs, a.tasks.tasks_run, secs(a.tasks.mean_run_ns() * 1e-9),
               secs(a.tasks.longest_run_s), a.tasks.tasks_spawned, secs(a.work_s), secs(a.span_s),
               fixed(a.parallelism, 2));
  }
  for (const auto& a : r.accounts) {
    std::vector<std::string> named;
    for (const auto& o : a.tasks.objects) {
      if (o.blocked_s <= 0 && o.waits <= 0) continue;
      named.push_back(
          fmt::format("{} '{}' {} in {:.0f} waits", o.kind, o.name, secs(o.blocked_s), o.waits));
      if (named.size() == 4) break;
    }
    if (!named.empty()) {
      fmt::print(out, "  blocked on named objects at procs {}: {}\n", a.procs, join(named, "; "));
    }
  }
}

void loss_table(const doctor_report& r, std::FILE* out) {
  if (r.losses.size() < 2) return;
  int b = r.losses.front().procs;
  fmt::print(out,
             "\nCapacity lost against procs {0}: P x T(P) - {0} x T({0}), in worker-seconds, "
             "split by what grew\n",
             b);
  fmt::print(
      out,
      "  {:>5}  {:>9}  {:>9}  {:>9}  {:>9}  {:>9}  {:>9}  {:>10}  {:>9}  {:>9}   {:>9}  {:>6}\n",
      "procs", "lost", "machine", "run time", "no CPU", "scheduler", "search", "idle:block",
      "idle:none", "unknown", "own loss", "share");
  for (std::size_t i = 1; i < r.losses.size(); ++i) {
    const auto& l = r.losses[i];
    fmt::print(
        out,
        "  {:>5}  {:>9}  {:>9}  {:>9}  {:>9}  {:>9}  {:>9}  {:>10}  {:>9}  {:>9}   {:>9}  {:>6}\n",
        l.procs, secs(l.lost_s), signed_secs(l.machine_s), signed_secs(l.run_inflation_s),
        signed_secs(l.descheduled_s), signed_secs(l.scheduler_s), signed_secs(l.spinning_s),
        signed_secs(l.idle_blocked_s), signed_secs(l.idle_empty_s), signed_secs(l.unknown_s),
        secs(l.own_lost_s), pct(l.own_share));
    std::vector<std::string> by;
    for (const auto& [c, v] : l.idle_by_cause) by.push_back(fmt::format("{} {}", c, secs(v)));
    if (!by.empty())
      fmt::print(out, "         idle while blocked, apportioned: {}\n", join(by, ", "));
  }
  fmt::print(out,
             "  machine: growth of task run time on CPU that the machine's own slowdown explains "
             "(the probe beside each run);\n  run time: the rest of that growth; no CPU: growth "
             "of busy time the process had no CPU for;\n  own loss: capacity the program lost of "
             "min(procs, cores) x T, less descheduling by other processes and the machine's "
             "slowdown\n");
}

void rules_section(const doctor_report& r, std::FILE* out) {
  const auto& d = r.dx;
  if (d.rules.empty()) return;
  fmt::print(out, "\nRules at procs {} against procs {} (in order; the first that fires decides)\n",
             d.procs, d.baseline_procs);
  for (const auto& rule : d.rules) {
    std::vector<std::string> parts;
    for (const auto& e : rule.numbers) {
      if (!e.threshold) continue;
      parts.push_back(fmt::format("{} {}{}", e.name, value_text(e), threshold_text(e)));
    }
    fmt::print(out, "  {:<16} {:<5} {}\n", rule.name, rule.fired ? "FIRED" : "no",
               join(parts, "; "));
  }
}
}  // namespace

void print_text(const doctor_report& r, std::FILE* out) {
  fmt::print(out, "weft doctor: {}\n", join(r.command, " "));
  int runs = static_cast<int>(r.sweep.runs.size());
  fmt::print(out, "  {} cores; {} runs ({} per procs value); self cost: {}\n", r.cores, runs,
             r.repeat, describe(r.cost));
  sweep_table(r, out);
  model_section(r, out);
  if (!r.accounts.empty()) {
    worker_table(r, out);
    task_table(r, out);
    loss_table(r, out);
  }
  rules_section(r, out);

  const auto& d = r.dx;
  fmt::print(out, "\nVerdict: {}{}", d.verdict, d.subtype.empty() ? "" : " / " + d.subtype);
  if (!d.rule.empty() && d.rule != d.verdict && d.rule != d.subtype) {
    fmt::print(out, " ({})", d.rule);
  }
  if (d.procs) fmt::print(out, " at procs {} against procs {}", d.procs, d.baseline_procs);
  if (d.low_confidence) fmt::print(out, "  [low confidence: no rule's thresholds were met]");
  fmt::print(out, "\n");
  if (d.disturbed) {
    fmt::print(out,
               "  (disturbed: other processes used a large share of the cores during these runs; "
               "rerun on a quieter machine to confirm)\n");
  }
  for (const auto& f : d.findings) fmt::print(out, "  - {}\n", f);
  fmt::print(out, "Recommendation: {}\n", d.recommendation);
  for (const auto& c : d.changes) fmt::print(out, "  - {}\n", c);
  if (!r.warnings.empty()) {
    fmt::print(out, "Warnings:\n");
    for (const auto& w : r.warnings) fmt::print(out, "  - {}\n", w);
  }
}

}  // namespace weft_doctor
