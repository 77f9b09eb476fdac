// weft: the project's command-line program. Its first subcommand is the doctor; the lab and
// trace tools join it as subcommands (DESIGN.md section 2).
//
// Exit status: 0 done; 1 the work itself failed (a command that would not run, runs that gave
// nothing to judge); 2 the command line was wrong (an unknown flag, a bad value), with a
// message that names it.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "demos/catalog.hpp"
#include "doctor/command.hpp"
#include "doctor/thresholds.hpp"
#include "trace/summary.hpp"

namespace {

// "1,2,4" -> {1, 2, 4}; throws CLI::ValidationError naming --procs.
std::vector<int> parse_procs(const std::string& text) {
  std::vector<int> out;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto comma = text.find(',', pos);
    auto item = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    int v = 0;
    auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
    if (item.empty() || ec != std::errc{} || end != item.data() + item.size() || v < 1 ||
        v > 4096) {
      throw CLI::ValidationError(
          "--procs", fmt::format("'{}' is not a list of procs values from 1 to 4096 (like "
                                 "1,2,4): bad item '{}'",
                                 text, item));
    }
    out.push_back(v);
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  if (out.size() < 2) {
    throw CLI::ValidationError("--procs",
                               fmt::format("'{}' needs at least two different values", text));
  }
  return out;
}

std::string demo_names() {
  std::string s;
  for (const auto& d : weft_demos::k_catalog) s += (s.empty() ? "" : ", ") + std::string(d.name);
  return s;
}

std::string thresholds_help() {
  weft_doctor::thresholds defaults;
  std::string s;
  for (const auto& t : weft_doctor::threshold_table()) {
    s += fmt::format("  {:<24} {:>6g}  {}\n", t.name, defaults.*t.field, t.meaning);
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"weft: tools for the weft C++20 coroutine runtime", "weft"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "weft 0.1.0");
  app.footer(
      "Run `weft SUBCOMMAND --help` for a subcommand's options.\n"
      "Exit status: 0 done; 1 the work failed; 2 the command line was wrong.");

  weft_doctor::doctor_options o;
  std::string procs_text;
  std::vector<std::string> threshold_args;
  bool list_demos = false, list_thresholds = false, no_progress = false;

  auto* doctor = app.add_subcommand(
      "doctor",
      "Run a weft program at several procs values and explain why it does or does not scale: "
      "scheduling, synchronization, decomposition, or I/O.\n"
      "Usage: weft doctor [OPTIONS] -- CMD [ARGS...]\n"
      "       weft doctor [OPTIONS] --demo NAME");
  doctor
      ->add_option("--procs", procs_text,
                   "Comma-separated procs values to run at (default: 1, 2, 4, ... up to 2 x "
                   "the cores, with the cores themselves included)")
      ->type_name("LIST");
  doctor->add_option("--repeat", o.repeat, "Runs per procs value (default 3)")
      ->type_name("N")
      ->check(CLI::Range(1, 1000));
  doctor
      ->add_option("--timeout", o.timeout_s,
                   "Seconds a single run may take before it is stopped (default 300)")
      ->type_name("SEC")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            double v = 0;
            auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
            if (ec != std::errc{} || end != text.data() + text.size() || !(v > 0) || v > 1e6) {
              return "'" + text + "' is not a number of seconds above 0";
            }
            return "";
          },
          "SEC > 0"));
  doctor->add_option("--json", o.json_path, "Also write the report as JSON to this file")
      ->type_name("FILE");
  doctor
      ->add_option("--report", o.report_path,
                   "Also write the report as one self-contained HTML page to open in a browser: "
                   "the verdict, the speedup against ideal with the USL fit, where the time "
                   "went at each procs value (checked before the runs start)")
      ->type_name("FILE.html");
  auto* demo = doctor->add_option(
      "--demo", o.demo, "Diagnose a built-in workload instead of a command: " + demo_names());
  demo->type_name("NAME");
  doctor->add_flag("--list-demos", list_demos, "List the built-in workloads and exit");
  doctor
      ->add_option("--threshold", threshold_args,
                   "Override a verdict rule's threshold, NAME=VALUE (repeatable; "
                   "--list-thresholds names them)")
      ->type_name("NAME=VALUE");
  doctor->add_flag("--list-thresholds", list_thresholds,
                   "List the thresholds with their defaults and exit");
  doctor
      ->add_option("--keep", o.keep_dir,
                   "Keep every run's output and metrics JSON in this directory")
      ->type_name("DIR");
  doctor->add_flag("--no-progress", no_progress, "Do not show progress on stderr");
  auto* cmd = doctor->add_option("command", o.command,
                                 "The program to diagnose and its arguments, after --");
  cmd->type_name("CMD");
  demo->excludes(cmd);
  doctor->footer(
      "Each run gets WEFT_PROCS=P and WEFT_METRICS=<file>; the program must be a weft program "
      "(it writes the metrics at exit). Runs go round-robin over the procs values.\n"
      "Throughput is progress points per second when the program has them, else runs per "
      "second.\nThe text report goes to stdout, progress to stderr.\n\n"
      "Verdicts: healthy, scheduling, synchronization, decomposition (too-fine, too-coarse, "
      "imbalance, serial-path), io-bound; inconclusive when the runs give nothing to judge.\n\n"
      "Thresholds (--threshold NAME=VALUE):\n" +
      thresholds_help() +
      "\nExamples:\n"
      "  weft doctor --demo contended-mutex\n"
      "  weft doctor --procs 1,2,4,8 --repeat 5 --json out.json -- ./build/my_server --bench\n"
      "  weft doctor --demo imbalanced --report imbalanced.html\n\n"
      "Exit status: 0 a verdict; 1 the runs failed or wrote no metrics; 2 a bad command line "
      "(or a --report file that cannot be created).");

  auto* trace = app.add_subcommand("trace", "Read traces written with WEFT_TRACE=FILE");
  trace->require_subcommand(1);
  std::string trace_file, trace_json;
  std::size_t trace_top = 10;
  auto* summarize = trace->add_subcommand(
      "summarize",
      "Print a trace's headline figures: how busy each worker was, how long task runs were, "
      "which task classes took the time, steals, parks, wake-ups.\n"
      "Usage: weft trace summarize [OPTIONS] FILE");
  summarize->add_option("file", trace_file, "The trace (Chrome Trace Event JSON)")
      ->required()
      ->type_name("FILE");
  summarize->add_option("--json", trace_json, "Also write the figures as JSON to this file")
      ->type_name("OUT");
  summarize->add_option("--top", trace_top, "Task classes to list (default 10)")
      ->type_name("N")
      ->check(CLI::Range(1, 100000));
  trace->footer(
      "Record a trace: WEFT_TRACE=out.json ./my_weft_program; open it in https://ui.perfetto.dev "
      "or chrome://tracing (nothing is uploaded: the UI runs in the browser).\n"
      "WEFT_TRACE_BUFFER_MB (default 64) bounds the memory the recorder may use (the newest events "
      "are kept); WEFT_TRACE_STREAM=1 writes during the run, for runs too long to keep.");

  // CLI11 reports a mistyped subcommand as a missing one; name it instead.
  auto is_subcommand = [&](const char* name) {
    auto subs = app.get_subcommands([](CLI::App*) { return true; });
    return std::any_of(subs.begin(), subs.end(),
                       [&](CLI::App* sub) { return sub->check_name(name); });
  };
  if (argc > 1 && argv[1][0] != '-' && !is_subcommand(argv[1])) {
    fmt::print(stderr,
               "weft: unknown subcommand '{}' (known: doctor, trace)\nRun with --help for more "
               "information.\n",
               argv[1]);
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);  // prints the message (which names the flag or value) and the usage hint
    return 2;
  }

  if (summarize->parsed()) {
    std::ifstream in(trace_file, std::ios::binary);
    if (!in) {
      fmt::print(stderr, "weft trace summarize: cannot open '{}'\n", trace_file);
      return 1;
    }
    try {
      auto s = weft_trace::summarize(in);
      weft_trace::print(s, trace_file, stdout, trace_top);
      if (!trace_json.empty()) {
        std::ofstream out(trace_json);
        out << weft_trace::to_json(s).dump(2) << '\n';
        if (!out) {
          fmt::print(stderr, "weft trace summarize: cannot write '{}'\n", trace_json);
          return 1;
        }
      }
    } catch (const weft_trace::trace_format_error& e) {
      fmt::print(stderr, "weft trace summarize: {}: {}\n", trace_file, e.what());
      return 1;
    }
    return 0;
  }
  if (doctor->parsed()) {
    if (list_demos) {
      for (const auto& d : weft_demos::k_catalog) {
        fmt::print("{:<16} {} (built to show: {})\n", d.name, d.what, d.designed_for);
      }
      return 0;
    }
    if (list_thresholds) {
      fmt::print("{}", thresholds_help());
      return 0;
    }
    auto usage_error = [](const std::string& msg) {
      fmt::print(stderr, "weft doctor: {}\nRun with --help for more information.\n", msg);
      return 2;
    };
    try {
      if (!procs_text.empty()) o.procs = parse_procs(procs_text);
    } catch (const CLI::ValidationError& e) {
      return usage_error(e.what());
    }
    for (const auto& t : threshold_args) {
      if (auto err = weft_doctor::set_threshold(o.limits, t); !err.empty()) {
        return usage_error(err);
      }
    }
    if (!o.demo.empty()) {
      bool known = false;
      for (const auto& d : weft_demos::k_catalog) known = known || d.name == o.demo;
      if (!known) {
        return usage_error(
            fmt::format("--demo: unknown demo '{}' (one of: {})", o.demo, demo_names()));
      }
    } else if (o.command.empty()) {
      return usage_error("give a command to diagnose after --, or --demo NAME");
    }
    o.progress = !no_progress;
    try {
      return weft_doctor::run_doctor(o, weft_doctor::self_executable(argv[0]));
    } catch (const std::exception& e) {
      fmt::print(stderr, "weft doctor: {}\n", e.what());
      return 1;
    }
  }
  return 0;
}
