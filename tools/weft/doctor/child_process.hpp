// Runs one command as a child process with a deadline, and measures it from the outside: wall
// time, CPU time (rusage), how long its threads waited for a CPU, and how busy the rest of the
// machine was meanwhile. The weft metrics say what the runtime believes it did; these figures
// say what the operating system gave it, and the doctor needs both to tell a program that
// oversubscribes the cores from a machine that is busy with something else.
//
// Linux only, like weft: threads are sampled from /proc/<pid>/task/*/schedstat every 20 ms
// (schedstat's second field is the time the thread was runnable but not running), and machine
// CPU time from /proc/stat. Sampled figures are lower bounds: a thread's last 20 ms before it
// exits are not seen.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace weft_doctor {

struct child_spec {
  std::vector<std::string> argv;                         // argv[0] is looked up on PATH
  std::vector<std::pair<std::string, std::string>> env;  // set in the child's environment
  std::string output_path;                               // the child's stdout and stderr
  double timeout_s = 0;                                  // 0: no deadline
};

struct child_outcome {
  bool started = false;
  std::string start_error;  // why it could not start
  int exit_code = -1;       // when it exited
  int signal = 0;           // when a signal ended it
  bool timed_out = false;   // the deadline passed: it was sent SIGTERM, then SIGKILL
  double wall_s = 0;        // from start to exit
  double cpu_user_s = 0;
  double cpu_sys_s = 0;
  long involuntary_switches = 0;
  long voluntary_switches = 0;
  long max_rss_kb = 0;
  bool sampled = false;                  // /proc was readable
  double run_delay_s = 0;                // summed over its threads: runnable, waiting for a CPU
  int max_threads = 0;                   // the most threads seen at one sample
  std::optional<double> machine_busy_s;  // CPU time of every process on the machine meanwhile
  double self_cpu_s = 0;                 // the doctor's own CPU time meanwhile (sampling)

  double cpu_s() const { return cpu_user_s + cpu_sys_s; }
  bool ok() const { return started && !timed_out && signal == 0 && exit_code == 0; }
  std::string status() const;  // "exit 0", "exit 3", "killed by signal 11", "timed out"
};

child_outcome run_child(const child_spec& spec);

// The CPUs this process may run on (its affinity mask), at least 1.
int usable_cores();

}  // namespace weft_doctor
