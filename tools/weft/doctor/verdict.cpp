#include "doctor/verdict.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

namespace weft_doctor {

namespace {

// What every rule may look at: the baseline, the procs value diagnosed, and the loss between.
struct context {
  const run_account& b;
  const run_account& a;
  const capacity_loss& l;
  const thresholds& t;
  int cores;
  double spawn_ns;
  const usl_fit* usl;
};

evidence_item num(std::string name, double value, std::string unit, std::string meaning) {
  return {std::move(name), value, std::move(unit), std::move(meaning), std::nullopt, ""};
}
evidence_item at_least(std::string name, double value, std::string unit, std::string meaning,
                       double threshold) {
  return {std::move(name), value, std::move(unit), std::move(meaning), threshold, ">="};
}
evidence_item below(std::string name, double value, std::string unit, std::string meaning,
                    double threshold) {
  return {std::move(name), value, std::move(unit), std::move(meaning), threshold, "<"};
}
bool holds(const evidence_item& e) {
  if (!e.threshold) return true;
  if (!std::isfinite(e.value)) return false;
  return e.compare == "<" ? e.value < *e.threshold : e.value >= *e.threshold;
}
rule_result rule(std::string name, std::string verdict, std::string subtype,
                 std::vector<evidence_item> numbers) {
  rule_result r{std::move(name), std::move(verdict), std::move(subtype), true, std::move(numbers)};
  for (const auto& n : r.numbers) r.fired = r.fired && holds(n);
  return r;
}

double blocked(const run_account& a, bool (*pred)(const std::string&)) {
  double sum = 0;
  for (const auto& [cause, v] : a.tasks.blocked_s) {
    if (pred(cause)) sum += v;
  }
  return sum;
}

// Scheduler work (queue operations, wake-ups, steals won) per busy second on CPU. Search time is
// left out: a worker searching found nothing to do, which is idleness, not overhead.
double sched_share(const run_account& a) {
  auto on = on_cpu_part(a);
  double busy = on.running_s + on.scheduler_s + on.spinning_s;
  return busy > 0 ? on.scheduler_s / busy : 0;
}

double sync_growth(const capacity_loss& l) {
  double g = 0;
  for (const auto& [cause, v] : l.blocked_growth_s) {
    if (is_sync_cause(cause) && v > 0) g += v;
  }
  return g;
}

// A ratio to the program's own lost capacity; 0 when it lost nothing.
double per_lost(double v, const capacity_loss& l) {
  return l.own_lost_s > 0 ? v / l.own_lost_s : 0;
}

// The named object whose blocked time grew most between the baseline and `a`.
std::optional<object_time> most_grown_object(const context& c) {
  std::map<std::pair<std::string, std::string>, double> before;
  for (const auto& o : c.b.tasks.objects) before[{o.kind, o.name}] = o.blocked_s;
  std::optional<object_time> best;
  double best_growth = 0;
  for (const auto& o : c.a.tasks.objects) {
    double g = o.blocked_s - before[{o.kind, o.name}];
    if (g > best_growth) {
      best_growth = g;
      best = o;
    }
  }
  return best;
}

rule_result io_bound(const context& c) {
  double usable = std::min(c.b.procs, c.cores);
  double wall = c.b.process_wall_s > 0 ? c.b.process_wall_s : c.b.wall_s;
  double cpu_per_core = wall > 0 ? c.b.cpu.cpu_s / (wall * usable) : 0;
  double waiting = c.b.wall_s > 0 ? blocked(c.b, &is_io_cause) / c.b.wall_s : 0;
  return rule("io-bound", "io-bound", "",
              {below("baseline_cpu_per_core", cpu_per_core, "share",
                     "CPU the process used per usable core, at the baseline", c.t.io_cpu_max),
               at_least("baseline_tasks_waiting_io", waiting, "tasks",
                        "tasks waiting on I/O, the blocking pool or timers, on average",
                        c.t.io_waiting_min)});
}

rule_result oversubscription(const context& c) {
  auto r = rule("oversubscription", "scheduling", "",
                {at_least("runnable_threads", c.a.cpu.demand, "threads",
                          "the process's threads on a CPU or waiting for one, on average",
                          c.t.oversub_demand * c.cores),
                 num("cores", c.cores, "cores", "CPUs this process may use")});
  r.numbers.push_back(num("max_threads_seen", c.a.cpu.max_threads, "threads",
                          "the most threads the process had at once (sampled)"));
  r.numbers.push_back(num("cpu_outside_workers_s", c.a.cpu.outside_s, "s",
                          "CPU time used beyond the workers' busy time (other threads)"));
  r.numbers.push_back(
      num("blocked_on_blocking_pool_s",
          c.a.tasks.blocked_s.count("blocking") ? c.a.tasks.blocked_s.at("blocking") : 0, "s",
          "task time waiting on weft::blocking calls"));
  r.numbers.push_back(num("max_pool_workers", c.a.max_pool_workers, "workers",
                          "the largest worker_pool asked for (more than procs: oversubscribed)"));
  return r;
}

rule_result too_fine(const context& c) {
  return rule(
      "too-fine", "decomposition", "too-fine",
      {below("mean_task_run_ns", c.a.tasks.mean_run_ns(), "ns", "run time per task resumption",
             c.t.fine_factor * c.spawn_ns),
       num("spawn_join_ns", c.spawn_ns, "ns", "measured spawn+join cost of one task"),
       at_least("scheduler_share", sched_share(c.a), "share",
                "scheduler share of the workers' busy time on CPU", c.t.fine_sched_share),
       at_least("workers_busy_share",
                c.a.workers.total_s > 0 ? c.a.workers.busy_s() / c.a.workers.total_s : 0, "share",
                "share of worker time running or scheduling (not parked)", c.t.fine_busy_min)});
}

rule_result sync_blocking(const context& c) {
  auto r = rule(
      "blocking", "synchronization", "",
      {at_least("idle_growth_per_lost", per_lost(c.l.idle_growth_s(), c.l), "share",
                "growth of parked + search time per second of capacity lost", c.t.sync_idle_share),
       at_least("sync_blocked_growth_per_lost", per_lost(sync_growth(c.l), c.l), "x",
                "growth of task time blocked on mutex/semaphore/channel/select/"
                "wait_group per second of capacity lost",
                c.t.sync_blocked_growth)});
  if (auto o = most_grown_object(c)) {
    r.numbers.push_back(num("top_object_blocked_s", o->blocked_s, "s",
                            fmt::format("task time blocked on {} '{}'", o->kind, o->name)));
    r.numbers.push_back(num("top_object_waits", o->waits, "waits",
                            fmt::format("waits on {} '{}'", o->kind, o->name)));
  }
  return r;
}

evidence_item idle_dominant(const context& c) {
  return at_least("idle_growth_per_lost", per_lost(c.l.idle_growth_s(), c.l), "share",
                  "growth of parked + search time per second of capacity lost", c.t.idle_share);
}

rule_result too_coarse(const context& c) {
  return rule("too-coarse", "decomposition", "too-coarse",
              {idle_dominant(c),
               below("tasks_spawned", c.a.tasks.tasks_spawned, "tasks", "tasks started in the run",
                     c.t.coarse_tasks_per_worker * c.a.procs)});
}

rule_result imbalance(const context& c) {
  return rule(
      "imbalance", "decomposition", "imbalance",
      {idle_dominant(c),
       at_least("longest_run_share", c.a.wall_s > 0 ? c.a.tasks.longest_run_s / c.a.wall_s : 0,
                "share", "the longest single task run, as a share of the run's wall time",
                c.t.imbalance_run_share),
       num("longest_run_s", c.a.tasks.longest_run_s, "s", "the longest single task run")});
}

rule_result serial_path(const context& c) {
  double limit = c.t.serial_parallelism * std::min(c.a.procs, c.cores);
  return rule("serial-path", "decomposition", "serial-path",
              {idle_dominant(c),
               below("parallelism", c.a.parallelism > 0 ? c.a.parallelism : NAN, "x",
                     "fork-join work / span: the most workers the task graph can keep busy", limit),
               num("span_s", c.a.span_s, "s", "the longest chain of dependent run time"),
               num("work_s", c.a.work_s, "s", "all task run time")});
}

rule_result coherency(const context& c) {
  double others = std::max({c.l.idle_growth_s(), c.l.scheduler_s, c.l.unknown_s});
  auto r = rule(
      "coherency", "synchronization", "",
      {at_least("run_inflation", c.l.run_inflation_ratio, "share",
                "growth of task run time on CPU (the same work, slower)", c.t.coherency_inflation),
       // A share, not a ratio: with nothing else lost a ratio would be infinite, and an
       // infinite value never satisfies a threshold (holds()), so the purest case would not fire.
       at_least("run_inflation_share",
                c.l.run_inflation_s > 0 ? c.l.run_inflation_s / (c.l.run_inflation_s + others) : 0,
                "share",
                "run-time growth against itself plus the largest other part of the lost capacity",
                0.5)});
  if (c.usl && c.usl->kappa_fitted) {
    r.numbers.push_back(num("usl_kappa", c.usl->kappa, "", "USL coherency coefficient"));
  }
  return r;
}

rule_result sched_overhead(const context& c) {
  return rule("overhead", "scheduling", "",
              {at_least("scheduler_share", sched_share(c.a), "share",
                        "scheduler share of the workers' busy time on CPU", c.t.sched_share),
               num("runnable_wait_per_run_us",
                   c.a.tasks.tasks_run > 0 ? c.a.tasks.runnable_s * 1e6 / c.a.tasks.tasks_run : 0,
                   "us", "mean time a task waited runnable before it ran")});
}

std::string fmt_s(double s) {
  if (std::abs(s) >= 1) return fmt::format("{:.2f} s", s);
  if (std::abs(s) >= 1e-3) return fmt::format("{:.1f} ms", s * 1e3);
  return fmt::format("{:.0f} us", s * 1e6);
}

// "dir/file.cpp:42" -> "file.cpp:42": a class's site as the findings name it.
std::string short_site(const std::string& site) {
  auto slash = site.rfind('/');
  return slash == std::string::npos ? site : site.substr(slash + 1);
}

// The task class with the most task runs: where a too-fine program cuts its work.
const class_time* busiest_by_runs(const task_time& t) {
  const class_time* best = nullptr;
  for (const auto& c : t.classes) {
    if (c.site != "other" && (!best || c.runs > best->runs)) best = &c;
  }
  return best;
}

// The task class that spent the most time blocked on synchronization, and that time.
std::pair<const class_time*, double> most_sync_blocked(const task_time& t) {
  const class_time* best = nullptr;
  double most = 0;
  for (const auto& c : t.classes) {
    double b = 0;
    for (const auto& [cause, v] : c.blocked_s) {
      if (is_sync_cause(cause)) b += v;
    }
    if (c.site != "other" && b > most) {
      best = &c;
      most = b;
    }
  }
  return {best, most};
}

std::uint64_t round_pow2(double v) {
  if (v <= 1) return 1;
  return std::uint64_t{1} << static_cast<int>(std::lround(std::log2(v)));
}

// The sentences and changes that go with the rule that decided.
void explain(diagnosis& d, const context& c, const std::string& rule_name) {
  const auto& a = c.a;
  const auto& l = c.l;
  auto P = a.procs;
  auto R = d.recommended_procs;
  if (rule_name == "io-bound") {
    double waiting = c.b.wall_s > 0 ? blocked(c.b, &is_io_cause) / c.b.wall_s : 0;
    d.findings.push_back(fmt::format(
        "At procs {} the process used {:.0f}% of the CPU it could, while {:.1f} tasks on average "
        "waited on I/O, the blocking pool or timers.",
        c.b.procs,
        100 * c.b.cpu.cpu_s / (std::max(c.b.process_wall_s, 1e-9) * std::min(c.b.procs, c.cores)),
        waiting));
    d.recommendation = fmt::format(
        "Throughput is set by waiting, not computing: raise concurrency (more requests or tasks "
        "in flight), not procs. procs = {} is enough.",
        R);
    d.changes.push_back(fmt::format(
        "run more waits at once: today about {:.1f} tasks wait at any moment", waiting));
    d.changes.push_back(fmt::format("use procs = {}", R));
  } else if (rule_name == "oversubscription") {
    d.findings.push_back(fmt::format(
        "At procs {} the process had {:.1f} runnable threads on average for {} cores (up to {} "
        "threads seen): threads time-share the cores and the workers are descheduled.",
        P, a.cpu.demand, c.cores, a.cpu.max_threads));
    double on_blocking = a.tasks.blocked_s.count("blocking") ? a.tasks.blocked_s.at("blocking") : 0;
    double usable = std::min(P, c.cores);
    double cpu_cores = a.process_wall_s > 0 ? a.cpu.cpu_s / a.process_wall_s : 0;
    double task_run_cores = a.wall_s > 0 ? a.tasks.running_s / a.wall_s : 0;
    // Tasks sat in blocking calls while the process burned CPU the tasks' own run time does not
    // account for: the blocking calls are computing.
    if (a.wall_s > 0 && on_blocking >= a.wall_s && cpu_cores >= 0.5 * usable &&
        task_run_cores < 0.5 * cpu_cores) {
      d.findings.push_back(fmt::format(
          "Tasks spent {} in weft::blocking calls ({:.1f} at a time on average) while the process "
          "used {:.1f} cores and task run time only {:.2f} cores: the blocking calls are doing "
          "CPU work, each on its own thread.",
          fmt_s(on_blocking), on_blocking / a.wall_s, cpu_cores, task_run_cores));
      d.changes.push_back(
          "run CPU work on the workers (a plain callable, spawn or parallel_for), and keep "
          "weft::blocking for calls that wait in the kernel");
    } else if (a.cpu.outside_s > 0.1 * a.cpu.cpu_s) {
      d.findings.push_back(
          fmt::format("{} of CPU ran on threads other than the workers.", fmt_s(a.cpu.outside_s)));
      d.changes.push_back(
          "give the program's own threads fewer cores, or move their work "
          "onto weft tasks");
    }
    if (a.max_pool_workers > P) {
      d.findings.push_back(fmt::format("A worker_pool asked for {:.0f} workers with procs = {}.",
                                       a.max_pool_workers, P));
      d.changes.push_back("size worker_pools to weft::procs() for CPU work");
    }
    if (P > c.cores) d.changes.push_back(fmt::format("use procs <= {} (the cores)", c.cores));
    d.recommendation = fmt::format(
        "More threads want the CPU than there are cores; cut the runnable threads to the cores. "
        "procs = {}.",
        R);
  } else if (rule_name == "too-fine") {
    double mean = a.tasks.mean_run_ns();
    auto grain = round_pow2(25'000 / std::max(mean, 1.0));
    d.findings.push_back(fmt::format(
        "A task run averages {:.0f} ns, {:.1f} times the {:.0f} ns it costs to spawn and join "
        "one; the scheduler takes {:.0f}% of the workers' busy time ({:.0f} task runs).",
        mean, mean / c.spawn_ns, c.spawn_ns, 100 * sched_share(a), a.tasks.tasks_run));
    d.recommendation = fmt::format(
        "Tasks are too small for their overhead: batch about {} items per task (parallel_for: "
        "raise the grain to {}, or leave it unset and let parallel_for measure).",
        grain, grain);
    if (const auto* k = busiest_by_runs(a.tasks); k && a.tasks.tasks_run > 0) {
      d.findings.push_back(fmt::format(
          "{:.0f}% of the task runs are of tasks started at {}: {:.0f} tasks, {:.0f} ns of run "
          "time each.",
          100 * k->runs / a.tasks.tasks_run, short_site(k->site), k->tasks, k->run_ns_per_task()));
      d.changes.push_back(
          fmt::format("batch ~{} items per task where {} starts them, for ~25 us of work per task",
                      grain, short_site(k->site)));
    } else {
      d.changes.push_back(
          fmt::format("batch ~{} items per task, for ~25 us of work per task", grain));
    }
    d.changes.push_back(fmt::format("use procs = {}", R));
  } else if (rule_name == "blocking") {
    d.findings.push_back(fmt::format(
        "From procs {} to {}, task time blocked on synchronization grew by {} while parked and "
        "search time grew by {} ({:.0f}% of the capacity lost).",
        c.b.procs, P, fmt_s(sync_growth(l)), fmt_s(l.idle_growth_s()),
        100 * per_lost(l.idle_growth_s(), l)));
    if (auto o = most_grown_object(c)) {
      d.findings.push_back(fmt::format("Most of it on {} '{}': {} blocked over {:.0f} waits.",
                                       o->kind, o->name, fmt_s(o->blocked_s), o->waits));
      d.changes.push_back(fmt::format(
          "shorten what runs while holding {} '{}' (move work out of it), or shard what it "
          "guards so tasks stop queueing on one object",
          o->kind, o->name));
    } else {
      d.changes.push_back(
          "name your mutexes, semaphores and channels (last constructor "
          "argument) so the doctor can say which one");
      d.changes.push_back("shorten the critical sections, or shard the data behind them");
    }
    if (auto [k, blocked_s] = most_sync_blocked(a.tasks); k) {
      d.findings.push_back(fmt::format(
          "The tasks started at {} waited longest: {} blocked on synchronization over {:.0f} "
          "tasks.",
          short_site(k->site), fmt_s(blocked_s), k->tasks));
    }
    d.recommendation = fmt::format(
        "Workers idle while tasks wait on each other: reduce the waiting. Until then, procs = {}.",
        R);
    d.changes.push_back(fmt::format("use procs = {}", R));
  } else if (rule_name == "too-coarse") {
    d.findings.push_back(fmt::format(
        "Only {:.0f} tasks were started for {} workers; parked and search time grew by {}.",
        a.tasks.tasks_spawned, P, fmt_s(l.idle_growth_s())));
    d.recommendation = fmt::format(
        "There are fewer pieces of work than workers: cut the work into at least {} pieces.",
        4 * P);
    d.changes.push_back(fmt::format("split the work into >= {} tasks (4 per worker)", 4 * P));
  } else if (rule_name == "imbalance") {
    d.findings.push_back(fmt::format(
        "One task run took {} of the {} run ({:.0f}% of all task time) while parked and search "
        "time grew by {}.",
        fmt_s(a.tasks.longest_run_s), fmt_s(a.wall_s),
        100 * a.tasks.longest_run_s / std::max(a.work_s, 1e-12), fmt_s(l.idle_growth_s())));
    d.recommendation =
        "One task holds the run back while the other workers run out of work: split that task "
        "(a parallel_for inside it), or start it first.";
    // The site reads "file:line (function signature)"; the signature of a lambda is long.
    auto site = a.tasks.long_run_site.substr(0, a.tasks.long_run_site.find(" ("));
    if (!site.empty()) {
      d.findings.push_back(fmt::format("The longest run was of a task started at {}.", site));
    }
    d.changes.push_back(fmt::format("split the {} task{} into pieces of a few ms",
                                    fmt_s(a.tasks.longest_run_s),
                                    site.empty() ? "" : " started at " + site));
    d.changes.push_back(fmt::format("use procs = {}", R));
  } else if (rule_name == "serial-path") {
    d.findings.push_back(fmt::format(
        "Work / span = {:.2f}: the longest chain of dependent tasks is {} of {} of work, so at "
        "most {:.2f} workers can ever be busy; parked and search time grew by {}.",
        a.parallelism, fmt_s(a.span_s), fmt_s(a.work_s), a.parallelism, fmt_s(l.idle_growth_s())));
    d.recommendation = fmt::format(
        "The work is a chain: break the dependencies (independent steps, a pipeline) to use more "
        "workers. Until then procs = {}.",
        R);
    d.changes.push_back(fmt::format("use procs = {} (work/span allows {:.2f})", R, a.parallelism));
  } else if (rule_name == "coherency") {
    d.findings.push_back(fmt::format(
        "From procs {} to {} the same tasks took {:.0f}% longer on CPU ({} more) with no "
        "blocking or idling to explain it.",
        c.b.procs, P, 100 * l.run_inflation_ratio, fmt_s(l.run_inflation_s)));
    if (c.usl && c.usl->kappa_fitted && c.usl->kappa > 0) {
      d.findings.push_back(
          fmt::format("USL kappa = {:.4f}: a cost per pair of workers.", c.usl->kappa));
    }
    d.recommendation = fmt::format(
        "Workers slow each other down without waiting: shared writes (one atomic counter, a "
        "shared structure, false sharing) or memory bandwidth. Shard per worker and combine at "
        "the end. Until then procs = {}.",
        R);
    d.changes.push_back(
        "shard shared counters and accumulators per worker or per chunk; pad "
        "per-worker data to 64-byte cache lines");
    d.changes.push_back(fmt::format("use procs = {}", R));
  } else if (rule_name == "overhead") {
    d.findings.push_back(fmt::format("Scheduler work takes {:.0f}% of the workers' busy time.",
                                     100 * sched_share(a)));
    d.recommendation =
        "Tasks yield or wake each other more often than they work: batch the "
        "hand-offs (send batches over channels, yield less).";
    d.changes.push_back(fmt::format("use procs = {}", R));
  }
}

}  // namespace

diagnosis diagnose(const doctor_inputs& in) {
  diagnosis d;
  const auto& t = in.limits;
  double spawn_ns = in.cost.measured ? in.cost.spawn_join_ns : k_default_spawn_ns;

  // Recommended procs: the fewest that reach near the best throughput. Workers beyond the cores
  // add no CPU, so they are recommended only when they beat the best within the cores clearly
  // (by a fifth): then something blocks its worker in the kernel, which is worth saying.
  double best = 0, best_within = 0;
  for (const auto& p : in.points) {
    best = std::max(best, p.throughput);
    if (p.procs <= in.cores) best_within = std::max(best_within, p.throughput);
  }
  bool beyond = best_within == 0 || best > 1.2 * best_within;
  double target = t.near_best * (beyond ? best : best_within);
  for (const auto& p : in.points) {
    if ((beyond || p.procs <= in.cores) && p.throughput >= target) {
      d.recommended_procs = p.procs;
      break;
    }
  }
  if (best_within > 0 && beyond) {
    d.warnings.push_back(fmt::format(
        "throughput kept rising beyond the {} cores ({:.0f}% above the best within them): "
        "extra workers only help when tasks block their worker thread in the kernel; move such "
        "calls to weft::blocking",
        in.cores, 100 * (best / best_within - 1)));
  }

  if (in.accounts.size() < 2 || in.losses.size() != in.accounts.size()) {
    d.verdict = "inconclusive";
    d.findings.push_back(
        in.accounts.empty()
            ? "No run wrote weft metrics, so there is no time account to judge."
            : "Fewer than two procs values have metrics: scaling cannot be judged.");
    d.recommendation =
        "Run a weft program (it writes WEFT_METRICS) over at least two procs values.";
    return d;
  }

  const auto& b = in.accounts.front();
  d.baseline_procs = b.procs;
  for (const auto& l : in.losses) {
    if (l.machine_s > 0.05 * l.usable_capacity_s) {
      d.warnings.push_back(fmt::format(
          "the machine probe ran {:.0f}% slower per thread around the runs at procs {} than at "
          "procs {} (hyperthread siblings, a lower clock with more cores busy, or a host's "
          "vCPUs slowing): {} of the growth in task run time is credited to the machine, not "
          "the program",
          100 * (l.machine_factor - 1), l.procs, b.procs, fmt_s(l.machine_s)));
    }
  }
  auto rules_at = [&](std::size_t i) {
    context c{b, in.accounts[i], in.losses[i], t, in.cores, spawn_ns, in.usl};
    return std::vector<rule_result>{io_bound(c),      oversubscription(c), too_fine(c),
                                    sync_blocking(c), too_coarse(c),       imbalance(c),
                                    serial_path(c),   coherency(c),        sched_overhead(c)};
  };
  auto any_fired = [](const std::vector<rule_result>& rs) {
    return std::any_of(rs.begin(), rs.end(), [](const rule_result& r) { return r.fired; });
  };
  // Judge the first procs value that lost material capacity and where a rule explains it; if
  // no rule explains any of them, the first that lost material capacity; if none did, the last
  // procs value (for the rule table), and call it healthy.
  std::size_t at = 0;
  for (std::size_t i = 1; i < in.losses.size(); ++i) {
    if (in.losses[i].own_share < t.material_loss) continue;
    if (!at) at = i;
    if (any_fired(rules_at(i))) {
      at = i;
      break;
    }
  }
  std::size_t judged = at ? at : in.losses.size() - 1;
  const auto& a = in.accounts[judged];
  const auto& l = in.losses[judged];
  d.procs = a.procs;
  d.disturbed = std::max(b.cpu.external, a.cpu.external) >= t.external_load * in.cores;
  context c{b, a, l, t, in.cores, spawn_ns, in.usl};
  d.rules = rules_at(judged);

  d.evidence.push_back(num("procs", a.procs, "", "the procs value diagnosed"));
  d.evidence.push_back(num("baseline_procs", b.procs, "", "the procs value compared against"));
  d.evidence.push_back(num("speedup", l.speedup, "x", "throughput against the baseline"));
  d.evidence.push_back(num("efficiency", l.efficiency, "share",
                           "speedup against the ideal min(procs, cores) / min(baseline, cores)"));
  d.evidence.push_back(
      num("machine_factor", l.machine_factor, "x",
          "how much slower the machine probe ran than around the baseline's runs"));
  d.evidence.push_back(at_least("own_lost_share", l.own_share, "share",
                                "usable CPU capacity the program itself lost", t.material_loss));

  if (!at) {
    // Scaling cannot be faulted, but waste that every procs value pays is still worth a verdict:
    // tasks near their spawn cost, or a scheduler busier than the tasks.
    for (const auto& r : d.rules) {
      if (!r.fired || r.name != "too-fine") continue;
      d.verdict = r.verdict;
      d.subtype = r.subtype;
      d.rule = r.name;
      for (const auto& n : r.numbers) d.evidence.push_back(n);
      d.findings.push_back(fmt::format(
          "Scaling lost no material capacity up to procs {} (own loss {:.0f}%), but the "
          "overhead of tiny tasks is paid at every procs value:",
          a.procs, 100 * l.own_share));
      explain(d, c, r.name);
      return d;
    }
    d.verdict = "healthy";
    d.rule = "healthy";
    d.findings.push_back(fmt::format(
        "Every procs value kept at least {:.0f}% of the CPU capacity it could use (at procs {}: "
        "speedup {:.2f}, efficiency {:.0f}%).",
        100 * (1 - t.material_loss), a.procs, l.speedup, 100 * l.efficiency));
    if (l.external_descheduled_s > 0.05 * l.usable_capacity_s) {
      d.findings.push_back(fmt::format(
          "{} of worker time was descheduled by other processes; it is not counted against the "
          "program.",
          fmt_s(l.external_descheduled_s)));
    }
    if (l.machine_s > 0.05 * l.usable_capacity_s) {
      d.findings.push_back(fmt::format(
          "Task run time grew by {} that the machine's own slowdown explains (its probe ran "
          "{:.0f}% slower per thread); it is not counted against the program.",
          fmt_s(l.machine_s), 100 * (l.machine_factor - 1)));
    }
    d.recommendation =
        fmt::format("Scales as well as the cores allow; use procs = {}.", d.recommended_procs);
    d.changes.push_back(fmt::format("use procs = {}", d.recommended_procs));
    return d;
  }

  for (const auto& r : d.rules) {
    if (!r.fired) continue;
    d.verdict = r.verdict;
    d.subtype = r.subtype;
    d.rule = r.name;
    for (const auto& n : r.numbers) d.evidence.push_back(n);
    explain(d, c, r.name);
    return d;
  }

  // No rule fired: the largest part of what the program lost decides, at low confidence.
  d.low_confidence = true;
  double idle = l.idle_growth_s(), run = l.run_inflation_s, sched = l.scheduler_s;
  std::string by;
  if (run >= idle && run >= sched) {
    d.verdict = "synchronization";
    by = "coherency";
  } else if (sched >= idle) {
    d.verdict = "scheduling";
    by = "overhead";
  } else {
    d.verdict = "decomposition";
    if (a.wall_s > 0 && a.tasks.longest_run_s >= 0.25 * a.wall_s) {
      by = "imbalance";
    } else if (a.parallelism > 0 && a.parallelism < std::min(a.procs, in.cores)) {
      by = "serial-path";
    } else {
      by = "too-coarse";
    }
    d.subtype = by;
  }
  d.rule = by;
  d.findings.push_back(fmt::format(
      "No rule's thresholds were met at procs {}; the largest part of the {} of capacity lost "
      "was {} (run-time growth {}, scheduler {}, parked + search {}).",
      a.procs, fmt_s(l.own_lost_s), by, fmt_s(run), fmt_s(sched), fmt_s(idle)));
  explain(d, c, by);
  return d;
}

}  // namespace weft_doctor
