#include "trace/summary.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

namespace weft_trace {

namespace {
using json = nlohmann::json;

// One event's fields as the SAX parser meets them.
struct event_fields {
  std::string ph, name, cat;
  long long tid = 0;
  double ts = 0, dur = 0;
  bool has_ts = false;
  // args
  double arg_parked_us = 0, arg_tasks = 0;
  double arg_runs = 0;  // a coalesced slice's task runs (absent: the slice is one run)
  std::string arg_name;
  void clear() { *this = event_fields{}; }
};

// Depths: 1 the top-level object; 2 inside "traceEvents" (array) or "otherData" (object);
// 3 inside one event; 4 inside an event's "args".
class handler final : public nlohmann::json_sax<json> {
 public:
  explicit handler(trace_summary& s) : s_(s) {}
  bool saw_events() const { return saw_events_; }

  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t v) override { return number(static_cast<double>(v)); }
  bool number_unsigned(number_unsigned_t v) override { return number(static_cast<double>(v)); }
  bool number_float(number_float_t v, const string_t&) override { return number(v); }
  bool string(string_t& v) override {
    if (in_other_ && depth_ == 2) {
      if (key_ == "schema") s_.schema = v;
      if (key_ == "runtime") s_.runtime = v;
    } else if (in_events_ && depth_ == 3) {
      if (key_ == "ph") e_.ph = v;
      if (key_ == "name") e_.name = v;
      if (key_ == "cat") e_.cat = v;
    } else if (in_events_ && depth_ == 4 && key_ == "name") {
      e_.arg_name = v;
    }
    return true;
  }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override {
    ++depth_;
    if (depth_ == 2 && key_ == "otherData") in_other_ = true;
    if (depth_ == 3 && in_events_) e_.clear();
    return true;
  }
  bool key(string_t& k) override {
    key_ = k;
    return true;
  }
  bool end_object() override {
    if (depth_ == 3 && in_events_) take(e_);
    if (depth_ == 2) in_other_ = false;
    --depth_;
    return true;
  }
  bool start_array(std::size_t) override {
    ++depth_;
    if (depth_ == 2 && key_ == "traceEvents") in_events_ = saw_events_ = true;
    return true;
  }
  bool end_array() override {
    if (depth_ == 2) in_events_ = false;
    --depth_;
    return true;
  }
  bool parse_error(std::size_t pos, const std::string&,
                   const nlohmann::detail::exception& ex) override {
    throw trace_format_error(fmt::format("not valid JSON at byte {}: {}", pos, ex.what()));
  }

 private:
  bool number(double v) {
    if (in_other_ && depth_ == 2) {
      if (key_ == "dropped_events") s_.dropped = static_cast<std::uint64_t>(v);
    } else if (in_events_ && depth_ == 3) {
      if (key_ == "tid") e_.tid = static_cast<long long>(v);
      if (key_ == "ts") {
        e_.ts = v;
        e_.has_ts = true;
      }
      if (key_ == "dur") e_.dur = v;
    } else if (in_events_ && depth_ == 4) {
      if (key_ == "parked_us") e_.arg_parked_us = v;
      if (key_ == "tasks") e_.arg_tasks = v;
      if (key_ == "runs") e_.arg_runs = v;
    }
    return true;
  }

  void take(const event_fields& e) {
    ++s_.events;
    if (e.ph == "M") {
      if (e.name == "thread_name") s_.workers[e.tid].name = e.arg_name;
      return;
    }
    if (e.has_ts) {
      double end = e.ts + (e.ph == "X" ? e.dur : 0);
      if (!any_ts_ || e.ts < s_.first_us) s_.first_us = e.ts;
      if (!any_ts_ || end > s_.last_us) s_.last_us = end;
      any_ts_ = true;
    }
    if (e.ph == "X") {
      // A coalesced slice (a sampling worker's untimed runs) counts as its runs, each of the
      // mean length: their lengths one by one were not measured.
      if (e.arg_runs > 1e6) {
        // weft coalesces at most a sampling period's runs into one; this file is not weft's.
        throw trace_format_error(
            fmt::format("a slice stands for {} task runs (more than a million)", e.arg_runs));
      }
      auto runs = e.arg_runs >= 1 ? static_cast<std::uint64_t>(e.arg_runs) : 1;
      auto each = e.dur / static_cast<double>(runs);
      auto& w = s_.workers[e.tid];
      w.slices += runs;
      w.busy_us += e.dur;
      auto& c = s_.classes[e.name];
      c.slices += runs;
      c.total_us += e.dur;
      c.max_us = std::max(c.max_us, each);
      s_.run_lengths.push_back({each, runs});
    } else if (e.ph == "s") {
      ++s_.flows_out;
    } else if (e.ph == "i" || e.ph == "I") {
      auto& w = s_.workers[e.tid];
      if (e.name == "steal") ++w.steals;
      if (e.name == "park") {
        ++w.parks;
        w.parked_us += e.arg_parked_us;
      }
    } else if (e.ph == "C") {
      if (e.name == "tasks alive") s_.max_alive = std::max(s_.max_alive, e.arg_tasks);
      if (e.name.rfind("run queue", 0) == 0) {
        auto& w = s_.workers[e.tid];
        w.max_queue = std::max(w.max_queue, e.arg_tasks);
      }
    }
  }

  trace_summary& s_;
  event_fields e_;
  std::string key_;
  int depth_ = 0;
  bool in_events_ = false, in_other_ = false, saw_events_ = false, any_ts_ = false;
};

std::string us_text(double us) {
  if (us >= 1e6) return fmt::format("{:.3f} s", us / 1e6);
  if (us >= 1e3) return fmt::format("{:.2f} ms", us / 1e3);
  if (us >= 1) return fmt::format("{:.2f} us", us);
  return fmt::format("{:.0f} ns", us * 1e3);
}

std::string count_text(std::uint64_t n) {
  auto s = std::to_string(n);
  for (auto i = static_cast<std::ptrdiff_t>(s.size()) - 3; i > 0; i -= 3) {
    s.insert(static_cast<std::size_t>(i), ",");
  }
  return s;
}

std::vector<std::pair<std::string, class_row>> by_time(const trace_summary& s) {
  std::vector<std::pair<std::string, class_row>> v(s.classes.begin(), s.classes.end());
  std::sort(v.begin(), v.end(),
            [](const auto& a, const auto& b) { return a.second.total_us > b.second.total_us; });
  return v;
}
}  // namespace

std::uint64_t trace_summary::runs() const {
  std::uint64_t n = 0;
  for (const auto& r : run_lengths) n += r.runs;
  return n;
}

double trace_summary::slice_quantile(double q) {
  auto n = runs();
  if (n == 0) return 0;
  // The run of rank k (0-based) among all n, each slice's weight counting as that many runs.
  auto k = static_cast<std::uint64_t>(std::llround(q * static_cast<double>(n - 1)));
  std::sort(run_lengths.begin(), run_lengths.end(),
            [](const run_length& a, const run_length& b) { return a.us < b.us; });
  std::uint64_t seen = 0;
  for (const auto& r : run_lengths) {
    seen += r.runs;
    if (seen > k) return r.us;
  }
  return run_lengths.back().us;
}

trace_summary summarize(std::istream& in) {
  trace_summary s;
  handler h(s);
  json::sax_parse(in, &h);
  if (!h.saw_events()) {
    throw trace_format_error(
        "no \"traceEvents\" array: not a Chrome Trace Event file (WEFT_TRACE writes one)");
  }
  return s;
}

void print(trace_summary& s, const std::string& file, std::FILE* out, std::size_t top_classes) {
  double span = s.duration_us();
  fmt::print(out, "trace: {}{}{}\n", file, s.schema.empty() ? "" : " (" + s.schema + ")",
             s.runtime.empty() ? "" : ", runtime \"" + s.runtime + "\"");
  fmt::print(
      out, "time:  {} from first to last event; {} events{}\n", us_text(span), count_text(s.events),
      s.dropped ? fmt::format(", {} DROPPED (raise WEFT_TRACE_BUFFER_MB)", count_text(s.dropped))
                : ", none dropped");
  fmt::print(out, "\n{:<10} {:>7} {:>12} {:>11} {:>8} {:>7} {:>11} {:>9}\n", "track", "busy",
             "task runs", "mean run", "steals", "parks", "parked", "max queue");
  std::uint64_t slices = 0, steals = 0, parks = 0;
  double busy = 0;
  for (const auto& [tid, w] : s.workers) {
    if (w.slices == 0 && w.parks == 0 && w.steals == 0 && w.name.empty()) continue;
    slices += w.slices;
    steals += w.steals;
    parks += w.parks;
    busy += w.busy_us;
    fmt::print(out, "{:<10} {:>6.1f}% {:>12} {:>11} {:>8} {:>7} {:>11} {:>9}\n",
               w.name.empty() ? "tid " + std::to_string(tid) : w.name,
               span > 0 ? 100.0 * w.busy_us / span : 0.0, count_text(w.slices),
               w.slices ? us_text(w.busy_us / static_cast<double>(w.slices)) : "-",
               count_text(w.steals), count_text(w.parks), us_text(w.parked_us),
               fmt::format("{:.0f}", w.max_queue));
  }
  auto tracks = std::count_if(s.workers.begin(), s.workers.end(), [](const auto& kv) {
    return kv.second.slices > 0 || !kv.second.name.empty();
  });
  fmt::print(out,
             "\ntask runs: {} ({:.1f}% of {} track-time busy); run length p50 {}, p90 {}, "
             "p99 {}, max {}\n",
             count_text(slices),
             span > 0 && tracks > 0 ? 100.0 * busy / (span * static_cast<double>(tracks)) : 0.0,
             tracks, us_text(s.slice_quantile(0.5)), us_text(s.slice_quantile(0.9)),
             us_text(s.slice_quantile(0.99)), us_text(s.slice_quantile(1.0)));
  fmt::print(out, "wake-ups: {} (flow arrows); steals: {}; parks: {}; tasks alive: peak {:.0f}\n",
             count_text(s.flows_out), count_text(steals), count_text(parks), s.max_alive);
  auto classes = by_time(s);
  if (!classes.empty()) {
    fmt::print(out, "\ntask classes by run time (spawn site):\n");
    fmt::print(out, "  {:<32} {:>12} {:>11} {:>11} {:>11} {:>6}\n", "class", "runs", "total",
               "mean", "max", "share");
    for (std::size_t i = 0; i < classes.size() && i < top_classes; ++i) {
      const auto& [name, c] = classes[i];
      fmt::print(out, "  {:<32} {:>12} {:>11} {:>11} {:>11} {:>5.1f}%\n", name,
                 count_text(c.slices), us_text(c.total_us),
                 us_text(c.total_us / static_cast<double>(c.slices)), us_text(c.max_us),
                 busy > 0 ? 100.0 * c.total_us / busy : 0.0);
    }
    if (classes.size() > top_classes) {
      fmt::print(out, "  ... and {} more (--top N)\n", classes.size() - top_classes);
    }
  }
}

json to_json(trace_summary& s) {
  json j;
  j["schema"] = "weft.trace-summary/1";
  j["trace_schema"] = s.schema;
  j["runtime"] = s.runtime;
  j["duration_us"] = s.duration_us();
  j["events"] = s.events;
  j["dropped_events"] = s.dropped;
  j["wakeups"] = s.flows_out;
  j["max_tasks_alive"] = s.max_alive;
  j["run_us"] = {{"p50", s.slice_quantile(0.5)},
                 {"p90", s.slice_quantile(0.9)},
                 {"p99", s.slice_quantile(0.99)},
                 {"max", s.slice_quantile(1.0)}};
  auto& ws = j["tracks"] = json::array();
  for (const auto& [tid, w] : s.workers) {
    ws.push_back({{"tid", tid},
                  {"name", w.name},
                  {"runs", w.slices},
                  {"busy_us", w.busy_us},
                  {"busy_fraction", s.duration_us() > 0 ? w.busy_us / s.duration_us() : 0.0},
                  {"steals", w.steals},
                  {"parks", w.parks},
                  {"parked_us", w.parked_us},
                  {"max_queue", w.max_queue}});
  }
  auto& cs = j["classes"] = json::array();
  for (const auto& [name, c] : by_time(s)) {
    cs.push_back(
        {{"name", name}, {"runs", c.slices}, {"total_us", c.total_us}, {"max_us", c.max_us}});
  }
  return j;
}

}  // namespace weft_trace
