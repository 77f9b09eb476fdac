// How the reports write numbers, shared by the text and the HTML report so that both show a
// figure the same way: seconds scaled to s / ms / us / ns, shares as percentages, and "-" for
// a number that is not finite (the JSON writes those as null).
#pragma once

#include <cmath>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "doctor/verdict.hpp"

namespace weft_doctor::format {

inline std::string secs(double s) {
  if (!std::isfinite(s)) return "-";
  double a = std::abs(s);
  if (a >= 100) return fmt::format("{:.0f} s", s);
  if (a >= 1) return fmt::format("{:.2f} s", s);
  if (a >= 1e-3) return fmt::format("{:.1f} ms", s * 1e3);
  if (a == 0) return "0";
  if (a >= 1e-6) return fmt::format("{:.0f} us", s * 1e6);
  return fmt::format("{:.0f} ns", s * 1e9);
}

inline std::string signed_secs(double s) {
  return (s > 0 ? "+" : "") + secs(s);
}

inline std::string pct(double share) {
  return std::isfinite(share) ? fmt::format("{:.0f}%", 100 * share) : "-";
}

inline std::string fixed(double v, int digits) {
  return std::isfinite(v) ? fmt::format("{:.{}f}", v, digits) : "-";
}

// An evidence number in its unit.
inline std::string value_text(const evidence_item& e) {
  if (!std::isfinite(e.value)) return "-";
  if (e.unit == "s") return secs(e.value);
  if (e.unit == "share") return pct(e.value);
  if (e.unit == "ns") return fmt::format("{:.0f} ns", e.value);
  if (e.unit == "tasks" || e.unit == "threads" || e.unit == "cores" || e.unit == "workers" ||
      e.unit == "waits") {
    return fixed(e.value, std::abs(e.value - std::round(e.value)) < 1e-9 ? 0 : 2);
  }
  return fixed(e.value, std::abs(e.value) >= 100 ? 0 : 2);
}

// " >= 50%": what the rule compared the number with, in the same unit; "" without a threshold.
inline std::string threshold_text(const evidence_item& e) {
  if (!e.threshold) return "";
  evidence_item t = e;
  t.value = *e.threshold;
  return fmt::format(" {} {}", e.compare == "<" ? "<" : ">=", value_text(t));
}

inline std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

}  // namespace weft_doctor::format
