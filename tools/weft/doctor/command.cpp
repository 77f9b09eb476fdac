#include "doctor/command.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "doctor/account.hpp"
#include "doctor/model.hpp"
#include "doctor/report.hpp"
#include "doctor/self_cost.hpp"
#include "doctor/sweep.hpp"
#include "doctor/verdict.hpp"

namespace weft_doctor {

namespace fs = std::filesystem;

namespace {
// A scratch directory for the runs' files, removed at the end unless the user asked to keep it.
class work_dir {
 public:
  explicit work_dir(const std::string& keep) {
    if (!keep.empty()) {
      path_ = keep;
      fs::create_directories(path_);
      keep_ = true;
      return;
    }
    auto base = fs::temp_directory_path() / "weft-doctor-XXXXXX";
    std::string tmpl = base.string();
    if (!mkdtemp(tmpl.data()))
      throw std::runtime_error("cannot create a directory in " + base.parent_path().string());
    path_ = tmpl;
  }
  ~work_dir() {
    std::error_code ec;
    if (!keep_) fs::remove_all(path_, ec);
  }
  work_dir(const work_dir&) = delete;
  work_dir& operator=(const work_dir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  bool keep_ = false;
};

std::vector<std::string> warnings_for(const doctor_report& r) {
  std::vector<std::string> w;
  for (const auto& run : r.sweep.runs) {
    if (!run.process.ok()) {
      auto tail = tail_of(run.log_path, 3);
      w.push_back(fmt::format("procs {} run {}: {}{}{}", run.procs, run.repeat,
                              run.process.status(), tail.empty() ? "" : "; its last output:\n",
                              tail));
    } else if (!run.metrics) {
      w.push_back(fmt::format("procs {} run {}: {}", run.procs, run.repeat, run.metrics_error));
    } else if (run.metrics->progress_by_name.size() > 1 && run.procs == r.points.front().procs &&
               run.repeat == 1) {
      std::string names;
      for (const auto& [n, v] : run.metrics->progress_by_name) names += " '" + n + "'";
      w.push_back("throughput adds up several progress points (" + names.substr(1) +
                  "): they should count the same unit of work");
    } else if (run.metrics->procs != run.procs) {
      w.push_back(fmt::format(
          "procs {} run {}: the runtime ran {} workers, not WEFT_PROCS={} (the program sets "
          "options.procs itself?)",
          run.procs, run.repeat, run.metrics->procs, run.procs));
    }
  }
  for (const auto& a : r.accounts) {
    if (a.cpu.external >= r.limits.external_load * r.cores) {
      w.push_back(fmt::format(
          "other processes used {:.1f} of the {} cores during the runs at procs {}: timings are "
          "disturbed (the account discounts the time they took from the workers, but not the "
          "cache and memory bandwidth they shared)",
          a.cpu.external, r.cores, a.procs));
    }
    if (a.process_wall_s > 0 && a.wall_s < 0.5 * a.process_wall_s) {
      w.push_back(fmt::format(
          "at procs {} the runtime lived {:.3f} s of the process's {:.3f} s: the rest (start-up, "
          "set-up, or other runtimes: only the last one's metrics are written) is not measured",
          a.procs, a.wall_s, a.process_wall_s));
    }
  }
  if (r.usl.valid && r.usl.points <= r.usl.parameters) {
    w.push_back(
        "the models have as many parameters as runs: they fit exactly and say nothing "
        "about fit quality; use more procs values or --repeat");
  }
  return w;
}
}  // namespace

std::string self_executable(const char* argv0) {
  std::error_code ec;
  auto p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(argv0) : p.string();
}

std::string demos_program_beside(const std::string& self_exe) {
  return (fs::path(self_exe).parent_path() / "weft-demos").string();
}

int run_doctor(const doctor_options& o, const std::string& self_exe) {
  doctor_report r;
  r.cores = usable_cores();
  r.repeat = o.repeat;
  r.timeout_s = o.timeout_s;
  r.limits = o.limits;
  if (!o.demo.empty()) {
    auto demos = demos_program_beside(self_exe);
    if (access(demos.c_str(), X_OK) != 0) {
      fmt::print(stderr, "weft doctor: --demo needs {} (built with weft), which is missing\n",
                 demos);
      return 1;
    }
    r.command = {demos, o.demo};
  } else {
    r.command = o.command;
  }
  auto procs = o.procs.empty() ? default_procs(r.cores) : o.procs;

  // The doctor's own runtime (self cost) must not write the user's metrics file.
  unsetenv("WEFT_METRICS");  // NOLINT(concurrency-mt-unsafe): no threads yet
  r.cost = measure_self_cost();

  work_dir dir(o.keep_dir);
  r.sweep = run_sweep({.command = r.command,
                       .procs = procs,
                       .repeat = o.repeat,
                       .timeout_s = o.timeout_s,
                       .work_dir = dir.path(),
                       .show_progress = o.progress});
  r.points = points(r.sweep);
  r.accounts = accounts(r.sweep, r.cores);
  r.losses = attribute(r.accounts, r.points, r.cores);
  std::vector<observation> obs;
  for (const auto& run : r.sweep.runs) {
    if (run.timed()) obs.push_back({static_cast<double>(run.procs), run.throughput()});
  }
  r.usl = fit_usl(obs);
  r.amdahl = fit_amdahl(obs);
  r.dx = diagnose({.points = r.points,
                   .accounts = r.accounts,
                   .losses = r.losses,
                   .usl = &r.usl,
                   .cores = r.cores,
                   .cost = r.cost,
                   .limits = r.limits});
  r.warnings = warnings_for(r);
  r.warnings.insert(r.warnings.end(), r.dx.warnings.begin(), r.dx.warnings.end());
  if (!o.keep_dir.empty()) r.warnings.push_back("run logs and metrics kept in " + o.keep_dir);

  print_text(r, stdout);
  std::fflush(stdout);
  if (!o.json_path.empty()) {
    std::ofstream out(o.json_path);
    if (!out || !(out << to_json(r).dump(2) << '\n')) {
      fmt::print(stderr, "weft doctor: cannot write {}\n", o.json_path);
      return 1;
    }
  }
  return r.dx.verdict == "inconclusive" ? 1 : 0;
}

}  // namespace weft_doctor
