// The doctor end to end on its own demos: `weft doctor --demo NAME --procs 1,2 --repeat 1
// --json F`, then the verdict from the JSON (and, for one demo, the page --report wrote). Each
// demo is built to show one verdict; a doctor that cannot diagnose its own demos is not done.
// These run real workloads for a second or two and compare procs 1 with 2, so they need two
// cores; on one core they are skipped.
#include <gtest/gtest.h>
#include <sched.h>

#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>

#include "cli_support.hpp"

namespace {

using weft_tools_testing::run_weft;

struct expectation {
  const char* demo;
  const char* verdict;
  const char* subtype;  // "" for none
  const char* rule;     // the rule that must decide
};

// The demos are sized for a two-core machine (oversubscribed runs 4 x procs threads, so it
// oversubscribes two cores at procs 1 and 2 but not sixteen). Pin this process, and so the
// doctor and its runs, to two of its CPUs: the doctor reads its cores from the affinity mask.
bool pin_to_two_cores() {
  cpu_set_t mine, two;
  CPU_ZERO(&two);
  if (sched_getaffinity(0, sizeof(mine), &mine) != 0) return false;
  int taken = 0;
  for (std::size_t cpu = 0; cpu < CPU_SETSIZE && taken < 2; ++cpu) {
    if (CPU_ISSET(cpu, &mine)) {
      CPU_SET(cpu, &two);
      ++taken;
    }
  }
  return taken == 2 && sched_setaffinity(0, sizeof(two), &two) == 0;
}

class DoctorOnDemo : public ::testing::TestWithParam<expectation> {};

nlohmann::json diagnose_demo(const std::string& demo, std::string& text,
                             const std::string& report = "") {
  auto path = ::testing::TempDir() + "doctor_e2e_" + demo + ".json";
  std::remove(path.c_str());
  auto r = run_weft("doctor --no-progress --demo " + demo +
                    " --procs 1,2 --repeat 1 --timeout 60 --json '" + path + "'" +
                    (report.empty() ? "" : " --report '" + report + "'"));
  text = r.output;
  EXPECT_EQ(r.status, 0) << r.output;
  std::ifstream in(path);
  if (!in) return {};
  return nlohmann::json::parse(in);
}

TEST_P(DoctorOnDemo, FindsTheVerdictItWasBuiltFor) {
  if (!pin_to_two_cores()) GTEST_SKIP() << "needs two cores to compare procs 1 and 2";
  const auto& e = GetParam();
  std::string text;
  auto j = diagnose_demo(e.demo, text);
  ASSERT_FALSE(j.is_null()) << text;

  // The contract of DESIGN.md section 4.
  for (const char* field : {"verdict", "subtype", "evidence", "sweep", "usl", "recommendation"}) {
    EXPECT_TRUE(j.contains(field)) << field;
  }
  ASSERT_EQ(j["sweep"].size(), 2u);
  for (const auto& p : j["sweep"]) {
    EXPECT_TRUE(p.contains("procs") && p.contains("throughput") && p.contains("wall_s"));
    EXPECT_GT(p["throughput"].get<double>(), 0);
  }
  for (const char* field : {"sigma", "kappa", "peak_procs"}) EXPECT_TRUE(j["usl"].contains(field));
  EXPECT_GE(j["recommendation"]["procs"].get<int>(), 1);
  // The machine probe ran beside every run, and its factor is in each capacity account.
  for (const auto& a : j["account"]) EXPECT_GT(a["machine_probe_ns"].get<double>(), 0);
  for (const auto& l : j["capacity_lost"]) {
    EXPECT_GT(l["machine_factor"].get<double>(), 0);
    EXPECT_GE(l["split"]["machine_s"].get<double>(), 0);
  }
  // The doctor's own costs, measured before the sweep.
  const auto& cost = j["self_cost"];
  EXPECT_EQ(cost["measured"], true);
  for (const char* field : {"spawn_join_ns", "yield_ns", "wake_ns", "clock_read_ns"}) {
    EXPECT_GT(cost[field].get<double>(), 0) << field;
  }

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  // Instrumentation multiplies the costs the rules weigh (CPU per task, scheduler share), so
  // the verdict itself is asserted in the optimized build (scripts/test's `check` preset).
  GTEST_SKIP() << "sanitizer build: report structure checked, verdict checked in `check`";
#endif
  auto is_right = [&](const nlohmann::json& r) {
    return r["verdict"] == e.verdict &&
           (*e.subtype ? r["subtype"] == e.subtype : r["subtype"].is_null()) &&
           r["evidence"]["rule"] == e.rule;
  };
  bool right = is_right(j);
  if (!right) {
    // One more sweep. The VM's vCPUs change speed from one moment to the next, and a slowdown
    // within one run that the probes before and after it miss can tip a verdict (twice in CI,
    // on the healthy demo: the same arithmetic 21% and 29% slower on CPU at procs 2). A doctor
    // that is wrong about a demo is wrong twice running; the first answer stays in the log.
    std::cerr << "first sweep: verdict " << j["verdict"] << " by rule " << j["evidence"]["rule"]
              << "; sweeping again:\n"
              << text << "\n";
    j = diagnose_demo(e.demo, text);
    ASSERT_FALSE(j.is_null()) << text;
    right = is_right(j);
  }
  // Other engineers' builds share this machine. When the doctor itself reports that other
  // processes took a large share of the cores during the runs it compared, a wrong verdict
  // says nothing about the doctor: skip rather than fail (a right one still passes).
  if (!right && j["evidence"]["disturbed"] == true) {
    GTEST_SKIP() << "the doctor reported a disturbed measurement (other processes busy):\n" << text;
  }
  EXPECT_EQ(j["verdict"], e.verdict) << text;
  if (*e.subtype) {
    EXPECT_EQ(j["subtype"], e.subtype) << text;
  } else {
    EXPECT_TRUE(j["subtype"].is_null()) << text;
  }
  EXPECT_EQ(j["evidence"]["rule"], e.rule) << text;
}

INSTANTIATE_TEST_SUITE_P(
    Demos, DoctorOnDemo,
    ::testing::Values(expectation{"healthy", "healthy", "", "healthy"},
                      expectation{"contended-mutex", "synchronization", "", "blocking"},
                      expectation{"shared-counter", "synchronization", "", "coherency"},
                      expectation{"serial-chain", "decomposition", "serial-path", "serial-path"},
                      expectation{"imbalanced", "decomposition", "imbalance", "imbalance"},
                      expectation{"fine-grain", "decomposition", "too-fine", "too-fine"},
                      expectation{"io-wait", "io-bound", "", "io-bound"},
                      expectation{"oversubscribed", "scheduling", "", "oversubscription"}),
    [](const ::testing::TestParamInfo<expectation>& p) {
      std::string name = p.param.demo;
      for (auto& c : name) c = c == '-' ? '_' : c;
      return name;
    });

TEST(DoctorOnDemo, NamesTheContendedMutex) {
  if (!pin_to_two_cores()) GTEST_SKIP() << "needs two cores";
  std::string text;
  auto report = ::testing::TempDir() + "doctor_e2e_contended-mutex.html";
  std::remove(report.c_str());
  auto j = diagnose_demo("contended-mutex", text, report);
  ASSERT_FALSE(j.is_null()) << text;
  // --report wrote the page, with the same verdict, and said where (report_html_test checks
  // that a browser draws it).
  std::ifstream in(report);
  std::string html((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(html.find("<span class=\"verdict-name\">" + j["verdict"].get<std::string>() + "<"),
            std::string::npos)
      << "no report at " << report;
  EXPECT_NE(text.find("report written to"), std::string::npos) << text;
  std::remove(report.c_str());
  if (j["evidence"]["rule"] != "blocking" && j["evidence"]["disturbed"] == true) {
    GTEST_SKIP() << "the doctor reported a disturbed measurement:\n" << text;
  }
  EXPECT_EQ(j["evidence"]["rule"], "blocking") << text;
  bool named = false;
  for (const auto& f : j["evidence"]["findings"]) {
    named = named || f.get<std::string>().find("mutex 'table'") != std::string::npos;
  }
  EXPECT_TRUE(named) << text;
}

}  // namespace
