// The verdict rules on synthetic accounts: each rule fires on the pattern it is written for and
// stays quiet on a near miss, and the thresholds can be overridden.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "doctor/account.hpp"
#include "doctor/model.hpp"
#include "doctor/thresholds.hpp"
#include "doctor/verdict.hpp"

namespace {

using weft_doctor::diagnosis;
using weft_doctor::run_account;

// One procs value's account, described by what matters; the rest is derived as the real
// account_of() would.
struct shape {
  int procs = 1;
  double wall = 1;
  double run = 0;
  double sched = 0;
  double spin = 0;
  double parked = 0;
  double cpu = -1;     // default: the workers' busy time (every busy second had a CPU)
  double demand = -1;  // default: busy / wall
  double tasks_run = 1000;
  double spawned = 1000;
  double longest = 0.001;
  double span = -1;  // default: longest
  std::map<std::string, double> blocked{};
  std::vector<weft_doctor::object_time> objects{};
  std::vector<weft_doctor::class_time> classes{};
  double max_pool_workers = 0;
  double probe = 0;  // the machine probe's ns per thread around the runs; 0: not probed
};

run_account make(const shape& s, int cores = 2) {
  run_account a;
  a.procs = s.procs;
  a.wall_s = s.wall;
  a.process_wall_s = s.wall;
  a.workers.total_s = s.procs * s.wall;
  a.workers.running_s = s.run;
  a.workers.scheduler_s = s.sched;
  a.workers.spinning_s = s.spin;
  a.workers.parked_s = s.parked;
  a.workers.unknown_s = a.workers.total_s - (s.run + s.sched + s.spin + s.parked);
  double busy = a.workers.busy_s();
  a.cpu.cpu_s = s.cpu >= 0 ? s.cpu : busy;
  a.cpu.offcpu_s = std::max(0.0, busy - a.cpu.cpu_s);
  a.cpu.outside_s = std::max(0.0, a.cpu.cpu_s - busy);
  a.cpu.demand = s.demand >= 0 ? s.demand : (busy + a.cpu.outside_s) / s.wall;
  a.cpu.sampled = true;
  if (a.cpu.demand > cores) {
    a.cpu.offcpu_own_s = std::min(a.cpu.offcpu_s, busy * (a.cpu.demand - cores) / a.cpu.demand);
  }
  a.cpu.offcpu_external_s = a.cpu.offcpu_s - a.cpu.offcpu_own_s;
  a.tasks.running_s = s.run;
  a.tasks.blocked_s = s.blocked;
  a.tasks.objects = s.objects;
  a.tasks.classes = s.classes;
  a.tasks.tasks_run = s.tasks_run;
  a.tasks.tasks_spawned = s.spawned;
  a.tasks.longest_run_s = s.longest;
  a.work_s = s.run;
  a.span_s = s.span >= 0 ? s.span : s.longest;
  a.parallelism = a.span_s > 0 ? a.work_s / a.span_s : 0;
  a.max_pool_workers = s.max_pool_workers;
  a.probe_ns = s.probe;
  return a;
}

diagnosis judge(const std::vector<shape>& shapes, int cores = 2, weft_doctor::thresholds t = {}) {
  std::vector<run_account> acc;
  std::vector<weft_doctor::sweep_point> pts;
  std::vector<weft_doctor::observation> obs;
  for (const auto& s : shapes) {
    acc.push_back(make(s, cores));
    pts.push_back({.procs = s.procs,
                   .runs = 1,
                   .throughput = 1 / s.wall,
                   .throughput_min = 1 / s.wall,
                   .throughput_max = 1 / s.wall,
                   .wall_s = s.wall});
    obs.push_back({static_cast<double>(s.procs), 1 / s.wall});
  }
  auto losses = weft_doctor::attribute(acc, pts, cores);
  auto usl = weft_doctor::fit_usl(obs);
  return weft_doctor::diagnose({.points = pts,
                                .accounts = acc,
                                .losses = losses,
                                .usl = &usl,
                                .cores = cores,
                                .cost = {.measured = true, .spawn_join_ns = 100, .yield_ns = 30},
                                .limits = t});
}

bool fired(const diagnosis& d, const std::string& rule) {
  for (const auto& r : d.rules) {
    if (r.name == rule) return r.fired;
  }
  ADD_FAILURE() << "no rule named " << rule;
  return false;
}

std::string all_findings(const diagnosis& d) {
  std::string s;
  for (const auto& f : d.findings) s += f + "\n";
  return s;
}

// Twice the workers, half the wall time: nothing lost.
const std::vector<shape> k_scales = {{.procs = 1, .wall = 1, .run = 1},
                                     {.procs = 2, .wall = 0.5, .run = 1}};

TEST(Verdict, HealthyWhenCapacityIsKept) {
  auto d = judge(k_scales);
  EXPECT_EQ(d.verdict, "healthy");
  EXPECT_EQ(d.subtype, "");
  EXPECT_EQ(d.recommended_procs, 2);
  for (const auto& r : d.rules) EXPECT_FALSE(r.fired) << r.name;
}

TEST(Verdict, RecommendsNoMoreProcsThanCoresForNoise) {
  // procs 4 on two cores measured 8% faster than procs 2: noise, not a reason to oversubscribe.
  auto d = judge({{.procs = 1, .wall = 1, .run = 1},
                  {.procs = 2, .wall = 0.5, .run = 1},
                  {.procs = 4, .wall = 0.46, .run = 1, .parked = 0.84}});
  EXPECT_EQ(d.recommended_procs, 2);
  EXPECT_TRUE(d.warnings.empty());
  // 30% faster is not noise: it is recommended, with a warning about what it means.
  d = judge({{.procs = 1, .wall = 1, .run = 1},
             {.procs = 2, .wall = 0.5, .run = 1},
             {.procs = 4, .wall = 0.38, .run = 1, .parked = 0.52}});
  EXPECT_EQ(d.recommended_procs, 4);
  ASSERT_EQ(d.warnings.size(), 1u);
}

// Every task holds one named mutex: at two workers one waits while the other runs.
const std::vector<shape> k_contended = {
    {.procs = 1, .wall = 1, .run = 1, .blocked = {{"task_group", 1}}},
    {.procs = 2,
     .wall = 1,
     .run = 1,
     .spin = 0.2,
     .parked = 0.8,
     .blocked = {{"task_group", 1}, {"mutex", 500}},
     .objects = {{"mutex", "table", 500, 4000}}}};

TEST(Verdict, BlockingOnANamedMutexIsSynchronization) {
  auto d = judge(k_contended);
  EXPECT_EQ(d.verdict, "synchronization");
  EXPECT_EQ(d.rule, "blocking");
  EXPECT_EQ(d.procs, 2);
  EXPECT_EQ(d.recommended_procs, 1);
  EXPECT_NE(all_findings(d).find("mutex 'table'"), std::string::npos) << all_findings(d);
}

TEST(Verdict, IdleWorkersWaitingOnJoinsAreNotSynchronization) {
  auto shapes = k_contended;
  shapes[1].blocked = {{"task_group", 1}, {"join", 500}};
  shapes[1].objects.clear();
  auto d = judge(shapes);
  EXPECT_FALSE(fired(d, "blocking"));
  EXPECT_NE(d.verdict, "synchronization");
}

TEST(Verdict, ThresholdsCanBeOverridden) {
  weft_doctor::thresholds t;
  ASSERT_EQ(weft_doctor::set_threshold(t, "material_loss=0.6"), "");
  EXPECT_EQ(t.material_loss, 0.6);
  // Half the usable capacity lost is below a 60% bar: nothing to diagnose.
  EXPECT_EQ(judge(k_contended, 2, t).verdict, "healthy");
  ASSERT_EQ(weft_doctor::set_threshold(t, "material_loss=0.15"), "");
  ASSERT_EQ(weft_doctor::set_threshold(t, "sync_blocked_growth=1000"), "");
  EXPECT_FALSE(fired(judge(k_contended, 2, t), "blocking"));
}

TEST(Verdict, BadThresholdsAreNamed) {
  weft_doctor::thresholds t;
  EXPECT_NE(weft_doctor::set_threshold(t, "bogus=1").find("bogus"), std::string::npos);
  EXPECT_NE(weft_doctor::set_threshold(t, "idle_share=abc").find("idle_share"), std::string::npos);
  EXPECT_NE(weft_doctor::set_threshold(t, "idle_share=-1").find("idle_share"), std::string::npos);
  EXPECT_NE(weft_doctor::set_threshold(t, "idle_share").find("NAME=VALUE"), std::string::npos);
}

TEST(Verdict, SameTasksSlowerOnCpuIsCoherency) {
  // Two workers, the same wall time, twice the CPU: every task ran twice as long on a CPU.
  auto d = judge({{.procs = 1, .wall = 1, .run = 1}, {.procs = 2, .wall = 1, .run = 2, .cpu = 2}});
  EXPECT_EQ(d.verdict, "synchronization");
  EXPECT_EQ(d.rule, "coherency");
  EXPECT_TRUE(fired(d, "coherency"));  // by its rule, not by the low-confidence fallback
  EXPECT_FALSE(d.low_confidence);
  EXPECT_FALSE(fired(d, "blocking"));
}

TEST(Verdict, RunTimeLostToOtherProcessesIsNotHeldAgainstTheProgram) {
  // The same run-time growth, but the process never had more than one CPU's worth: its two
  // threads (no more than the cores) were descheduled by someone else.
  auto d = judge({{.procs = 1, .wall = 1, .run = 1}, {.procs = 2, .wall = 1, .run = 2, .cpu = 1}});
  EXPECT_FALSE(fired(d, "coherency"));
  EXPECT_EQ(d.verdict, "healthy");
}

// Tasks of 200 ns (spawn+join costs 100 ns here); the scheduler takes 30% of the busy time.
const std::vector<shape> k_fine = {
    {.procs = 1, .wall = 1, .run = 0.7, .sched = 0.3, .tasks_run = 3.5e6, .spawned = 3.5e6},
    {.procs = 2,
     .wall = 1,
     .run = 1.4,
     .sched = 0.6,
     .cpu = 2,
     .tasks_run = 3.5e6,
     .spawned = 3.5e6}};

TEST(Verdict, TasksNearTheSpawnCostAreTooFine) {
  auto d = judge(k_fine);
  EXPECT_EQ(d.verdict, "decomposition");
  EXPECT_EQ(d.subtype, "too-fine");
}

// With task classes in the metrics, the finding and the change name the line that starts the
// small tasks (the busiest by runs), not just their mean.
TEST(Verdict, TooFineNamesTheLineThatStartsTheTasks) {
  auto shapes = k_fine;
  for (auto& s : shapes) {
    s.classes = {{.site = "/src/app/main.cpp:12", .tasks = 1, .runs = 1, .running_s = 0.1},
                 {.site = "/src/app/walk.cpp:88",
                  .tasks = s.tasks_run - 1,
                  .runs = s.tasks_run - 1,
                  .running_s = s.run - 0.1}};
  }
  auto d = judge(shapes);
  ASSERT_EQ(d.subtype, "too-fine");
  EXPECT_NE(all_findings(d).find("started at walk.cpp:88"), std::string::npos) << all_findings(d);
  bool named = false;
  for (const auto& c : d.changes) named = named || c.find("walk.cpp:88") != std::string::npos;
  EXPECT_TRUE(named);
}

TEST(Verdict, BlockingNamesTheTasksThatWaited) {
  auto shapes = k_contended;
  for (auto& s : shapes) {
    s.classes = {{.site = "/src/db.cpp:40",
                  .tasks = 100,
                  .runs = 200,
                  .running_s = 0.2,
                  .blocked_s = {{"mutex", s.blocked.count("mutex") ? s.blocked.at("mutex") : 0}}},
                 {.site = "/src/log.cpp:7",
                  .tasks = 5,
                  .runs = 5,
                  .running_s = 0.01,
                  .blocked_s = {{"timer", 5.0}}}};
  }
  auto d = judge(shapes);
  ASSERT_EQ(d.rule, "blocking");
  EXPECT_NE(all_findings(d).find("tasks started at db.cpp:40 waited longest"), std::string::npos)
      << all_findings(d);
}

TEST(Verdict, TooFineEvenWhenScalingLosesNothing) {
  auto d = judge({{.procs = 1, .wall = 1, .run = 0.7, .sched = 0.3, .tasks_run = 3.5e6},
                  {.procs = 2, .wall = 0.5, .run = 0.7, .sched = 0.3, .tasks_run = 3.5e6}});
  EXPECT_EQ(d.verdict, "decomposition");
  EXPECT_EQ(d.subtype, "too-fine");
}

TEST(Verdict, TinyTasksOnIdleWorkersAreNotTooFine) {
  // Short task runs, but the workers are parked most of the time: the tasks only hand work on
  // (to timers, the blocking pool), and their size is not what limits throughput.
  auto shapes = k_fine;
  shapes[0].run = 0.07, shapes[0].sched = 0.03, shapes[0].parked = 0.9;
  shapes[1].run = 0.14, shapes[1].sched = 0.06, shapes[1].parked = 1.8, shapes[1].cpu = 0.2;
  EXPECT_FALSE(fired(judge(shapes), "too-fine"));
}

TEST(Verdict, LongTasksAreNotTooFine) {
  auto shapes = k_fine;
  for (auto& s : shapes) s.tasks_run = s.spawned = 7000;  // 100 us or more per task
  EXPECT_FALSE(fired(judge(shapes), "too-fine"));
}

TEST(Verdict, LittleCpuAndTasksWaitingOnTimersIsIoBound) {
  auto d = judge({{.procs = 1,
                   .wall = 1,
                   .run = 0.05,
                   .sched = 0.02,
                   .parked = 0.93,
                   .cpu = 0.08,
                   .blocked = {{"timer", 5}, {"blocking", 3}}},
                  {.procs = 2,
                   .wall = 1,
                   .run = 0.05,
                   .sched = 0.03,
                   .parked = 1.92,
                   .cpu = 0.09,
                   .blocked = {{"timer", 5}, {"blocking", 3}}}});
  EXPECT_EQ(d.verdict, "io-bound");
  EXPECT_EQ(d.recommended_procs, 1);
}

// CPU work handed to the blocking pool: 4 x procs threads burn both cores while the workers
// park.
const std::vector<shape> k_cpu_on_blocking_pool = {{.procs = 1,
                                                    .wall = 1,
                                                    .run = 0.01,
                                                    .sched = 0.01,
                                                    .parked = 0.98,
                                                    .cpu = 1.9,
                                                    .demand = 4.5,
                                                    .blocked = {{"blocking", 4}},
                                                    .max_pool_workers = 4},
                                                   {.procs = 2,
                                                    .wall = 1,
                                                    .run = 0.01,
                                                    .sched = 0.01,
                                                    .parked = 1.98,
                                                    .cpu = 1.9,
                                                    .demand = 8.5,
                                                    .blocked = {{"blocking", 8}},
                                                    .max_pool_workers = 8}};

TEST(Verdict, MoreRunnableThreadsThanCoresIsScheduling) {
  auto d = judge(k_cpu_on_blocking_pool);
  EXPECT_FALSE(fired(d, "io-bound"));  // it waits on the blocking pool, but the CPU is busy
  EXPECT_EQ(d.verdict, "scheduling");
  EXPECT_EQ(d.rule, "oversubscription");
  EXPECT_NE(all_findings(d).find("weft::blocking"), std::string::npos) << all_findings(d);
}

TEST(Verdict, MoreWorkersThanCoresThatSlowTheRunIsScheduling) {
  // Four workers on two idle cores: both cores busy with the program's threads, and the same
  // work took four times the CPU (context switches, cold caches).
  auto d = judge({{.procs = 1, .wall = 1, .run = 1},
                  {.procs = 4, .wall = 2, .run = 8, .cpu = 4, .demand = 4}});
  EXPECT_EQ(d.verdict, "scheduling");
  EXPECT_EQ(d.rule, "oversubscription");
}

TEST(Verdict, MoreWorkersThanCoresOnABusyMachineIsNotHeldAgainstTheProgram) {
  // Four workers, but other processes leave one core: the run is as fast as at procs 1, and
  // what the workers lost beyond the cores' share went to the other processes.
  auto d = judge({{.procs = 1, .wall = 1, .run = 1},
                  {.procs = 4, .wall = 1, .run = 4, .cpu = 1, .demand = 4}});
  EXPECT_EQ(d.verdict, "healthy");
}

TEST(Verdict, AsManyThreadsAsCoresIsNotOversubscription) {
  EXPECT_FALSE(fired(judge(k_scales), "oversubscription"));
  EXPECT_FALSE(fired(judge(k_contended), "oversubscription"));
}

TEST(Verdict, OneLongTaskAmongShortOnesIsImbalance) {
  auto d = judge({{.procs = 1, .wall = 1, .run = 1, .longest = 0.7},
                  {.procs = 2,
                   .wall = 0.7,
                   .run = 1,
                   .parked = 0.4,
                   .longest = 0.7,
                   .blocked = {{"task_group", 0.7}}}});
  EXPECT_EQ(d.verdict, "decomposition");
  EXPECT_EQ(d.subtype, "imbalance");
}

// A chain of 20000 dependent tasks: work / span about 1.
const std::vector<shape> k_chain = {
    {.procs = 1, .wall = 1, .run = 1, .tasks_run = 40000, .spawned = 20000, .span = 1},
    {.procs = 2,
     .wall = 1,
     .run = 1,
     .spin = 0.1,
     .parked = 0.9,
     .tasks_run = 40000,
     .spawned = 20000,
     .span = 0.98,
     .blocked = {{"join", 1}}}};

TEST(Verdict, LowWorkOverSpanIsSerialPath) {
  auto d = judge(k_chain);
  EXPECT_EQ(d.verdict, "decomposition");
  EXPECT_EQ(d.subtype, "serial-path");
  EXPECT_FALSE(fired(d, "imbalance"));
}

TEST(Verdict, HighWorkOverSpanIsNotSerialPath) {
  auto shapes = k_chain;
  for (auto& s : shapes) s.span = 0.01;
  EXPECT_FALSE(fired(judge(shapes), "serial-path"));
}

TEST(Verdict, FewerTasksThanWorkersIsTooCoarse) {
  std::vector<shape> shapes = {
      {.procs = 1, .wall = 1, .run = 1, .spawned = 2, .longest = 0.5},
      {.procs = 4, .wall = 0.5, .run = 1, .parked = 1, .spawned = 2, .longest = 0.5}};
  auto d = judge(shapes, 4);
  EXPECT_EQ(d.verdict, "decomposition");
  EXPECT_EQ(d.subtype, "too-coarse");
  for (auto& s : shapes) s.spawned = 1000;
  EXPECT_FALSE(fired(judge(shapes, 4), "too-coarse"));
}

TEST(Verdict, SchedulerBusierThanTasksIsSchedulingOverhead) {
  auto d = judge({{.procs = 1, .wall = 1, .run = 0.5, .sched = 0.5, .tasks_run = 5000},
                  {.procs = 2, .wall = 1, .run = 0.6, .sched = 1.4, .tasks_run = 5000}});
  EXPECT_EQ(d.verdict, "scheduling");
  EXPECT_EQ(d.rule, "overhead");
  EXPECT_FALSE(fired(judge(k_scales), "overhead"));
}

TEST(Verdict, OneProcsValueIsInconclusive) {
  std::vector<run_account> acc{make({.procs = 1, .wall = 1, .run = 1})};
  std::vector<weft_doctor::sweep_point> pts{{.procs = 1, .runs = 1, .throughput = 1}};
  auto losses = weft_doctor::attribute(acc, pts, 2);
  auto d = weft_doctor::diagnose({.points = pts,
                                  .accounts = acc,
                                  .losses = losses,
                                  .usl = nullptr,
                                  .cores = 2,
                                  .cost = {},
                                  .limits = {}});
  EXPECT_EQ(d.verdict, "inconclusive");
}

TEST(Account, CapacityLostSplitsExactly) {
  std::vector<run_account> acc{make(k_contended[0]), make(k_contended[1])};
  std::vector<weft_doctor::sweep_point> pts{{.procs = 1, .runs = 1, .throughput = 1},
                                            {.procs = 2, .runs = 1, .throughput = 1}};
  auto l = weft_doctor::attribute(acc, pts, 2).at(1);
  EXPECT_DOUBLE_EQ(l.lost_s, 1.0);  // 2 x 1 s - 1 x 1 s
  double split = l.machine_s + l.run_inflation_s + l.descheduled_s + l.scheduler_s + l.spinning_s +
                 l.idle_blocked_s + l.idle_empty_s + l.unknown_s;
  EXPECT_NEAR(split, l.lost_s, 1e-12);
  EXPECT_NEAR(l.idle_by_cause.at("mutex"), 0.8, 1e-12);  // parked growth, all explained by it
  EXPECT_NEAR(l.karp_flatt, 1.0, 1e-12);                 // no speedup at all
}

// The shape of a healthy program on a machine whose cores slow each other (hyperthread siblings,
// a shared clock): at procs 2 the same tasks take 20% more CPU and the speedup is 1.67. Without
// the machine probe that is a material loss no rule explains, blamed on coherency at low
// confidence; with it, the growth is the machine's and the program is healthy.
const std::vector<shape> k_slower_machine = {{.procs = 1, .wall = 1, .run = 1, .probe = 100},
                                             {.procs = 2, .wall = 0.6, .run = 1.2, .probe = 120}};

TEST(Verdict, RunTimeGrowthTheMachineExplainsIsNotHeldAgainstTheProgram) {
  auto unprobed = k_slower_machine;
  for (auto& s : unprobed) s.probe = 0;
  auto blind = judge(unprobed);
  EXPECT_EQ(blind.verdict, "synchronization");
  EXPECT_TRUE(blind.low_confidence);

  auto d = judge(k_slower_machine);
  EXPECT_EQ(d.verdict, "healthy") << all_findings(d);
  EXPECT_NE(all_findings(d).find("machine's own slowdown"), std::string::npos) << all_findings(d);
  std::string warnings;
  for (const auto& w : d.warnings) warnings += w + "\n";
  EXPECT_NE(warnings.find("20% slower per thread around the runs at procs 2"), std::string::npos)
      << warnings;
}

TEST(Verdict, CoherencyBeyondTheMachinesSlowdownStillFires) {
  // The probe explains 10% of growth; the tasks ran 80% slower.
  auto d = judge({{.procs = 1, .wall = 1, .run = 1, .probe = 100},
                  {.procs = 2, .wall = 0.9, .run = 1.8, .probe = 110}});
  EXPECT_EQ(d.verdict, "synchronization");
  EXPECT_EQ(d.rule, "coherency");
  EXPECT_FALSE(d.low_confidence);
}

TEST(Account, TheMachineIsCreditedAtMostTheGrowthSeenAndNeverDebited) {
  std::vector<weft_doctor::sweep_point> pts{{.procs = 1, .runs = 1, .throughput = 1},
                                            {.procs = 2, .runs = 1, .throughput = 1}};
  auto loss = [&](double run2, double probe2) {
    std::vector<run_account> acc{make({.procs = 1, .wall = 1, .run = 1, .probe = 100}),
                                 make({.procs = 2, .wall = 0.7, .run = run2, .probe = probe2})};
    return weft_doctor::attribute(acc, pts, 2).at(1);
  };
  auto l = loss(1.2, 110);  // growth 0.2, of which the machine explains 0.1
  EXPECT_NEAR(l.machine_factor, 1.1, 1e-12);
  EXPECT_NEAR(l.machine_s, 0.1, 1e-12);
  EXPECT_NEAR(l.run_inflation_s, 0.1, 1e-12);
  EXPECT_NEAR(l.run_inflation_ratio, 0.1, 1e-12);
  EXPECT_NEAR(l.own_lost_s, 2 * 0.7 - 1 - 0.1, 1e-12);
  double split = l.machine_s + l.run_inflation_s + l.descheduled_s + l.scheduler_s + l.spinning_s +
                 l.idle_blocked_s + l.idle_empty_s + l.unknown_s;
  EXPECT_NEAR(split, l.lost_s, 1e-12);

  l = loss(1.05, 150);  // the probe says 50% slower, but run time grew only 5%
  EXPECT_NEAR(l.machine_s, 0.05, 1e-12);
  EXPECT_NEAR(l.run_inflation_s, 0, 1e-12);

  l = loss(1.2, 80);  // a faster machine is not held against the program
  EXPECT_EQ(l.machine_s, 0);
  EXPECT_NEAR(l.run_inflation_s, 0.2, 1e-12);

  l = loss(1.2, 0);  // not probed
  EXPECT_EQ(l.machine_factor, 1);
  EXPECT_EQ(l.machine_s, 0);
}

}  // namespace
