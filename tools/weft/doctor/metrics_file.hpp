// Reads the JSON a weft program writes at exit when WEFT_METRICS is set (schema weft.metrics/1,
// docs/metrics.md). The doctor keeps its own copy of the shape instead of reusing the
// runtime's structs: it reads files written by programs built against other weft versions, so
// it must accept fields it does not know and tolerate ones that are missing.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

namespace weft_doctor {

struct worker_metrics {
  std::uint64_t tasks_run = 0;
  std::uint64_t run_ns = 0;
  std::uint64_t sched_ns = 0;
  std::uint64_t sched_latency_ns = 0;
  std::uint64_t steals_tried = 0;
  std::uint64_t steals_won = 0;
  std::uint64_t steals_retry = 0;
  std::uint64_t parks = 0;
  std::uint64_t idle_ns = 0;
  std::uint64_t spin_ns = 0;
  std::uint64_t wall_ns = 0;
  std::uint64_t lifo_runs = 0;
  std::uint64_t injector_pops = 0;
  std::uint64_t overflows = 0;
  std::uint64_t long_runs = 0;
  std::uint64_t max_run_ns = 0;
  std::uint64_t tasks_spawned = 0;
  std::uint64_t max_span_ns = 0;
  std::map<std::string, std::uint64_t> blocked_ns;  // by cause
};

struct object_metrics {
  std::string kind;
  std::string name;
  std::uint64_t blocked_ns = 0;
  std::uint64_t waits = 0;
};

// Tasks started from one place (docs/metrics.md, "classes").
struct class_metrics {
  std::string site;  // "file:line", or "other"
  std::string function;
  std::uint64_t tasks = 0;
  std::uint64_t runs = 0;
  std::uint64_t run_ns = 0;
  std::uint64_t sched_latency_ns = 0;
  std::map<std::string, std::uint64_t> blocked_ns;  // by cause
};

struct run_metrics {
  int procs = 0;
  double wall_s = 0;
  std::uint64_t long_run_threshold_ns = 0;
  std::uint64_t pools_oversubscribed = 0;
  int max_pool_workers = 0;
  worker_metrics total;
  std::vector<worker_metrics> workers;
  std::uint64_t work_ns = 0;
  std::uint64_t span_ns = 0;
  double parallelism = 0;
  std::vector<object_metrics> objects;
  std::vector<class_metrics> classes;  // empty from runtimes older than the field
  // The program's progress points (weft::progress), summed over their names; empty when it has
  // none or counted nothing. The doctor then measures throughput as progress per second
  // instead of runs per second. Read from "progress": {"name": count, ...} (docs/metrics.md).
  std::optional<double> progress;
  std::map<std::string, double> progress_by_name;
  // Where the longest too-long task run was started, when the runtime knows ("file:line (fn)").
  std::string long_run_site;
};

// Throws std::runtime_error naming the problem when the JSON is not weft.metrics/1.
run_metrics parse_metrics(const nlohmann::json& j);
run_metrics read_metrics_file(const std::string& path);

}  // namespace weft_doctor
