// `weft doctor`: the session from options to reports. Sweep the command, read what it wrote,
// keep the account, fit the models, apply the rules, print the text report, write the JSON and
// the HTML page.
#pragma once

#include <string>
#include <vector>

#include "doctor/thresholds.hpp"

namespace weft_doctor {

struct doctor_options {
  std::vector<std::string> command;  // CMD ARGS
  std::string demo;                  // or a built-in workload (weft-demos NAME)
  std::vector<int> procs;            // empty: 1, 2, 4, ... up to 2 x cores
  int repeat = 3;
  double timeout_s = 300;
  std::string json_path;
  std::string report_path;  // the HTML report (--report FILE.html)
  std::string keep_dir;     // keep each run's output and metrics here (default: a temporary dir)
  bool progress = true;
  thresholds limits;
};

// Runs a doctor session; returns the exit status: 0 a verdict was reached, 1 the runs gave
// nothing to judge (they failed, or wrote no metrics), 2 the --report file cannot be written
// (found before the sweep, which may take long, not after it).
int run_doctor(const doctor_options& o, const std::string& self_exe);

// The weft-demos program installed beside the `weft` executable at `self_exe`.
std::string demos_program_beside(const std::string& self_exe);

// This process's executable, from /proc/self/exe (argv0 when that cannot be read).
std::string self_executable(const char* argv0);

}  // namespace weft_doctor
