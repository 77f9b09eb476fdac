#include "doctor/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

extern char** environ;  // NOLINT(readability-redundant-declaration): POSIX, not in a header

namespace weft_doctor {

namespace {
using clock = std::chrono::steady_clock;
constexpr auto k_sample_every = std::chrono::milliseconds(20);

double seconds(const timeval& tv) {
  return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) * 1e-6;
}

// Busy CPU time of the whole machine so far (user, nice, system, irq, softirq), in seconds.
std::optional<double> machine_busy_now() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  unsigned long long user = 0, nice = 0, sys = 0, idle = 0, iowait = 0, irq = 0, softirq = 0;
  if (!(in >> cpu >> user >> nice >> sys >> idle >> iowait >> irq >> softirq) || cpu != "cpu") {
    return std::nullopt;
  }
  auto hz = sysconf(_SC_CLK_TCK);
  if (hz <= 0) return std::nullopt;
  return static_cast<double>(user + nice + sys + irq + softirq) / static_cast<double>(hz);
}

double self_cpu_now() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return seconds(ru.ru_utime) + seconds(ru.ru_stime);
}

// Per thread of the child: the latest run_delay seen (ns). Threads that have exited keep their
// last sample.
struct thread_sampler {
  pid_t pid;
  std::map<long, unsigned long long> delay_ns;
  int max_threads = 0;
  bool any = false;

  void sample() {
    std::error_code ec;
    std::filesystem::directory_iterator it("/proc/" + std::to_string(pid) + "/task", ec);
    if (ec) return;
    int n = 0;
    for (const auto& entry : it) {
      std::ifstream in(entry.path() / "schedstat");
      unsigned long long on_cpu = 0, delay = 0;
      if (!(in >> on_cpu >> delay)) continue;
      long tid = std::strtol(entry.path().filename().c_str(), nullptr, 10);
      delay_ns[tid] = delay;
      ++n;
      any = true;
    }
    max_threads = std::max(max_threads, n);
  }
  double delay_s() const {
    unsigned long long sum = 0;
    for (const auto& [tid, d] : delay_ns) sum += d;
    return static_cast<double>(sum) * 1e-9;
  }
};

// The environment for the child: ours, with spec.env replacing or adding entries.
std::vector<std::string> child_environment(const child_spec& spec) {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv = *e;
    auto name = kv.substr(0, kv.find('='));
    bool replaced = false;
    for (const auto& [k, v] : spec.env) replaced = replaced || k == name;
    if (!replaced) env.emplace_back(kv);
  }
  for (const auto& [k, v] : spec.env) env.push_back(k + "=" + v);
  return env;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> p;
  for (auto& s : strings) p.push_back(s.data());
  p.push_back(nullptr);
  return p;
}

struct spawn_setup {
  posix_spawn_file_actions_t actions{};
  posix_spawnattr_t attr{};
  spawn_setup(const std::string& output) {
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, output.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    posix_spawnattr_init(&attr);
    // Its own process group, so a timeout can end the command and whatever it started.
    posix_spawnattr_setpgroup(&attr, 0);
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGTERM);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGPIPE);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(
        &attr,
        static_cast<short>(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF));
  }
  ~spawn_setup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
  spawn_setup(const spawn_setup&) = delete;
  spawn_setup& operator=(const spawn_setup&) = delete;
};

// Waits up to `d` for the child to exit: on its pidfd when the kernel has them, else a sleep.
void wait_a_little(int pidfd, std::chrono::milliseconds d) {
  if (pidfd >= 0) {
    pollfd p{pidfd, POLLIN, 0};
    poll(&p, 1, static_cast<int>(d.count()));
  } else {
    std::this_thread::sleep_for(d);
  }
}
}  // namespace

std::string child_outcome::status() const {
  if (!started) return "did not start: " + start_error;
  if (timed_out) return "timed out";
  if (signal != 0)
    return "killed by signal " + std::to_string(signal) + " (" + strsignal(signal) + ")";
  return "exit " + std::to_string(exit_code);
}

child_outcome run_child(const child_spec& spec) {
  child_outcome out;
  if (spec.argv.empty()) {
    out.start_error = "empty command";
    return out;
  }
  auto args = spec.argv;
  auto argv = pointers(args);
  auto env = child_environment(spec);
  auto envp = pointers(env);
  spawn_setup setup(spec.output_path);

  auto machine0 = machine_busy_now();
  auto self0 = self_cpu_now();
  auto t0 = clock::now();
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, argv[0], &setup.actions, &setup.attr, argv.data(), envp.data());
  if (rc != 0) {
    out.start_error = spec.argv[0] + ": " + std::strerror(rc);
    return out;
  }
  out.started = true;
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  thread_sampler sampler{pid, {}, 0, false};

  int status = 0;
  bool reaped = false;
  rusage ru{};
  auto deadline = spec.timeout_s > 0 ? t0 + std::chrono::duration_cast<clock::duration>(
                                                std::chrono::duration<double>(spec.timeout_s))
                                     : clock::time_point::max();
  // 1. Sample and wait until it exits or the deadline passes.
  for (;;) {
    sampler.sample();
    pid_t r = wait4(pid, &status, WNOHANG, &ru);
    if (r == pid) {
      reaped = true;
      break;
    }
    if (r < 0 && errno != EINTR) break;
    if (clock::now() >= deadline) {
      // 2. Past the deadline: ask the whole group to stop, then insist.
      out.timed_out = true;
      kill(-pid, SIGTERM);
      auto grace = clock::now() + std::chrono::seconds(2);
      for (;;) {
        pid_t r2 = wait4(pid, &status, WNOHANG, &ru);
        if (r2 == pid) {
          reaped = true;
          break;
        }
        if (r2 < 0 && errno != EINTR) break;
        if (clock::now() >= grace) {
          kill(-pid, SIGKILL);
          reaped = wait4(pid, &status, 0, &ru) == pid;
          break;
        }
        wait_a_little(pidfd, k_sample_every);
      }
      break;
    }
    wait_a_little(pidfd, k_sample_every);
  }
  auto t1 = clock::now();
  if (pidfd >= 0) close(pidfd);
  if (out.timed_out) kill(-pid, SIGKILL);  // anything of its group still alive

  out.wall_s = std::chrono::duration<double>(t1 - t0).count();
  if (!reaped) {
    out.start_error = std::string("lost track of the child: ") + std::strerror(errno);
    out.exit_code = -1;
  } else if (WIFEXITED(status)) {
    out.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    out.signal = WTERMSIG(status);
  }
  out.cpu_user_s = seconds(ru.ru_utime);
  out.cpu_sys_s = seconds(ru.ru_stime);
  out.involuntary_switches = ru.ru_nivcsw;
  out.voluntary_switches = ru.ru_nvcsw;
  out.max_rss_kb = ru.ru_maxrss;
  out.sampled = sampler.any;
  out.run_delay_s = sampler.delay_s();
  out.max_threads = sampler.max_threads;
  out.self_cpu_s = self_cpu_now() - self0;
  auto machine1 = machine_busy_now();
  if (machine0 && machine1) out.machine_busy_s = *machine1 - *machine0;
  return out;
}

int usable_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
  auto n = static_cast<int>(std::thread::hardware_concurrency());
  return n > 0 ? n : 1;
}

}  // namespace weft_doctor
