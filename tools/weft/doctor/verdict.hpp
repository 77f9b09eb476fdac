// The verdict: rules with stated thresholds, applied to the sweep's time account.
//
// 1. Find where scaling breaks: the smallest procs value (above the baseline) that lost a
//    material share of the CPU capacity it could use, not counting time the workers were
//    descheduled by other processes (the program's threads never outnumbered the cores). None:
//    `healthy`.
// 2. At that procs value, check the rules in a fixed order; the first that fires is the
//    verdict. The order puts the rules whose evidence is most direct first (the process was
//    waiting on I/O; it had more runnable threads than cores), and the rules that explain
//    lost capacity by elimination last (the same tasks ran slower).
// 3. No rule fired, yet capacity was lost: the largest part of the lost capacity decides, and
//    the diagnosis says it is low-confidence.
// Every rule is evaluated and reported, fired or not, with the numbers it compared, so a reader
// can see why the others did not fire.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "doctor/account.hpp"
#include "doctor/model.hpp"
#include "doctor/self_cost.hpp"
#include "doctor/sweep.hpp"
#include "doctor/thresholds.hpp"

namespace weft_doctor {

struct evidence_item {
  std::string name;  // snake_case, the JSON key
  double value = 0;
  std::string unit;  // "s", "ns", "x", "share", "threads", "cores", "tasks", ""
  std::string meaning;
  std::optional<double> threshold;  // what the rule compared it with
  std::string compare;              // ">=" or "<": how value must relate to threshold to fire
};

struct rule_result {
  std::string name;     // "io-bound", "oversubscription", "too-fine", "blocking", ...
  std::string verdict;  // what it diagnoses
  std::string subtype;
  bool fired = false;
  std::vector<evidence_item> numbers;
};

struct diagnosis {
  // healthy | scheduling | synchronization | decomposition | io-bound, or inconclusive when
  // the sweep gave nothing to judge (runs failed, no metrics, fewer than two procs values).
  std::string verdict;
  std::string subtype;  // decomposition: too-fine | too-coarse | imbalance | serial-path
  std::string rule;     // the rule that decided ("blocking", "coherency", ...)
  bool low_confidence = false;
  // Other processes used a large share of the cores during the runs compared: the comparison
  // may reflect the machine more than the program.
  bool disturbed = false;
  int procs = 0;  // the procs value diagnosed
  int baseline_procs = 0;
  std::vector<evidence_item> evidence;
  std::vector<std::string> findings;  // the evidence in sentences
  std::string recommendation;
  std::vector<std::string> changes;
  int recommended_procs = 0;
  std::vector<rule_result> rules;  // every rule, at `procs`
  std::vector<std::string> warnings;
};

struct doctor_inputs {
  std::span<const sweep_point> points;
  std::span<const run_account> accounts;
  std::span<const capacity_loss> losses;
  const usl_fit* usl = nullptr;
  int cores = 1;
  self_cost cost;
  thresholds limits;
};

diagnosis diagnose(const doctor_inputs& in);

// The spawn+join cost the too-fine rule uses when the doctor could not measure its own.
inline constexpr double k_default_spawn_ns = 200;

}  // namespace weft_doctor
