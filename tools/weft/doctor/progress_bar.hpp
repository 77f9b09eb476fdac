// Progress of a sweep on stderr. On a terminal, one line redrawn in place; otherwise (a log, a
// test) one line per finished run, so a captured log still says what happened and when.
#pragma once

#include <cstdio>
#include <string>

namespace weft_doctor {

class progress_bar {
 public:
  // `enabled` false: says nothing.
  progress_bar(int total, bool enabled, std::FILE* out = stderr);
  progress_bar(const progress_bar&) = delete;
  progress_bar& operator=(const progress_bar&) = delete;

  // A run is starting; `what` describes it ("procs 2, run 1/3").
  void start(const std::string& what);
  // The run that started last has ended; `result` summarises it ("0.41 s").
  void finish(const std::string& result);
  // Clears the bar's line (on a terminal) so the report starts on a clean line.
  void done();

 private:
  void draw(const std::string& tail);

  int total_;
  int finished_ = 0;
  bool enabled_;
  bool tty_;
  std::FILE* out_;
  std::string current_;
  double elapsed_s_ = 0;
  double started_at_s_ = 0;
};

}  // namespace weft_doctor
