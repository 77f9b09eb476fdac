#include "doctor/command.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <system_error>
#include <utility>

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

// The --report file, created before the sweep: a path that cannot be written is found at once,
// not after a sweep that may take many minutes. Removed again if the session ends without
// writing it (an exception), unless it was there before.
class report_file {
 public:
  explicit report_file(std::string path) : path_(std::move(path)) {
    if (path_.empty()) return;
    std::error_code ec;
    existed_ = fs::exists(path_, ec);
    errno = 0;
    out_.open(path_, std::ios::out | std::ios::trunc);
    if (!out_) {
      error_ = errno ? std::error_code(errno, std::generic_category()).message()
                     : std::string("cannot create it");
    }
  }
  ~report_file() {
    if (path_.empty() || written_ || existed_ || !error_.empty()) return;
    out_.close();
    std::error_code ec;
    fs::remove(path_, ec);
  }
  report_file(const report_file&) = delete;
  report_file& operator=(const report_file&) = delete;

  bool wanted() const { return !path_.empty(); }
  const std::string& error() const { return error_; }  // empty: the file is open

  // Writes the page; false when it could not be written in full.
  bool write(const doctor_report& r) {
    write_html(r, out_);
    out_.close();
    written_ = true;
    return !out_.fail();
  }

 private:
  std::string path_;
  std::ofstream out_;
  std::string error_;
  bool existed_ = false;
  bool written_ = false;
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
  report_file report(o.report_path);
  if (report.wanted() && !report.error().empty()) {
    fmt::print(stderr,
               "weft doctor: --report: cannot write {}: {} (checked before the runs, so "
               "that a long sweep is not lost)\n",
               o.report_path, report.error());
    return 2;
  }
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
                       .show_progress = o.progress,
                       .probe_cores = r.cores});
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
  // The page first: it was checked before the sweep, and a --json that cannot be written must
  // not cost it.
  bool written = true;
  if (report.wanted()) {
    if (report.write(r)) {
      std::error_code ec;
      auto where = fs::absolute(o.report_path, ec);
      fmt::print(stderr, "weft doctor: report written to {}: open it in a browser\n",
                 ec ? o.report_path : where.lexically_normal().string());
    } else {
      fmt::print(stderr, "weft doctor: --report: could not write all of {}\n", o.report_path);
      written = false;
    }
  }
  if (!o.json_path.empty()) {
    std::ofstream out(o.json_path);
    // Bytes that are not UTF-8 (a command's argument, a failed run's output) become U+FFFD
    // instead of throwing after the sweep.
    auto text = to_json(r).dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
    if (!out || !(out << text << '\n')) {
      fmt::print(stderr, "weft doctor: cannot write {}\n", o.json_path);
      written = false;
    }
  }
  if (!written) return 1;
  return r.dx.verdict == "inconclusive" ? 1 : 0;
}

}  // namespace weft_doctor
