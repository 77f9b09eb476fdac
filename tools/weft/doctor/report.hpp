// Everything one doctor session found, as the reports (text on stdout, JSON with --json, a
// self-contained HTML page with --report) show it. The JSON's top-level fields verdict, subtype,
// evidence, sweep, usl and recommendation are the contract of DESIGN.md section 4; the rest
// (account, capacity_lost, rules, runs, ...) is documented in docs/doctor.md.
#pragma once

#include <cstdio>
#include <iosfwd>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "doctor/account.hpp"
#include "doctor/model.hpp"
#include "doctor/self_cost.hpp"
#include "doctor/sweep.hpp"
#include "doctor/thresholds.hpp"
#include "doctor/verdict.hpp"

namespace weft_doctor {

struct doctor_report {
  std::vector<std::string> command;
  int cores = 1;
  int repeat = 0;
  double timeout_s = 0;
  self_cost cost;
  thresholds limits;
  sweep_result sweep;
  std::vector<sweep_point> points;
  std::vector<run_account> accounts;
  std::vector<capacity_loss> losses;
  usl_fit usl;
  amdahl_fit amdahl;
  diagnosis dx;
  std::vector<std::string> warnings;
};

nlohmann::json to_json(const doctor_report& r);
void print_text(const doctor_report& r, std::FILE* out);
// One HTML page that needs nothing but a browser: the verdict and the tables written here, the
// charts drawn by its inline script from the JSON report embedded in it (report_html.cpp).
void write_html(const doctor_report& r, std::ostream& out);

}  // namespace weft_doctor
