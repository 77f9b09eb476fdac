#include "doctor/metrics_file.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace weft_doctor {

namespace {
std::uint64_t u64(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return 0;
  if (it->is_number_unsigned()) return it->get<std::uint64_t>();
  auto v = it->get<double>();
  return v > 0 ? static_cast<std::uint64_t>(v) : 0;
}

double number(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : 0.0;
}

worker_metrics parse_worker(const nlohmann::json& j) {
  worker_metrics w;
  w.tasks_run = u64(j, "tasks_run");
  w.run_ns = u64(j, "run_ns");
  w.sched_ns = u64(j, "sched_ns");
  w.sched_latency_ns = u64(j, "sched_latency_ns");
  w.steals_tried = u64(j, "steals_tried");
  w.steals_won = u64(j, "steals_won");
  w.steals_retry = u64(j, "steals_retry");
  w.parks = u64(j, "parks");
  w.idle_ns = u64(j, "idle_ns");
  w.spin_ns = u64(j, "spin_ns");
  w.wall_ns = u64(j, "wall_ns");
  w.lifo_runs = u64(j, "lifo_runs");
  w.injector_pops = u64(j, "injector_pops");
  w.overflows = u64(j, "overflows");
  w.long_runs = u64(j, "long_runs");
  w.max_run_ns = u64(j, "max_run_ns");
  w.tasks_spawned = u64(j, "tasks_spawned");
  w.max_span_ns = u64(j, "max_span_ns");
  if (auto it = j.find("blocked_ns"); it != j.end() && it->is_object()) {
    for (const auto& [cause, v] : it->items()) {
      if (v.is_number()) w.blocked_ns[cause] = v.get<std::uint64_t>();
    }
  }
  return w;
}

void parse_progress(const nlohmann::json& j, run_metrics& m) {
  auto it = j.find("progress");
  if (it == j.end() || !it->is_object()) return;
  double sum = 0;
  for (const auto& [name, v] : it->items()) {
    if (!v.is_number()) continue;
    m.progress_by_name[name] = v.get<double>();
    sum += v.get<double>();
  }
  if (sum > 0) m.progress = sum;
}
}  // namespace

run_metrics parse_metrics(const nlohmann::json& j) {
  if (!j.is_object()) throw std::runtime_error("metrics: not a JSON object");
  auto schema = j.value("schema", std::string{});
  if (schema.rfind("weft.metrics/", 0) != 0) {
    throw std::runtime_error("metrics: schema is '" + schema + "', expected weft.metrics/1");
  }
  if (!j.contains("total") || !j["total"].is_object()) {
    throw std::runtime_error("metrics: no 'total' object");
  }
  run_metrics m;
  m.procs = static_cast<int>(number(j, "procs"));
  m.wall_s = number(j, "wall_s");
  m.long_run_threshold_ns = u64(j, "long_run_threshold_ns");
  m.pools_oversubscribed = u64(j, "pools_oversubscribed");
  m.max_pool_workers = static_cast<int>(number(j, "max_pool_workers"));
  m.total = parse_worker(j["total"]);
  if (auto it = j.find("workers"); it != j.end() && it->is_array()) {
    for (const auto& w : *it) m.workers.push_back(parse_worker(w));
  }
  if (auto it = j.find("forkjoin"); it != j.end() && it->is_object()) {
    m.work_ns = u64(*it, "work_ns");
    m.span_ns = u64(*it, "span_ns");
    m.parallelism = number(*it, "parallelism");
  } else {
    m.work_ns = m.total.run_ns;
    m.span_ns = m.total.max_span_ns;
    m.parallelism = m.span_ns ? static_cast<double>(m.work_ns) / static_cast<double>(m.span_ns) : 0;
  }
  if (auto it = j.find("objects"); it != j.end() && it->is_array()) {
    for (const auto& o : *it) {
      m.objects.push_back({o.value("kind", std::string{}), o.value("name", std::string{}),
                           u64(o, "blocked_ns"), u64(o, "waits")});
    }
  }
  if (auto it = j.find("classes"); it != j.end() && it->is_array()) {
    for (const auto& c : *it) {
      class_metrics k{c.value("site", std::string{}),
                      c.value("function", std::string{}),
                      u64(c, "tasks"),
                      u64(c, "runs"),
                      u64(c, "run_ns"),
                      u64(c, "sched_latency_ns"),
                      {}};
      if (auto b = c.find("blocked_ns"); b != c.end() && b->is_object()) {
        for (const auto& [cause, v] : b->items()) {
          if (v.is_number()) k.blocked_ns[cause] = v.get<std::uint64_t>();
        }
      }
      m.classes.push_back(std::move(k));
    }
  }
  parse_progress(j, m);
  m.long_run_site = j.value("long_run_site", std::string{});
  return m;
}

run_metrics read_metrics_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("no metrics file at " + path);
  nlohmann::json j;
  try {
    in >> j;
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error("metrics file " + path + " is not valid JSON: " + e.what());
  }
  return parse_metrics(j);
}

}  // namespace weft_doctor
