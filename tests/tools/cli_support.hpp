// Runs the `weft` program built with the tests, capturing its exit status and output.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace weft_tools_testing {

struct cli_result {
  int status = -1;     // the exit status
  std::string output;  // stdout and stderr together
};

// Runs `weft ARGS` through the shell (ARGS is shell text), output captured in a file.
inline cli_result run_weft(const std::string& args) {
  static int counter = 0;
  auto out = ::testing::TempDir() + "weft_cli_" + std::to_string(getpid()) + "_" +
             std::to_string(counter++) + ".out";
  auto cmd = std::string("'") + WEFT_EXE + "' " + args + " >'" + out + "' 2>&1";
  int raw = std::system(cmd.c_str());  // NOLINT(concurrency-mt-unsafe): tests are single-threaded
  cli_result r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  std::ifstream in(out);
  std::stringstream ss;
  ss << in.rdbuf();
  r.output = ss.str();
  std::remove(out.c_str());
  return r;
}

inline bool contains(const std::string& s, const std::string& what) {
  return s.find(what) != std::string::npos;
}

}  // namespace weft_tools_testing
