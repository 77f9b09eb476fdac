// The HTML report (doctor/report_html.cpp). Written from a synthetic session, the page must hold
// no reference outside itself, escape what the program's command line and the diagnosis say,
// and embed the JSON report unchanged. Rendered by a real browser (Debian's chromium, headless,
// --dump-dom), its script must draw the charts: one median point per procs value, the ideal
// line and the USL curve, one stacked bar per procs value. A session through run_doctor writes
// the page, and a --report path that cannot be written stops the session before the sweep.
//
// The render tests need chromium: without it they fail (saying so) rather than skip, since a
// page no browser has drawn is not tested. scripts/setup installs it; WEFT_CHROMIUM names
// another browser binary.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "doctor/account.hpp"
#include "doctor/command.hpp"
#include "doctor/model.hpp"
#include "doctor/report.hpp"
#include "doctor/sweep.hpp"
#include "doctor/verdict.hpp"

namespace {

namespace fs = std::filesystem;
using weft_doctor::doctor_report;

// A directory of this test's own, so that several runs of the test at once do not meet.
class scratch_dir {
 public:
  scratch_dir() {
    std::string tmpl = ::testing::TempDir() + "weft_report_html_XXXXXX";
    if (!mkdtemp(tmpl.data())) ADD_FAILURE() << "mkdtemp " << tmpl;
    path_ = tmpl;
  }
  ~scratch_dir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (auto at = s.find(what); at != std::string::npos; at = s.find(what, at + what.size())) ++n;
  return n;
}

// The account of one procs value for a program whose second worker sits half idle.
weft_doctor::run_account account(int procs, double wall) {
  weft_doctor::run_account a;
  a.procs = procs;
  a.runs = 2;
  a.wall_s = wall;
  a.process_wall_s = wall * 1.05;
  a.workers.total_s = procs * wall;
  a.workers.running_s = 0.8 * wall * std::min(procs, 2);
  a.workers.scheduler_s = 0.02 * procs * wall;
  a.workers.spinning_s = 0.03 * procs * wall;
  a.workers.parked_s = a.workers.total_s - a.workers.running_s - a.workers.scheduler_s -
                       a.workers.spinning_s - 0.01 * wall;
  a.workers.unknown_s = 0.01 * wall;
  a.cpu.cpu_s = a.workers.busy_s() * 0.97;
  a.cpu.offcpu_s = a.workers.busy_s() * 0.03;
  a.cpu.offcpu_external_s = a.cpu.offcpu_s;
  a.cpu.demand = a.workers.busy_s() / wall;
  a.cpu.external = 0.1;
  a.cpu.sampled = true;
  a.tasks.running_s = a.workers.running_s;
  a.tasks.runnable_s = 0.5 * procs;
  a.tasks.blocked_s = {{"mutex", 2.0 * (procs - 1)}, {"task_group", 0.4}};
  if (procs > 1) a.tasks.blocked_s["<img src=x onerror=alert(1)>"] = 0.2;
  a.tasks.objects = {{.kind = "mutex", .name = "<table>", .blocked_s = 2.0, .waits = 100}};
  a.tasks.tasks_run = 4000;
  a.tasks.tasks_spawned = 4000;
  a.tasks.longest_run_s = 0.002;
  a.work_s = a.tasks.running_s;
  a.span_s = 0.01;
  a.parallelism = a.work_s / a.span_s;
  return a;
}

// A session at procs 1, 2, 4 on two cores, two runs each, that peaks at 2, with a command line
// and a diagnosis full of characters HTML gives a meaning to.
doctor_report synthetic() {
  doctor_report r;
  r.command = {"/opt/my app/bin/server",
               "--name=<script>alert('x')</script>",
               "a&b",
               "</script><!--",
               "--upstream=https://example.com/api",
               "caf\xc3\xa9",
               "bad\xff-utf8"};
  r.cores = 2;
  r.repeat = 2;
  r.timeout_s = 60;
  r.cost = {.measured = true, .spawn_join_ns = 70, .yield_ns = 25};
  const std::vector<std::pair<int, double>> throughput = {{1, 10}, {2, 18}, {4, 16}};
  std::vector<weft_doctor::observation> obs;
  for (int rep = 1; rep <= 2; ++rep) {
    for (auto [procs, x] : throughput) {
      weft_doctor::run_record run;
      run.procs = procs;
      run.repeat = rep;
      run.process.started = true;
      run.process.exit_code = 0;
      double xr = x * (rep == 1 ? 0.98 : 1.02);
      run.process.wall_s = 1 / xr;
      run.process.cpu_user_s = 0.9 / xr;
      obs.push_back({static_cast<double>(procs), xr});
      r.sweep.runs.push_back(run);
    }
  }
  r.points = weft_doctor::points(r.sweep);
  for (const auto& p : r.points) r.accounts.push_back(account(p.procs, p.wall_s));
  r.losses = weft_doctor::attribute(r.accounts, r.points, r.cores);
  r.usl = weft_doctor::fit_usl(obs);
  r.amdahl = weft_doctor::fit_amdahl(obs);
  r.dx = weft_doctor::diagnose({.points = r.points,
                                .accounts = r.accounts,
                                .losses = r.losses,
                                .usl = &r.usl,
                                .cores = r.cores,
                                .cost = r.cost,
                                .limits = r.limits});
  r.dx.findings.push_back("Most of it on mutex '<table>': a finding with <b>markup</b> & more.");
  r.dx.recommendation += " <script>alert('recommendation')</script>";
  r.warnings = {"procs 4 run 1: its last output:\nline one <stderr>\nline \"two\""};
  return r;
}

// Every run failed: nothing to plot, and the page must still draw (that there is nothing).
doctor_report inconclusive() {
  doctor_report r;
  r.command = {"/nonexistent/program"};
  r.repeat = 1;
  for (int procs : {1, 2}) {
    weft_doctor::run_record run;
    run.procs = procs;
    run.repeat = 1;
    run.process.start_error = "No such file or directory";
    r.sweep.runs.push_back(run);
  }
  r.dx.verdict = "inconclusive";
  r.dx.recommendation = "Make the command run and write its metrics, then rerun the doctor.";
  return r;
}

std::string html_of(const doctor_report& r) {
  std::ostringstream out;
  weft_doctor::write_html(r, out);
  return out.str();
}

constexpr const char* k_data_open = R"(<script type="application/json" id="weft-data">)";

// Where the embedded JSON block's text is: [from, to), or npos.
std::pair<std::size_t, std::size_t> embedded_json_at(const std::string& html) {
  auto from = html.find(k_data_open);
  if (from == std::string::npos) return {std::string::npos, std::string::npos};
  from += std::string(k_data_open).size();
  auto to = html.find("</script>", from);
  return {from, to == std::string::npos ? html.size() : to};
}

std::string embedded_json(const std::string& html) {
  auto [from, to] = embedded_json_at(html);
  return from == std::string::npos ? std::string() : html.substr(from, to - from);
}

// The page with its embedded JSON taken out: what the HTML parser reads as markup and text.
std::string markup_of(const std::string& html) {
  auto [from, to] = embedded_json_at(html);
  return from == std::string::npos ? html : html.substr(0, from) + html.substr(to);
}

bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
}

// The first value of an attribute `name` (any case) that points outside the page: a URL with a
// scheme that fetches, or one relative to the page's network location ("//host/..."); "" when
// there is none. (GCC 12's std::regex does not build warning-free under the sanitizers.)
std::string external_reference(const std::string& html, const std::string& name) {
  std::string lower = html;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (auto at = lower.find(name); at != std::string::npos; at = lower.find(name, at + 1)) {
    if (at > 0 && is_name_char(lower[at - 1])) continue;
    auto i = at + name.size();
    auto skip_space = [&] {
      while (i < lower.size() && std::isspace(static_cast<unsigned char>(lower[i]))) ++i;
    };
    skip_space();
    if (i >= lower.size() || lower[i] != '=') continue;
    ++i;
    skip_space();
    if (i < lower.size() && (lower[i] == '"' || lower[i] == '\'')) ++i;
    skip_space();
    auto value = lower.substr(i, 8);
    for (const char* scheme : {"http:", "https:", "//", "ftp:", "ws:", "wss:"}) {
      if (value.rfind(scheme, 0) == 0) return html.substr(i, 40);
    }
  }
  return {};
}

TEST(ReportHtml, NeedsNothingOutsideItself) {
  auto html = html_of(synthetic());
  ASSERT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  // Nothing is loaded from anywhere: no element refers to a URL, no style imports one...
  ASSERT_FALSE(external_reference("<a HREF = 'https://example.com'>", "href").empty());
  ASSERT_FALSE(external_reference("<use xlink:href=\"//cdn/x.svg\">", "href").empty());
  for (const char* name : {"src", "href", "action", "srcset", "poster"}) {
    auto value = external_reference(html, name);
    EXPECT_TRUE(value.empty()) << name << "=" << value;
  }
  for (const char* loader : {"<link", "@import", "url(", "<iframe", "<img", "<object", "<embed",
                             "fetch(", "XMLHttpRequest", "import("}) {
    EXPECT_EQ(count(markup_of(html), loader), 0u) << loader;
  }
  // ...and the page tells the browser to refuse any fetch.
  EXPECT_NE(html.find("Content-Security-Policy"), std::string::npos);
  EXPECT_NE(html.find("default-src 'none'"), std::string::npos);
  // The charts and the styles are in the page itself.
  EXPECT_EQ(count(html, "<style>"), 1u);
  EXPECT_NE(html.find("id=\"speedup\""), std::string::npos);
  EXPECT_NE(html.find("<noscript>"), std::string::npos);
}

TEST(ReportHtml, EscapesWhatTheProgramAndTheDiagnosisSay) {
  auto html = html_of(synthetic());
  // The only script elements are the page's own two (the data and the code that draws).
  EXPECT_EQ(count(html, "<script"), 2u);
  EXPECT_EQ(count(html, "</script"), 2u);
  EXPECT_EQ(count(html, "<!--"), 0u);
  auto markup = markup_of(html);
  EXPECT_EQ(markup.find("alert('x')"), std::string::npos);
  // The command line is written as a shell would take it: quoted, then escaped.
  EXPECT_NE(markup.find("&#39;--name=&lt;script&gt;alert(&#39;\\&#39;&#39;x&#39;\\&#39;&#39;)"
                        "&lt;/script&gt;&#39;"),
            std::string::npos);
  EXPECT_NE(markup.find("a&amp;b"), std::string::npos);
  EXPECT_NE(markup.find("&lt;/script&gt;&lt;!--"), std::string::npos);
  EXPECT_NE(markup.find("&#39;/opt/my app/bin/server&#39;"), std::string::npos);
  EXPECT_NE(markup.find("mutex &#39;&lt;table&gt;&#39;"), std::string::npos);
  EXPECT_NE(markup.find("with &lt;b&gt;markup&lt;/b&gt; &amp; more"), std::string::npos);
  EXPECT_NE(markup.find("&lt;script&gt;alert(&#39;recommendation&#39;)"), std::string::npos);
  EXPECT_NE(markup.find("line one &lt;stderr&gt;\nline &quot;two&quot;"), std::string::npos);
}

TEST(ReportHtml, ShowsTheVerdictWithoutTheScript) {
  auto r = synthetic();
  auto markup = markup_of(html_of(r));
  EXPECT_NE(markup.find("<span class=\"verdict-name\">" + r.dx.verdict + "</span>"),
            std::string::npos);
  EXPECT_NE(markup.find("id=\"sweep\""), std::string::npos);
  EXPECT_NE(markup.find("id=\"models\""), std::string::npos);
  EXPECT_NE(markup.find("id=\"rules\""), std::string::npos);
  EXPECT_NE(markup.find("spawn+join 70 ns"), std::string::npos);
  for (const auto& rule : r.dx.rules) EXPECT_NE(markup.find(rule.name), std::string::npos);
}

TEST(ReportHtml, EmbedsTheJsonReportUnchanged) {
  auto r = synthetic();
  auto html = html_of(r);
  auto text = embedded_json(html);
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.find('<'), std::string::npos) << "every '<' is written \\u003c";
  auto parsed = nlohmann::json::parse(text);
  // The command's byte that is not UTF-8 becomes U+FFFD; everything else comes back as it was.
  auto expected = nlohmann::json::parse(
      weft_doctor::to_json(r).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  EXPECT_EQ(parsed, expected);
  EXPECT_EQ(parsed["command"][1], "--name=<script>alert('x')</script>");
  EXPECT_EQ(parsed["command"][5], "caf\xc3\xa9");
  EXPECT_EQ(parsed["sweep"].size(), 3u);
  EXPECT_EQ(parsed["runs"].size(), 6u);
  for (const auto& run : parsed["runs"]) EXPECT_GT(run["throughput"].get<double>(), 0);
}

// The browser the render tests use: WEFT_CHROMIUM, else chromium (Debian's name) or Chrome on
// the PATH.
std::string find_browser() {
  // NOLINTBEGIN(concurrency-mt-unsafe): the test is single-threaded
  if (const char* env = std::getenv("WEFT_CHROMIUM"); env && *env) return env;
  const char* path = std::getenv("PATH");
  // NOLINTEND(concurrency-mt-unsafe)
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  for (const char* name :
       {"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}) {
    std::stringstream ss(dirs);
    for (std::string dir; std::getline(ss, dir, ':');) {
      auto candidate = (dir.empty() ? std::string(".") : dir) + "/" + name;
      if (access(candidate.c_str(), X_OK) == 0) return candidate;
    }
  }
  return {};
}

// The DOM after the page's scripts ran, from headless chromium, or "" after a failure (which
// it reports). Its profile and HOME are in `dir`, so that runs at once do not share them.
std::string render(const std::string& page, const scratch_dir& dir) {
  auto browser = find_browser();
  if (browser.empty()) {
    ADD_FAILURE() << "no chromium to render the HTML report in: install it (scripts/setup "
                     "does: apt-get install chromium) or set WEFT_CHROMIUM to a Chrome binary";
    return {};
  }
  auto dom = dir / "dom.html", log = dir / "browser.log";
  auto cmd = "HOME='" + dir.path() + "' XDG_CONFIG_HOME='" + dir.path() + "' XDG_CACHE_HOME='" +
             dir.path() + "' timeout 120 '" + browser +
             "' --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run "
             "--no-default-browser-check --disable-extensions --user-data-dir='" +
             (dir / "profile") + "' --dump-dom 'file://" + page + "' >'" + dom + "' 2>'" + log +
             "'";
  int raw = std::system(cmd.c_str());  // NOLINT(concurrency-mt-unsafe): single-threaded test
  int status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  auto out = read(dom);
  if (status != 0 || out.find("</html>") == std::string::npos) {
    ADD_FAILURE() << browser << " exited with status " << status << " (124: timed out)\n"
                  << read(log).substr(0, 4000);
    return {};
  }
  return out;
}

// The element of `dom` that starts with `open` (an SVG, up to its closing tag).
std::string svg_with(const std::string& dom, const std::string& id) {
  auto from = dom.find("<svg id=\"" + id + "\"");
  if (from == std::string::npos) return {};
  auto to = dom.find("</svg>", from);
  return dom.substr(from, to == std::string::npos ? std::string::npos : to - from);
}

// The start tags of `tag` elements with class `cls` in `s`.
std::vector<std::string> tags(const std::string& s, const std::string& tag,
                              const std::string& cls) {
  std::vector<std::string> out;
  const auto open = "<" + tag;
  for (auto at = s.find(open); at != std::string::npos; at = s.find(open, at + 1)) {
    auto next = at + open.size();
    if (next < s.size() && is_name_char(s[next])) continue;
    auto end = s.find('>', at);
    if (end == std::string::npos) break;
    auto start_tag = s.substr(at, end + 1 - at);
    if (start_tag.find(" class=\"" + cls + "\"") != std::string::npos) out.push_back(start_tag);
  }
  return out;
}

std::string attr(const std::string& start_tag, const std::string& name) {
  auto key = " " + name + "=\"";
  auto at = start_tag.find(key);
  if (at == std::string::npos) return {};
  at += key.size();
  return start_tag.substr(at, start_tag.find('"', at) - at);
}

std::set<std::string> attrs(const std::vector<std::string>& start_tags, const std::string& name) {
  std::set<std::string> out;
  for (const auto& t : start_tags) out.insert(attr(t, name));
  return out;
}

// A path's d that draws something: "Mx y Lx y Lx y ...", a move and at least `segments`
// lines, every coordinate a finite number.
bool draws(const std::string& d, int segments) {
  std::istringstream in(d);
  int lines = 0, words = 0;
  for (std::string word; in >> word; ++words) {
    if (words % 2 == 0) {
      if (word.empty() || word[0] != (words == 0 ? 'M' : 'L')) return false;
      word.erase(0, 1);
      if (words > 0) ++lines;
    }
    char* end = nullptr;
    double v = std::strtod(word.c_str(), &end);
    if (word.empty() || *end != '\0' || !std::isfinite(v)) return false;
  }
  return words % 2 == 0 && lines >= segments;
}

void expect_charts(const std::string& dom, const std::set<std::string>& procs, int runs) {
  EXPECT_NE(dom.find("data-charts=\"drawn\""), std::string::npos)
      << "the page's script did not finish:\n"
      << dom.substr(0, 2000);

  auto speedup = svg_with(dom, "speedup-chart");
  ASSERT_FALSE(speedup.empty()) << "no speedup chart";
  auto medians = tags(speedup, "circle", "pt-median");
  EXPECT_EQ(medians.size(), procs.size());
  EXPECT_EQ(attrs(medians, "data-procs"), procs);
  for (const auto& c : medians) {
    EXPECT_FALSE(attr(c, "cx").empty());
    EXPECT_GT(std::stod(attr(c, "data-speedup")), 0) << c;
  }
  EXPECT_EQ(tags(speedup, "circle", "pt-run").size(), static_cast<std::size_t>(runs));
  auto ideal = tags(speedup, "path", "ideal");
  ASSERT_EQ(ideal.size(), 1u);
  EXPECT_TRUE(draws(attr(ideal[0], "d"), 1)) << ideal[0];
  auto usl = tags(speedup, "path", "usl-fit");
  ASSERT_EQ(usl.size(), 1u) << "no USL curve";
  EXPECT_TRUE(draws(attr(usl[0], "d"), 20)) << usl[0];

  for (const char* id : {"breakdown-chart", "task-chart"}) {
    auto chart = svg_with(dom, id);
    ASSERT_FALSE(chart.empty()) << "no " << id;
    auto segs = tags(chart, "rect", "seg");
    EXPECT_EQ(attrs(segs, "data-procs"), procs) << id;
    for (const auto& p : procs) {
      bool running = false;
      for (const auto& s : segs) {
        running = running || (attr(s, "data-procs") == p && attr(s, "data-part") == "running");
        EXPECT_GT(std::stod(attr(s, "height")), 0) << s;
      }
      EXPECT_TRUE(running) << id << ": no running segment at procs " << p;
    }
  }
}

TEST(ReportHtmlInABrowser, DrawsTheChartsOfASession) {
  scratch_dir dir;
  auto page = dir / "report.html";
  {
    std::ofstream out(page);
    weft_doctor::write_html(synthetic(), out);
  }
  auto dom = render(page, dir);
  if (dom.empty()) return;
  expect_charts(dom, {"1", "2", "4"}, 6);
  EXPECT_NE(svg_with(dom, "breakdown-chart").find("data-part=\"parked\""), std::string::npos);
  // A cause named like markup is drawn as text, not parsed.
  EXPECT_NE(svg_with(dom, "task-chart").find("blocked: &lt;img src=x onerror=alert(1)&gt;"),
            std::string::npos);
  EXPECT_EQ(dom.find("<img"), std::string::npos);
  auto amdahl = tags(svg_with(dom, "speedup-chart"), "path", "amdahl-fit");
  ASSERT_EQ(amdahl.size(), 1u);
  EXPECT_TRUE(draws(attr(amdahl[0], "d"), 20));
  // Procs 4 is past the two cores: the ideal on this machine flattens there.
  EXPECT_EQ(tags(svg_with(dom, "speedup-chart"), "path", "ideal-cores").size(), 1u);
}

TEST(ReportHtmlInABrowser, DrawsThatASessionWithoutRunsHasNothingToPlot) {
  scratch_dir dir;
  auto page = dir / "report.html";
  {
    std::ofstream out(page);
    weft_doctor::write_html(inconclusive(), out);
  }
  auto dom = render(page, dir);
  if (dom.empty()) return;
  EXPECT_NE(dom.find("data-charts=\"drawn\""), std::string::npos) << dom.substr(0, 2000);
  EXPECT_NE(svg_with(dom, "speedup-chart").find("class=\"no-data\""), std::string::npos);
  EXPECT_NE(svg_with(dom, "breakdown-chart").find("class=\"no-data\""), std::string::npos);
  EXPECT_TRUE(tags(dom, "circle", "pt-median").empty());
  EXPECT_NE(dom.find("<span class=\"verdict-name\">inconclusive</span>"), std::string::npos);
}

// The session end to end on the healthy demo (procs 1 and 2, one run each): the page is written
// where --report said, and a browser draws the real session's charts.
TEST(ReportHtmlInABrowser, ASessionWritesItsReport) {
  scratch_dir dir;
  weft_doctor::doctor_options o;
  o.demo = "healthy";
  o.procs = {1, 2};
  o.repeat = 1;
  o.timeout_s = 120;
  o.progress = false;
  o.report_path = dir / "doctor.html";
  int status = weft_doctor::run_doctor(o, WEFT_EXE);
  EXPECT_EQ(status, 0);
  auto html = read(o.report_path);
  ASSERT_FALSE(html.empty()) << "no report at " << o.report_path;
  auto j = nlohmann::json::parse(embedded_json(html));
  EXPECT_EQ(j["sweep"].size(), 2u);
  EXPECT_NE(markup_of(html).find("<span class=\"verdict-name\">" + j["verdict"].get<std::string>() +
                                 "</span>"),
            std::string::npos);
  auto dom = render(o.report_path, dir);
  if (dom.empty()) return;
  expect_charts(dom, {"1", "2"}, 2);
}

TEST(ReportHtml, AnUnwritableReportStopsTheSessionBeforeTheSweep) {
  scratch_dir dir;
  auto marker = dir / "ran";
  for (const auto& bad : {dir / "no/such/dir/report.html", dir.path()}) {
    weft_doctor::doctor_options o;
    o.command = {"sh", "-c", "touch '" + marker + "'"};
    o.procs = {1, 2};
    o.repeat = 1;
    o.progress = false;
    o.report_path = bad;
    ::testing::internal::CaptureStderr();
    int status = weft_doctor::run_doctor(o, WEFT_EXE);
    auto err = ::testing::internal::GetCapturedStderr();
    EXPECT_EQ(status, 2) << err;
    EXPECT_NE(err.find("--report"), std::string::npos) << err;
    EXPECT_NE(err.find(bad), std::string::npos) << err;
    EXPECT_FALSE(fs::exists(marker)) << "the sweep ran before the report path was checked";
  }
}

}  // namespace
