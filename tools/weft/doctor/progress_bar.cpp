#include "doctor/progress_bar.hpp"

#include <unistd.h>

#include <chrono>
#include <cmath>

#include <fmt/format.h>

namespace weft_doctor {

namespace {
double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
}  // namespace

progress_bar::progress_bar(int total, bool enabled, std::FILE* out)
    : total_(total), enabled_(enabled), tty_(isatty(fileno(out)) != 0), out_(out) {}

void progress_bar::start(const std::string& what) {
  current_ = what;
  started_at_s_ = now_s();
  if (tty_) draw("running");
}

void progress_bar::finish(const std::string& result) {
  elapsed_s_ += now_s() - started_at_s_;
  ++finished_;
  if (!enabled_) return;
  if (tty_) {
    draw(result);
  } else {
    fmt::print(out_, "weft doctor: [{}/{}] {}: {}\n", finished_, total_, current_, result);
    std::fflush(out_);
  }
}

void progress_bar::draw(const std::string& tail) {
  if (!enabled_) return;
  constexpr int k_width = 24;
  int filled = total_ > 0 ? finished_ * k_width / total_ : k_width;
  std::string eta;
  if (finished_ > 0 && finished_ < total_) {
    double left = elapsed_s_ / finished_ * (total_ - finished_);
    eta = fmt::format("  ~{:.0f} s left", std::ceil(left));
  }
  fmt::print(out_, "\r\033[K[{}{}] {}/{}  {}: {}{}",
             std::string(static_cast<std::size_t>(filled), '#'),
             std::string(static_cast<std::size_t>(k_width - filled), '.'), finished_, total_,
             current_, tail, eta);
  std::fflush(out_);
}

void progress_bar::done() {
  if (enabled_ && tty_) {
    fmt::print(out_, "\r\033[K");
    std::fflush(out_);
  }
}

}  // namespace weft_doctor
