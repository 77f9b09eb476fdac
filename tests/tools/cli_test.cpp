// The command line of `weft`: complete help, exit status 2 and a message naming the flag or
// value for every mistake, status 1 when the command itself cannot be diagnosed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>

#include "cli_support.hpp"

namespace {

using weft_tools_testing::contains;
using weft_tools_testing::run_weft;

TEST(Cli, HelpListsTheDoctor) {
  auto r = run_weft("--help");
  EXPECT_EQ(r.status, 0);
  EXPECT_TRUE(contains(r.output, "doctor")) << r.output;
}

TEST(Cli, DoctorHelpIsComplete) {
  auto r = run_weft("doctor --help");
  EXPECT_EQ(r.status, 0);
  for (const char* flag :
       {"--procs", "--repeat", "--timeout", "--json", "--report", "--demo", "--threshold",
        "--list-demos", "--list-thresholds", "--keep", "--no-progress", "material_loss",
        "serial_parallelism", "healthy", "io-bound", "Exit status"}) {
    EXPECT_TRUE(contains(r.output, flag)) << "doctor --help does not mention " << flag;
  }
}

TEST(Cli, ListsItsDemos) {
  auto r = run_weft("doctor --list-demos");
  EXPECT_EQ(r.status, 0);
  for (const char* demo : {"fine-grain", "contended-mutex", "shared-counter", "imbalanced",
                           "serial-chain", "oversubscribed", "io-wait", "healthy"}) {
    EXPECT_TRUE(contains(r.output, demo)) << demo;
  }
}

struct bad_line {
  const char* args;
  const char* named;  // what the message must name
};

class CliRejects : public ::testing::TestWithParam<bad_line> {};

TEST_P(CliRejects, WithStatusTwoNamingTheProblem) {
  auto r = run_weft(GetParam().args);
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_TRUE(contains(r.output, GetParam().named)) << r.output;
}

INSTANTIATE_TEST_SUITE_P(
    BadCommandLines, CliRejects,
    ::testing::Values(bad_line{"doctor --bogus --demo healthy", "--bogus"},
                      bad_line{"frobnicate", "frobnicate"}, bad_line{"", "subcommand"},
                      bad_line{"doctor --procs 1,x --demo healthy", "--procs"},
                      bad_line{"doctor --procs 0,2 --demo healthy", "--procs"},
                      bad_line{"doctor --procs 2 --demo healthy", "--procs"},
                      bad_line{"doctor --procs 1,,2 --demo healthy", "--procs"},
                      bad_line{"doctor --repeat 0 --demo healthy", "--repeat"},
                      bad_line{"doctor --repeat many --demo healthy", "--repeat"},
                      bad_line{"doctor --timeout -1 --demo healthy", "--timeout"},
                      bad_line{"doctor --timeout soon --demo healthy", "--timeout"},
                      bad_line{"doctor --demo nonesuch", "nonesuch"},
                      bad_line{"doctor --threshold bogus=1 --demo healthy", "bogus"},
                      bad_line{"doctor --threshold idle_share=lots --demo healthy", "idle_share"},
                      bad_line{"doctor --demo healthy -- /bin/true", "--demo"},
                      bad_line{"doctor --report /nonexistent/dir/r.html --demo healthy",
                               "--report"},
                      bad_line{"doctor", "--demo"}));

TEST(Cli, ACommandThatFailsIsStatusOneWithItsOutput) {
  auto r =
      run_weft("doctor --no-progress --procs 1,2 --repeat 1 -- sh -c 'echo broken >&2; exit 3'");
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "exit 3")) << r.output;
  EXPECT_TRUE(contains(r.output, "broken")) << r.output;
  EXPECT_TRUE(contains(r.output, "inconclusive")) << r.output;
}

TEST(Cli, AMissingCommandIsStatusOne) {
  auto r = run_weft("doctor --no-progress --procs 1,2 --repeat 1 -- /nonexistent/program");
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "/nonexistent/program")) << r.output;
}

TEST(Cli, AProgramWithoutMetricsIsInconclusive) {
  auto r = run_weft("doctor --no-progress --procs 1,2 --repeat 1 -- /bin/true");
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "no metrics file")) << r.output;
}

TEST(Cli, ARunPastItsTimeoutIsStopped) {
  auto t0 = std::chrono::steady_clock::now();
  auto r = run_weft("doctor --no-progress --procs 1,2 --repeat 1 --timeout 0.2 -- sleep 30");
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "timed out")) << r.output;
  // Two runs stopped at 0.2 s each, not two runs of 30 s (a bound on the mechanism, not a
  // speed requirement).
  EXPECT_LT(took, std::chrono::seconds(20));
}

}  // namespace
