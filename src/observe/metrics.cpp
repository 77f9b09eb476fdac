// JSON export of the runtime's counters (schema: docs/metrics.md).
#include <atomic>
#include <nlohmann/json.hpp>
#include <ostream>

#include "weft/observe.hpp"

namespace weft::metrics {

namespace {
std::atomic<std::uint64_t> g_pools_oversubscribed{0};
std::atomic<int> g_max_pool_workers{0};
}  // namespace

void note_pool_oversubscribed(int workers, int /*procs*/) noexcept {
  g_pools_oversubscribed.fetch_add(1, std::memory_order_relaxed);
  auto m = g_max_pool_workers.load(std::memory_order_relaxed);
  while (workers > m && !g_max_pool_workers.compare_exchange_weak(m, workers)) {
  }
}

void fill_process_stats(runtime_stats& s) {
  s.pools_oversubscribed = g_pools_oversubscribed.load(std::memory_order_relaxed);
  s.max_pool_workers = g_max_pool_workers.load(std::memory_order_relaxed);
}

worker_stats runtime_stats::total() const {
  worker_stats t;
  t.worker = -1;
  for (const auto& w : workers) {
    t.tasks_run += w.tasks_run;
    t.timed_runs += w.timed_runs;
    t.run_ns += w.run_ns;
    t.sched_latency_ns += w.sched_latency_ns;
    t.steals_tried += w.steals_tried;
    t.steals_won += w.steals_won;
    t.steals_retry += w.steals_retry;
    t.parks += w.parks;
    t.idle_ns += w.idle_ns;
    t.spin_ns += w.spin_ns;
    t.wall_ns += w.wall_ns;
    t.lifo_runs += w.lifo_runs;
    t.injector_pops += w.injector_pops;
    t.overflows += w.overflows;
    t.long_runs += w.long_runs;
    t.max_run_ns = std::max(t.max_run_ns, w.max_run_ns);
    t.tasks_spawned += w.tasks_spawned;
    t.max_span_ns = std::max(t.max_span_ns, w.max_span_ns);
    for (const auto& [k, v] : w.blocked_ns) t.blocked_ns[k] += v;
  }
  return t;
}

namespace {
nlohmann::json to_json(const worker_stats& w) {
  return {
      {"worker", w.worker},
      {"tasks_run", w.tasks_run},
      {"timed_runs", w.timed_runs},
      {"run_ns", w.run_ns},
      {"sched_ns", w.sched_ns()},
      {"sched_latency_ns", w.sched_latency_ns},
      {"steals_tried", w.steals_tried},
      {"steals_won", w.steals_won},
      {"steals_retry", w.steals_retry},
      {"parks", w.parks},
      {"idle_ns", w.idle_ns},
      {"spin_ns", w.spin_ns},
      {"wall_ns", w.wall_ns},
      {"lifo_runs", w.lifo_runs},
      {"injector_pops", w.injector_pops},
      {"overflows", w.overflows},
      {"long_runs", w.long_runs},
      {"max_run_ns", w.max_run_ns},
      {"tasks_spawned", w.tasks_spawned},
      {"max_span_ns", w.max_span_ns},
      {"blocked_ns", w.blocked_ns},
  };
}
}  // namespace

void write_json(const runtime_stats& s, std::ostream& out) {
  nlohmann::json j;
  j["schema"] = "weft.metrics/1";
  j["name"] = s.name;
  j["procs"] = s.procs;
  j["wall_s"] = s.wall_s;
  j["long_run_threshold_ns"] = s.long_run_threshold_ns;
  j["long_run_site"] = s.long_run_last;
  j["pools_oversubscribed"] = s.pools_oversubscribed;
  j["max_pool_workers"] = s.max_pool_workers;
  j["total"] = to_json(s.total());
  j["progress"] = s.progress;
  j["forkjoin"] = {
      {"work_ns", s.work_ns()}, {"span_ns", s.span_ns()}, {"parallelism", s.parallelism()}};
  auto& ws = j["workers"] = nlohmann::json::array();
  for (const auto& w : s.workers) ws.push_back(to_json(w));
  auto& cs = j["classes"] = nlohmann::json::array();
  for (const auto& c : s.classes) {
    cs.push_back({{"site", c.site},
                  {"function", c.function},
                  {"tasks", c.tasks},
                  {"runs", c.runs},
                  {"run_ns", c.run_ns},
                  {"sched_latency_ns", c.sched_latency_ns},
                  {"blocked_ns", c.blocked_ns}});
  }
  auto& os = j["objects"] = nlohmann::json::array();
  for (const auto& o : s.objects) {
    os.push_back(
        {{"kind", o.kind}, {"name", o.name}, {"blocked_ns", o.blocked_ns}, {"waits", o.waits}});
  }
  out << j.dump(2) << '\n';
}

}  // namespace weft::metrics
