#include "doctor/sweep.hpp"

#include <algorithm>
#include <deque>
#include <fstream>
#include <map>

#include <fmt/format.h>

#include "doctor/machine_probe.hpp"
#include "doctor/progress_bar.hpp"

namespace weft_doctor {

double run_record::wall_s() const {
  if (metrics && metrics->wall_s > 0) return metrics->wall_s;
  return process.wall_s;
}

double run_record::work() const {
  if (metrics && metrics->progress) return *metrics->progress;
  return 1.0;
}

sweep_result run_sweep(const sweep_options& o) {
  sweep_result result;
  int total = o.repeat * static_cast<int>(o.procs.size());
  progress_bar bar(total, o.show_progress);
  for (int r = 1; r <= o.repeat; ++r) {
    for (int p : o.procs) {
      run_record rec;
      rec.procs = p;
      rec.repeat = r;
      auto stem = fmt::format("{}/run-p{}-r{}", o.work_dir, p, r);
      rec.metrics_path = stem + ".metrics.json";
      rec.log_path = stem + ".log";
      std::remove(rec.metrics_path.c_str());
      bar.start(fmt::format("procs {}, run {}/{}", p, r, o.repeat));
      int probe_threads = std::min(p, o.probe_cores);
      if (probe_threads > 0) rec.probe_before_ns = probe_machine(probe_threads);
      rec.process =
          run_child({.argv = o.command,
                     .env = {{"WEFT_PROCS", std::to_string(p)}, {"WEFT_METRICS", rec.metrics_path}},
                     .output_path = rec.log_path,
                     .timeout_s = o.timeout_s});
      if (probe_threads > 0) rec.probe_after_ns = probe_machine(probe_threads);
      if (rec.process.ok()) {
        try {
          rec.metrics = read_metrics_file(rec.metrics_path);
        } catch (const std::exception& e) {
          rec.metrics_error = e.what();
        }
      }
      bar.finish(rec.process.ok()
                     ? fmt::format("{:.3f} s{}", rec.wall_s(), rec.metrics ? "" : " (no metrics)")
                     : rec.process.status());
      if (rec.metrics && rec.metrics->progress) result.progress_points = true;
      result.runs.push_back(std::move(rec));
    }
  }
  bar.done();
  return result;
}

std::vector<sweep_point> points(const sweep_result& s) {
  std::map<int, std::vector<const run_record*>> by_procs;
  for (const auto& r : s.runs) {
    if (r.timed()) by_procs[r.procs].push_back(&r);
  }
  std::vector<sweep_point> out;
  for (auto& [p, runs] : by_procs) {
    std::vector<double> x, w;
    for (const auto* r : runs) {
      x.push_back(r->throughput());
      w.push_back(r->wall_s());
    }
    std::sort(x.begin(), x.end());
    std::sort(w.begin(), w.end());
    auto median = [](const std::vector<double>& v) {
      auto n = v.size();
      return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    };
    out.push_back({.procs = p,
                   .runs = static_cast<int>(runs.size()),
                   .throughput = median(x),
                   .throughput_min = x.front(),
                   .throughput_max = x.back(),
                   .wall_s = median(w)});
  }
  return out;
}

std::vector<int> default_procs(int cores) {
  std::vector<int> v;
  for (int p = 1; p <= 2 * cores; p *= 2) v.push_back(p);
  v.push_back(cores);
  v.push_back(2 * cores);
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

std::string tail_of(const std::string& path, int lines) {
  std::ifstream in(path);
  std::deque<std::string> last;
  for (std::string line; std::getline(in, line);) {
    last.push_back(line);
    if (static_cast<int>(last.size()) > lines) last.pop_front();
  }
  std::string out;
  for (const auto& l : last) out += l + "\n";
  return out;
}

}  // namespace weft_doctor
