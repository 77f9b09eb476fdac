// The HTML report (`weft doctor --report FILE.html`): one page that needs nothing but a browser.
//
// Design:
// * Self-contained. The styles and the script are inline, nothing is fetched, and the page's
//   Content-Security-Policy (default-src 'none') makes the browser refuse any fetch should one
//   creep in: the page must open the same from a laptop on a train as on the machine that
//   measured it, and must not call anyone when it is opened.
// * The data is the JSON report itself (to_json, the schema docs/doctor.md documents), embedded
//   in a <script type="application/json" id="weft-data"> element: the page shows nothing the
//   JSON does not hold, and a reader can take the numbers out of it.
// * What must be read without a script is written here, HTML-escaped: the verdict, the
//   evidence, the recommendation and the tables. The charts (the speedup against ideal with the
//   fitted models, where the worker-seconds and task-seconds went) are drawn as SVG by the
//   inline script from the embedded JSON, so a headless browser that renders the page proves
//   the page works, not just that a file was written.
// * Every chart element the tests count has a stable hook: svg#speedup-chart with
//   circle.pt-median (one per procs value, data-procs), circle.pt-run, path.ideal, path.usl-fit,
//   path.amdahl-fit; svg#breakdown-chart and svg#task-chart with rect.seg (data-procs,
//   data-part). The body's data-charts says "drawn" once the script finished, "error" if it
//   threw.
//
// Escaping: text goes through escape() (& < > " '). The JSON goes into a <script> element,
// where the HTML parser ends the element at the first "</script" and treats "<!--" specially;
// every '<' in it is therefore written as the JSON escape \u003c. A '<' can only occur inside
// a JSON string, where \u003c means the same character, so JSON.parse gives back the report
// unchanged. Command lines and log tails may hold bytes that are not UTF-8: those become U+FFFD
// rather than failing the report.
#include <cmath>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "doctor/report.hpp"
#include "doctor/report_format.hpp"

namespace weft_doctor {

namespace {
using format::fixed;
using format::pct;
using format::secs;
using format::signed_secs;
using format::threshold_text;
using format::value_text;

std::string escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// The command line as a shell would take it: an argument with spaces or shell metacharacters
// is single-quoted, so the line can be pasted back into a shell.
std::string command_line(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) {
    if (!out.empty()) out += ' ';
    bool plain = !a.empty() && a.find_first_of(" \t\n'\"\\$`;&|<>()*?[]{}!#~") == std::string::npos;
    if (plain) {
      out += a;
      continue;
    }
    out += '\'';
    for (char c : a) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    out += '\'';
  }
  return out;
}

std::string script_json(const doctor_report& r) {
  auto text = to_json(r).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size() + 64);
  for (char c : text) {
    if (c == '<') {
      out += "\\u003c";
    } else {
      out += c;
    }
  }
  return out;
}

// The verdict as a CSS class: letters and '-' only, whatever the diagnosis holds.
std::string verdict_class(const std::string& v) {
  std::string out = "v-";
  for (char c : v) out += (c >= 'a' && c <= 'z') || c == '-' ? c : '-';
  return out;
}

constexpr std::string_view k_style = R"css(
:root { --ink: #1b1f24; --muted: #57606a; --rule: #d0d7de; --paper: #ffffff; --tint: #f6f8fa;
  --ok: #009E73; --bad: #D55E00; --warn: #E69F00; --none: #6e7781; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; background: var(--paper); color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 1.6em; margin: 0 0 4px; }
h2 { font-size: 1.25em; margin: 32px 0 8px; border-bottom: 1px solid var(--rule); padding-bottom: 4px; }
h3 { font-size: 1.05em; margin: 20px 0 6px; }
code, pre, .num, td { font-variant-numeric: tabular-nums; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.92em; }
.cmd { background: var(--tint); border: 1px solid var(--rule); border-radius: 6px; padding: 6px 10px;
  white-space: pre-wrap; overflow-wrap: anywhere; margin: 6px 0; }
.meta, .caption, .muted { color: var(--muted); }
.caption { font-size: 0.9em; margin: 4px 0 0; }
.note { background: #fff8e5; border: 1px solid var(--warn); border-radius: 6px; padding: 8px 12px; }
.note.error { background: #fde8e0; border-color: var(--bad); }
.verdict { border: 1px solid var(--rule); border-left: 8px solid var(--bad); border-radius: 8px;
  padding: 14px 20px; margin: 20px 0; background: var(--tint); }
.verdict.v-healthy { border-left-color: var(--ok); }
.verdict.v-inconclusive { border-left-color: var(--none); }
.verdict h2 { border: 0; margin: 0; font-size: 1.5em; padding: 0; }
.verdict .where { margin: 2px 0 8px; color: var(--muted); }
.badge { display: inline-block; font-size: 0.75em; font-weight: 600; letter-spacing: 0.02em;
  border-radius: 999px; padding: 1px 9px; margin-left: 6px; vertical-align: middle;
  border: 1px solid var(--warn); background: #fff3d6; color: #5c4200; }
.recommendation { border-top: 1px solid var(--rule); margin-top: 12px; padding-top: 8px; }
.recommendation p { margin: 4px 0; font-weight: 600; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(460px, 1fr)); gap: 8px 32px; }
figure { margin: 0; }
svg.chart { width: 100%; height: auto; display: block; overflow: visible; }
svg.chart text { font-size: 14px; fill: var(--ink); }
svg.chart .axis { stroke: var(--ink); stroke-width: 1; }
svg.chart .grid { stroke: #e6e9ed; stroke-width: 1; }
svg.chart .no-data { font-size: 14px; fill: var(--muted); }
ul.legend { list-style: none; padding: 0; margin: 6px 0 0; display: flex; flex-wrap: wrap; gap: 4px 16px;
  font-size: 0.85em; color: var(--muted); }
ul.legend .sw { display: inline-block; width: 11px; height: 11px; margin-right: 5px; vertical-align: -1px;
  border: 1px solid rgba(0,0,0,.25); }
table { border-collapse: collapse; margin: 6px 0; font-size: 0.9em; display: block; max-width: 100%;
  overflow-x: auto; }
th, td { padding: 3px 10px; border-bottom: 1px solid var(--rule); text-align: right; vertical-align: top; }
th { background: var(--tint); font-weight: 600; }
td { white-space: nowrap; }
td.text, th.text { text-align: left; white-space: normal; }
tr.fired td { font-weight: 600; background: #fff3d6; }
details { margin: 12px 0; }
summary { cursor: pointer; font-weight: 600; }
ul.warnings li { white-space: pre-wrap; }
footer { margin-top: 40px; font-size: 0.85em; color: var(--muted); }
@media print {
  main { max-width: none; padding: 0; }
  body { font-size: 11pt; }
  .verdict, section, figure, table { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
)css";

// Draws the charts from the embedded JSON. The palette is Okabe and Ito's, which stays
// distinguishable under the common colour-vision deficiencies; lines differ in dash pattern
// and marks in shape too, so nothing depends on colour alone.
constexpr std::string_view k_script = R"js(
(function () {
  'use strict';
  var SVG_NS = 'http://www.w3.org/2000/svg';
  var C = { black: '#000000', orange: '#E69F00', sky: '#56B4E9', green: '#009E73',
            yellow: '#F0E442', blue: '#0072B2', vermillion: '#D55E00', purple: '#CC79A7',
            grey: '#BBBBBB' };
  var DARK = { '#000000': 1, '#0072B2': 1, '#D55E00': 1, '#009E73': 1 };

  function num(v) { return typeof v === 'number' && isFinite(v); }
  function fixed(v, d) { return num(v) ? v.toFixed(d) : '-'; }
  function pct(v) { return num(v) ? Math.round(100 * v) + '%' : '-'; }
  function secs(s) {
    if (!num(s)) return '-';
    var a = Math.abs(s);
    if (a >= 100) return s.toFixed(0) + ' s';
    if (a >= 1) return s.toFixed(2) + ' s';
    if (a >= 1e-3) return (s * 1e3).toFixed(1) + ' ms';
    if (a === 0) return '0';
    if (a >= 1e-6) return (s * 1e6).toFixed(0) + ' us';
    return (s * 1e9).toFixed(0) + ' ns';
  }
  function el(tag, attrs, parent) {
    var e = document.createElementNS(SVG_NS, tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (attrs[k] !== undefined && attrs[k] !== null) e.setAttribute(k, String(attrs[k]));
    });
    if (parent) parent.appendChild(e);
    return e;
  }
  function text(parent, x, y, s, attrs) {
    var t = el('text', Object.assign({ x: x, y: y }, attrs || {}), parent);
    t.textContent = s;
    return t;
  }
  function tip(node, s) { el('title', {}, node).textContent = s; }
  function r2(v) { return Math.round(v * 100) / 100; }
  function pathOf(points) {
    return points.map(function (p, i) { return (i ? 'L' : 'M') + r2(p[0]) + ' ' + r2(p[1]); }).join(' ');
  }
  function niceStep(max, count) {
    var raw = max / count, mag = Math.pow(10, Math.floor(Math.log10(raw))), n = raw / mag;
    return (n <= 1 ? 1 : n <= 2 ? 2 : n <= 2.5 ? 2.5 : n <= 5 ? 5 : 10) * mag;
  }
  function chart(holder, id, label, w, h) {
    holder.textContent = '';
    return el('svg', { id: id, 'class': 'chart', viewBox: '0 0 ' + w + ' ' + h, role: 'img',
                       'aria-label': label }, holder);
  }
  function noData(svg, w, s) {
    text(svg, w / 2, 34, s, { 'class': 'no-data', 'text-anchor': 'middle' });
  }
  function legend(holder, items) {
    var ul = document.createElement('ul');
    ul.className = 'legend';
    items.forEach(function (it) {
      var li = document.createElement('li');
      var sw = document.createElement('span');
      sw.className = 'sw';
      if (it.line) {
        sw.style.height = '0';
        sw.style.border = '0';
        sw.style.borderTop = '2px ' + (it.dash ? 'dashed ' : 'solid ') + it.color;
        sw.style.width = '18px';
        sw.style.verticalAlign = '3px';
      } else {
        sw.style.background = it.color;
        if (it.round) sw.style.borderRadius = '50%';
      }
      li.appendChild(sw);
      li.appendChild(document.createTextNode(it.label));
      ul.appendChild(li);
    });
    holder.appendChild(ul);
  }

  // Speedup against procs: measured (the median of each procs value, each run lighter, the
  // spread as a bar), the ideal line, and the fitted USL and Amdahl curves.
  function speedupChart(d, holder) {
    var W = 640, H = 380, m = { l: 54, r: 18, t: 14, b: 46 };
    var label = 'Speedup against procs, with the ideal and the fitted models';
    var pts = (d.sweep || []).filter(function (p) { return num(p.throughput) && p.throughput > 0; });
    if (!pts.length) {
      noData(chart(holder, 'speedup-chart', label, W, 60), W, 'No timed runs: there is no speedup to plot.');
      return;
    }
    var svg = chart(holder, 'speedup-chart', label, W, H);
    var p0 = pts[0].procs, x0 = pts[0].throughput, cores = (d.machine || {}).cores || 1;
    var pmax = Math.max.apply(null, pts.map(function (p) { return p.procs; }));
    var runs = (d.runs || []).filter(function (r) { return num(r.throughput) && r.throughput > 0; });
    function curve(f) {
      var out = [], n = 160;
      for (var i = 0; i <= n; i++) {
        var p = 1 + (pmax - 1) * i / n, v = f(p);
        if (num(v) && v >= 0) out.push([p, v]);
      }
      return out;
    }
    var u = d.usl || {}, a = d.amdahl || {}, usl = null, amdahl = null;
    if (u.valid && num(u.lambda) && u.lambda > 0 && num(u.sigma) && num(u.kappa)) {
      usl = curve(function (p) { return u.lambda * p / (1 + u.sigma * (p - 1) + u.kappa * p * (p - 1)) / x0; });
    }
    if (a.valid && num(a.base) && a.base > 0 && num(a.serial_fraction)) {
      amdahl = curve(function (p) { return a.base * p / (1 + a.serial_fraction * (p - 1)) / x0; });
    }
    var top = pmax / p0;
    pts.forEach(function (p) { top = Math.max(top, p.throughput / x0, (p.throughput_max || 0) / x0); });
    runs.forEach(function (r) { top = Math.max(top, r.throughput / x0); });
    [usl, amdahl].forEach(function (c) { (c || []).forEach(function (q) { top = Math.max(top, q[1]); }); });
    var step = niceStep(top * 1.05, 6), ymax = Math.ceil(top * 1.05 / step) * step;
    var xmax = pmax * 1.04;
    var pw = W - m.l - m.r, ph = H - m.t - m.b;
    function sx(p) { return m.l + p / xmax * pw; }
    function sy(v) { return m.t + ph - Math.min(v, ymax) / ymax * ph; }
    function xy(q) { return [sx(q[0]), sy(q[1])]; }

    var axes = el('g', { 'class': 'axes' }, svg);
    for (var v = 0; v <= ymax + step / 2; v += step) {
      el('line', { 'class': 'grid', x1: m.l, x2: m.l + pw, y1: r2(sy(v)), y2: r2(sy(v)) }, axes);
      text(axes, m.l - 6, sy(v) + 4, +v.toFixed(2) + '', { 'text-anchor': 'end' });
    }
    var every = Math.ceil(pts.length / 14);
    pts.forEach(function (p, i) {
      if (i % every && i !== pts.length - 1) return;
      el('line', { 'class': 'axis', x1: r2(sx(p.procs)), x2: r2(sx(p.procs)), y1: m.t + ph, y2: m.t + ph + 4 }, axes);
      text(axes, sx(p.procs), m.t + ph + 17, String(p.procs), { 'text-anchor': 'middle' });
    });
    el('line', { 'class': 'axis', x1: m.l, x2: m.l + pw, y1: m.t + ph, y2: m.t + ph }, axes);
    el('line', { 'class': 'axis', x1: m.l, x2: m.l, y1: m.t, y2: m.t + ph }, axes);
    text(axes, m.l + pw / 2, H - 6, 'procs (workers)', { 'text-anchor': 'middle' });
    text(axes, 14, m.t + ph / 2, 'speedup over procs ' + p0, { 'text-anchor': 'middle',
         transform: 'rotate(-90 14 ' + r2(m.t + ph / 2) + ')' });

    if (cores < pmax && cores >= p0) {
      el('line', { 'class': 'cores-line', x1: r2(sx(cores)), x2: r2(sx(cores)), y1: m.t, y2: m.t + ph,
                   stroke: C.grey, 'stroke-dasharray': '2 3' }, svg);
      text(svg, sx(cores) + 4, m.t + 12, cores + ' cores', { fill: '#57606a' });
      var flat = cores / p0;
      var ic = el('path', { 'class': 'ideal-cores', d: pathOf([xy([cores, flat]), xy([pmax, flat])]),
                            fill: 'none', stroke: C.black, 'stroke-width': 1.2, 'stroke-dasharray': '1 3' }, svg);
      tip(ic, 'ideal on this machine: no more than ' + cores + ' workers run at once');
    }
    var ideal = el('path', { 'class': 'ideal', d: pathOf([xy([0, 0]), xy([pmax, pmax / p0])]), fill: 'none',
                             stroke: C.black, 'stroke-width': 1.2, 'stroke-dasharray': '6 4' }, svg);
    tip(ideal, 'ideal: speedup = procs / ' + p0);
    if (amdahl && amdahl.length > 1) {
      var ap = el('path', { 'class': 'amdahl-fit', d: pathOf(amdahl.map(xy)), fill: 'none', stroke: C.green,
                            'stroke-width': 2, 'stroke-dasharray': '8 3 2 3' }, svg);
      tip(ap, 'Amdahl: serial fraction ' + fixed(a.serial_fraction, 4));
    }
    if (usl && usl.length > 1) {
      var up = el('path', { 'class': 'usl-fit', d: pathOf(usl.map(xy)), fill: 'none', stroke: C.vermillion,
                            'stroke-width': 2.5 }, svg);
      tip(up, 'USL: sigma ' + fixed(u.sigma, 4) + ', kappa ' + fixed(u.kappa, 5));
      if (num(u.peak_procs) && u.peak_procs >= 1 && u.peak_procs <= pmax) {
        el('line', { 'class': 'usl-peak', x1: r2(sx(u.peak_procs)), x2: r2(sx(u.peak_procs)), y1: m.t, y2: m.t + ph,
                     stroke: C.vermillion, 'stroke-width': 1, 'stroke-dasharray': '2 2' }, svg);
        text(svg, sx(u.peak_procs) + 4, m.t + 26, 'USL peak ' + fixed(u.peak_procs, 1), { fill: C.vermillion });
      }
    }
    var marks = el('g', { 'class': 'measured' }, svg);
    el('path', { 'class': 'measured-line', d: pathOf(pts.map(function (p) { return xy([p.procs, p.throughput / x0]); })),
                 fill: 'none', stroke: C.blue, 'stroke-width': 1, opacity: 0.6 }, marks);
    pts.forEach(function (p) {
      if (p.runs > 1 && num(p.throughput_min) && num(p.throughput_max)) {
        el('line', { 'class': 'range', x1: r2(sx(p.procs)), x2: r2(sx(p.procs)), y1: r2(sy(p.throughput_min / x0)),
                     y2: r2(sy(p.throughput_max / x0)), stroke: C.blue, 'stroke-width': 1.5, opacity: 0.5 }, marks);
      }
    });
    runs.forEach(function (r) {
      var c = el('circle', { 'class': 'pt-run', 'data-procs': r.procs, cx: r2(sx(r.procs)), cy: r2(sy(r.throughput / x0)),
                             r: 3, fill: C.sky, 'fill-opacity': 0.55, stroke: 'none' }, marks);
      tip(c, 'procs ' + r.procs + ', run ' + r.repeat + ': speedup ' + fixed(r.throughput / x0, 2));
    });
    pts.forEach(function (p) {
      var s = p.throughput / x0;
      var c = el('circle', { 'class': 'pt-median', 'data-procs': p.procs, 'data-speedup': +s.toFixed(4),
                             cx: r2(sx(p.procs)), cy: r2(sy(s)), r: 5.5, fill: C.blue, stroke: '#fff', 'stroke-width': 1.5 }, marks);
      tip(c, 'procs ' + p.procs + ': speedup ' + fixed(s, 2) + ' (median of ' + p.runs + ' runs, throughput ' +
          fixed(p.throughput, 3) + ' ' + (d.throughput_unit || '') + ')');
    });
    var items = [{ label: 'measured: median of the runs', color: C.blue, round: true }];
    if (runs.length > pts.length) items.push({ label: 'each run', color: C.sky, round: true });
    items.push({ label: 'ideal: speedup = procs / ' + p0, color: C.black, line: true, dash: true });
    if (usl) items.push({ label: 'USL fit (\u03c3 ' + fixed(u.sigma, 3) + ', \u03ba ' + fixed(u.kappa, 4) + ')', color: C.vermillion, line: true });
    if (amdahl) items.push({ label: 'Amdahl fit (serial ' + fixed(a.serial_fraction, 3) + ')', color: C.green, line: true, dash: true });
    legend(holder, items);
  }

  // One stacked bar per procs value: shares of a total, one segment per part.
  function stackedChart(holder, id, label, rows, parts, unit) {
    var W = 640, H = 300, m = { l: 46, r: 10, t: 22, b: 40 };
    if (!rows.length) {
      noData(chart(holder, id, label, W, 60), W, 'No run wrote metrics: there is no time account.');
      return;
    }
    var svg = chart(holder, id, label, W, H);
    var pw = W - m.l - m.r, ph = H - m.t - m.b, band = pw / rows.length, bw = Math.min(72, band * 0.62);
    for (var v = 0; v <= 100; v += 25) {
      var y = m.t + ph - v / 100 * ph;
      el('line', { 'class': 'grid', x1: m.l, x2: m.l + pw, y1: y, y2: y }, svg);
      text(svg, m.l - 6, y + 4, v + '%', { 'text-anchor': 'end' });
    }
    rows.forEach(function (row, i) {
      var x = m.l + band * i + (band - bw) / 2, y = m.t + ph;
      var sum = parts.reduce(function (s, p) { return s + Math.max(0, row.values[p.key] || 0); }, 0);
      var denom = Math.max(sum, row.total || 0);
      parts.forEach(function (p) {
        var val = Math.max(0, row.values[p.key] || 0);
        if (!(denom > 0) || val <= 0) return;
        var h = val / denom * ph;
        y -= h;
        var rect = el('rect', { 'class': 'seg', 'data-procs': row.procs, 'data-part': p.key, x: r2(x), y: r2(y),
                                width: r2(bw), height: r2(Math.max(h, 0.5)), fill: p.color, stroke: '#fff',
                                'stroke-width': 0.75 }, svg);
        tip(rect, 'procs ' + row.procs + ' \u00b7 ' + p.label + ': ' + pct(val / denom) + ' (' + secs(val) +
            ' of ' + secs(denom) + ' ' + unit + ')');
        if (h >= 15 && bw >= 30) {
          text(svg, x + bw / 2, y + h / 2 + 4, pct(val / denom), { 'text-anchor': 'middle',
               fill: DARK[p.color] ? '#fff' : '#000', 'pointer-events': 'none', style: 'font-size:12px' });
        }
      });
      text(svg, x + bw / 2, m.t + ph + 16, 'procs ' + row.procs, { 'text-anchor': 'middle' });
      text(svg, x + bw / 2, m.t + ph + 31, secs(denom), { 'text-anchor': 'middle', fill: '#57606a', style: 'font-size:12px' });
    });
    el('line', { 'class': 'axis', x1: m.l, x2: m.l + pw, y1: m.t + ph, y2: m.t + ph }, svg);
    legend(holder, parts.filter(function (p) {
      return rows.some(function (r) { return (r.values[p.key] || 0) > 0; });
    }).map(function (p) { return { label: p.label, color: p.color }; }));
  }

  // Worker-seconds (procs x wall): busy time split into its on-CPU parts and the part that had
  // no CPU (in proportion, as the doctor's account does), then parked and unknown.
  function breakdownChart(d, holder) {
    var parts = [
      { key: 'running', label: 'running tasks', color: C.blue },
      { key: 'scheduler', label: 'scheduler', color: C.orange },
      { key: 'spinning', label: 'searching for work', color: C.yellow },
      { key: 'no-cpu', label: 'busy, no CPU (descheduled)', color: C.vermillion },
      { key: 'parked', label: 'parked (idle)', color: C.sky },
      { key: 'unknown', label: 'unknown', color: C.grey }];
    var rows = (d.account || []).map(function (a) {
      var w = a.worker_s || {}, cpu = a.cpu || {};
      var busy = (w.running || 0) + (w.scheduler || 0) + (w.spinning || 0);
      var off = Math.min(Math.max(cpu.offcpu_s || 0, 0), busy), on = busy > 0 ? (busy - off) / busy : 1;
      return { procs: a.procs, total: w.total || 0, values: {
        running: (w.running || 0) * on, scheduler: (w.scheduler || 0) * on, spinning: (w.spinning || 0) * on,
        'no-cpu': off, parked: w.parked || 0, unknown: w.unknown || 0 } };
    });
    stackedChart(holder, 'breakdown-chart', 'Where the worker-seconds went, per procs value', rows, parts, 'worker-seconds');
  }

  // Task-seconds: running, runnable (waiting for a worker), blocked by cause. Tasks overlap, so
  // these are shares of all task-seconds, not of the wall time.
  function taskChart(d, holder) {
    var causes = [];
    (d.account || []).forEach(function (a) {
      Object.keys((a.tasks || {}).blocked_s || {}).forEach(function (c) { if (causes.indexOf(c) < 0) causes.push(c); });
    });
    causes.sort();
    var palette = [C.green, C.purple, C.vermillion, C.sky, C.yellow, C.black, '#888888', '#DDDDDD'];
    var parts = [{ key: 'running', label: 'running', color: C.blue },
                 { key: 'runnable', label: 'runnable, waiting for a worker', color: C.orange }];
    causes.forEach(function (c, i) {
      parts.push({ key: 'blocked:' + c, label: 'blocked: ' + c, color: palette[i % palette.length] });
    });
    var rows = (d.account || []).map(function (a) {
      var t = a.tasks || {}, values = { running: t.running_s || 0, runnable: t.runnable_s || 0 };
      Object.keys(t.blocked_s || {}).forEach(function (c) { values['blocked:' + c] = t.blocked_s[c] || 0; });
      return { procs: a.procs, total: 0, values: values };
    });
    stackedChart(holder, 'task-chart', 'Where the task-seconds went, per procs value', rows, parts, 'task-seconds');
  }

  // A printed page shows every table, folded or not.
  window.addEventListener('beforeprint', function () {
    Array.prototype.forEach.call(document.querySelectorAll('details'), function (e) { e.open = true; });
  });
  var body = document.body;
  try {
    var data = JSON.parse(document.getElementById('weft-data').textContent);
    speedupChart(data, document.getElementById('speedup'));
    breakdownChart(data, document.getElementById('breakdown'));
    taskChart(data, document.getElementById('tasks'));
    body.setAttribute('data-charts', 'drawn');
  } catch (e) {
    body.setAttribute('data-charts', 'error');
    var p = document.createElement('p');
    p.className = 'note error';
    p.textContent = 'The charts could not be drawn: ' + e;
    document.getElementById('charts-status').appendChild(p);
  }
})();
)js";

class page {
 public:
  std::string html;

  template <typename... Args>
  void add(fmt::format_string<Args...> f, Args&&... args) {
    fmt::format_to(std::back_inserter(html), f, std::forward<Args>(args)...);
  }
  void raw(std::string_view s) { html += s; }
};

std::string text_cell(const std::string& s) {
  return "<td class=\"text\">" + escape(s) + "</td>";
}
std::string cell(const std::string& s) {
  return "<td>" + escape(s) + "</td>";
}

void verdict_section(const doctor_report& r, page& p) {
  const auto& d = r.dx;
  p.add("<section id=\"verdict\" class=\"verdict {}\">\n", verdict_class(d.verdict));
  p.add("<h2>Verdict: <span class=\"verdict-name\">{}</span>", escape(d.verdict));
  if (!d.subtype.empty()) p.add(" / <span class=\"subtype\">{}</span>", escape(d.subtype));
  if (!d.rule.empty() && d.rule != d.verdict && d.rule != d.subtype) {
    p.add(" <span class=\"muted\">({})</span>", escape(d.rule));
  }
  if (d.low_confidence) {
    p.raw(
        "<span class=\"badge\" title=\"No rule's thresholds were met: the largest part of "
        "the lost capacity decided\">low confidence</span>");
  }
  if (d.disturbed) {
    p.raw(
        "<span class=\"badge\" title=\"Other processes used a large share of the cores during "
        "these runs\">disturbed</span>");
  }
  p.raw("</h2>\n");
  if (d.procs) {
    p.add("<p class=\"where\">at procs {} against procs {}</p>\n", d.procs, d.baseline_procs);
  }
  if (d.disturbed) {
    p.raw(
        "<p class=\"note\">Other processes used a large share of the cores during these runs: "
        "rerun on a quieter machine to confirm.</p>\n");
  }
  if (!d.findings.empty()) {
    p.raw("<ul class=\"findings\">\n");
    for (const auto& f : d.findings) p.add("<li>{}</li>\n", escape(f));
    p.raw("</ul>\n");
  }
  p.add("<div class=\"recommendation\"><h3>Recommendation</h3>\n<p>{}</p>\n",
        escape(d.recommendation));
  if (!d.changes.empty()) {
    p.raw("<ul class=\"changes\">\n");
    for (const auto& c : d.changes) p.add("<li>{}</li>\n", escape(c));
    p.raw("</ul>\n");
  }
  if (d.recommended_procs > 0) {
    p.add("<p class=\"muted\">Recommended procs: <strong>{}</strong></p>\n", d.recommended_procs);
  }
  p.raw("</div>\n");
  if (!d.evidence.empty()) {
    p.raw(
        "<details open><summary>Evidence</summary>\n<table class=\"evidence\">\n"
        "<tr><th class=\"text\">number</th><th>value</th><th class=\"text\">rule's threshold"
        "</th><th class=\"text\">meaning</th></tr>\n");
    for (const auto& e : d.evidence) {
      p.add("<tr><td class=\"text\"><code>{}</code></td>{}{}{}</tr>\n", escape(e.name),
            cell(value_text(e)), text_cell(threshold_text(e)), text_cell(e.meaning));
    }
    p.raw("</table></details>\n");
  }
  p.raw("</section>\n");
}

void charts_section(const doctor_report& r, page& p) {
  int base = r.points.empty() ? 1 : r.points.front().procs;
  p.raw("<div id=\"charts-status\"></div>\n<div class=\"grid\">\n");
  p.add(
      "<section><h2>Speedup against ideal</h2>\n<figure><div id=\"speedup\"></div>\n"
      "<figcaption class=\"caption\">Speedup: the median throughput at each procs value over "
      "the median at procs {0} ({1}). Ideal is procs / {0}; the USL and Amdahl curves are the "
      "least-squares fits over every run. Bars show the spread of the runs.</figcaption>"
      "</figure></section>\n",
      base, r.sweep.progress_points ? "progress points per second" : "runs per second");
  p.raw(
      "<section><h2>Where the worker-seconds went</h2>\n<figure><div id=\"breakdown\"></div>\n"
      "<figcaption class=\"caption\">Each bar is procs &times; the runtime's wall time (the "
      "figure under it), the mean of the runs at that procs value. Busy time the process had "
      "no CPU for is taken out of running, scheduler and search in proportion.</figcaption>"
      "</figure></section>\n");
  p.raw(
      "<section><h2>Where the task-seconds went</h2>\n<figure><div id=\"tasks\"></div>\n"
      "<figcaption class=\"caption\">Tasks overlap, so task-seconds add up to more than the "
      "wall time: these are shares of all task-seconds (the figure under each bar), showing "
      "where tasks waited, not how long the program took.</figcaption></figure></section>\n");
  p.raw("</div>\n");
}

void sweep_table(const doctor_report& r, page& p) {
  p.add(
      "<section id=\"sweep\"><h2>Sweep</h2>\n<p class=\"caption\">Throughput: {}. {} runs, {} "
      "per procs value.</p>\n",
      r.sweep.progress_points ? "progress points per second of the runtime's wall time"
                              : "runs per second, 1 / the runtime's wall time (the program has "
                                "no progress points)",
      r.sweep.runs.size(), r.repeat);
  p.raw(
      "<table><tr><th>procs</th><th>runs</th><th>wall</th><th>throughput</th><th>min</th>"
      "<th>max</th><th>speedup</th><th>efficiency</th><th>Karp&ndash;Flatt</th><th>CPU</th>"
      "<th>runnable threads</th><th>other procs (cores)</th></tr>\n");
  for (const auto& pt : r.points) {
    const capacity_loss* l = nullptr;
    const run_account* a = nullptr;
    for (const auto& x : r.losses) l = x.procs == pt.procs ? &x : l;
    for (const auto& x : r.accounts) a = x.procs == pt.procs ? &x : a;
    p.add("<tr><td>{}</td><td>{}</td>{}{}{}{}{}{}{}{}{}{}</tr>\n", pt.procs, pt.runs,
          cell(secs(pt.wall_s)), cell(fixed(pt.throughput, 3)), cell(fixed(pt.throughput_min, 3)),
          cell(fixed(pt.throughput_max, 3)), cell(l ? fixed(l->speedup, 2) : "-"),
          cell(l ? pct(l->efficiency) : "-"), cell(l ? fixed(l->karp_flatt, 2) : "-"),
          cell(a ? secs(a->cpu.cpu_s) : "-"), cell(a ? fixed(a->cpu.demand, 1) : "-"),
          cell(a ? fixed(a->cpu.external, 1) : "-"));
  }
  if (r.points.empty()) p.raw("<tr><td colspan=\"12\" class=\"text\">no timed runs</td></tr>\n");
  p.raw("</table></section>\n");
}

void models_section(const doctor_report& r, page& p) {
  const auto& u = r.usl;
  p.add(
      "<section id=\"models\"><h2>Scalability models</h2>\n<p class=\"caption\">Least squares "
      "on throughput over {} runs at {} procs values. USL: X(P) = &lambda;P / (1 + "
      "&sigma;(P&minus;1) "
      "+ &kappa;P(P&minus;1)); Amdahl is the same with &kappa; = 0.</p>\n",
      u.points, u.distinct_procs);
  if (!u.valid) {
    p.raw("<p>Not fitted: the models need runs at two or more procs values.</p></section>\n");
    return;
  }
  auto quality = [&](double r2) {
    if (u.points <= u.parameters) return std::string("exact fit: as many parameters as runs");
    return std::isfinite(r2) ? fmt::format("R\u00b2 {:.3f}", r2)
                             : std::string("R\u00b2 undefined: throughput did not vary");
  };
  p.raw(
      "<table><tr><th class=\"text\">model</th><th class=\"text\">parameters</th>"
      "<th class=\"text\">fit</th></tr>\n");
  std::string usl =
      fmt::format("\u03c3 {:.4f} (contention), \u03ba {} (coherency), \u03bb {}, {}", u.sigma,
                  u.kappa_fitted ? fmt::format("{:.5f}", u.kappa)
                                 : std::string("0, held: needs 3 procs values"),
                  fixed(u.lambda, 3),
                  u.peak_procs ? fmt::format("peak at procs {:.1f}", *u.peak_procs)
                               : std::string("no peak (throughput keeps rising)"));
  p.add("<tr class=\"usl\"><td class=\"text\">USL</td>{}{}</tr>\n", text_cell(usl),
        text_cell(quality(u.r2)));
  if (r.amdahl.valid) {
    p.add("<tr class=\"amdahl\"><td class=\"text\">Amdahl</td>{}{}</tr>\n",
          text_cell(fmt::format("serial fraction {:.4f}, one worker {}", r.amdahl.serial_fraction,
                                fixed(r.amdahl.base, 3))),
          text_cell(quality(r.amdahl.r2)));
  }
  p.raw("</table></section>\n");
}

void loss_table(const doctor_report& r, page& p) {
  if (r.losses.size() < 2) return;
  p.add(
      "<details open><summary>Capacity lost against procs {0}, split by what grew</summary>\n"
      "<p class=\"caption\">P &times; T(P) &minus; {0} &times; T({0}) worker-seconds. Machine: "
      "growth of task run time on CPU that the machine's own slowdown explains (a probe beside "
      "each run); run time: the rest of that growth; no CPU: growth of busy time the process had "
      "no CPU for; own loss: what the program lost of min(procs, cores) &times; T, less "
      "descheduling by other processes and the machine's slowdown.</p>\n"
      "<table><tr><th>procs</th><th>lost</th><th>machine</th><th>run time</th><th>no "
      "CPU</th><th>scheduler</th>"
      "<th>search</th><th>idle: blocked</th><th>idle: nothing to run</th><th>unknown</th>"
      "<th>own loss</th><th>share</th></tr>\n",
      r.losses.front().procs);
  for (std::size_t i = 1; i < r.losses.size(); ++i) {
    const auto& l = r.losses[i];
    p.add("<tr><td>{}</td>{}{}{}{}{}{}{}{}{}{}{}</tr>\n", l.procs, cell(secs(l.lost_s)),
          cell(signed_secs(l.machine_s)), cell(signed_secs(l.run_inflation_s)),
          cell(signed_secs(l.descheduled_s)), cell(signed_secs(l.scheduler_s)),
          cell(signed_secs(l.spinning_s)), cell(signed_secs(l.idle_blocked_s)),
          cell(signed_secs(l.idle_empty_s)), cell(signed_secs(l.unknown_s)),
          cell(secs(l.own_lost_s)), cell(pct(l.own_share)));
  }
  p.raw("</table></details>\n");
}

void rules_section(const doctor_report& r, page& p) {
  const auto& d = r.dx;
  if (d.rules.empty()) return;
  p.add(
      "<section id=\"rules\"><h2>Rules</h2>\n<p class=\"caption\">At procs {} against procs {}, "
      "in order; the first that fires decides.</p>\n<table><tr><th class=\"text\">rule</th>"
      "<th class=\"text\">verdict</th><th class=\"text\">fired</th><th class=\"text\">numbers "
      "compared</th></tr>\n",
      d.procs, d.baseline_procs);
  for (const auto& rule : d.rules) {
    std::string numbers;
    for (const auto& e : rule.numbers) {
      if (!e.threshold) continue;
      numbers += (numbers.empty() ? "" : "<br>") +
                 escape(fmt::format("{} {}{}", e.name, value_text(e), threshold_text(e)));
    }
    p.add("<tr{}><td class=\"text\"><code>{}</code></td>{}{}<td class=\"text\">{}</td></tr>\n",
          rule.fired ? " class=\"fired\"" : "", escape(rule.name),
          text_cell(rule.verdict + (rule.subtype.empty() ? "" : " / " + rule.subtype)),
          text_cell(rule.fired ? "FIRED" : "no"), numbers);
  }
  p.raw("</table></section>\n");
}

void details_section(const doctor_report& r, page& p) {
  p.raw("<section id=\"details\"><h2>Runs and settings</h2>\n");
  p.add("<details><summary>Every run ({})</summary>\n", r.sweep.runs.size());
  p.raw(
      "<table><tr><th>procs</th><th>run</th><th class=\"text\">status</th><th>wall</th>"
      "<th>throughput</th><th>CPU</th><th class=\"text\">metrics</th></tr>\n");
  for (const auto& run : r.sweep.runs) {
    p.add("<tr><td>{}</td><td>{}</td>{}{}{}{}{}</tr>\n", run.procs, run.repeat,
          text_cell(run.process.status()), cell(secs(run.wall_s())),
          cell(run.timed() ? fixed(run.throughput(), 3) : "-"), cell(secs(run.process.cpu_s())),
          text_cell(run.metrics ? "yes" : "no: " + run.metrics_error));
  }
  p.raw("</table></details>\n");
  p.add(
      "<details><summary>Self cost and thresholds</summary>\n<p>Self cost (weft on this "
      "machine, one worker): {}.</p>\n<table><tr><th class=\"text\">threshold</th><th>value</th>"
      "<th class=\"text\">meaning</th></tr>\n",
      escape(describe(r.cost)));
  for (const auto& t : threshold_table()) {
    p.add("<tr><td class=\"text\"><code>{}</code></td><td>{:g}</td>{}</tr>\n", escape(t.name),
          r.limits.*t.field, text_cell(t.meaning));
  }
  p.raw("</table></details>\n</section>\n");
}

void warnings_section(const doctor_report& r, page& p) {
  if (r.warnings.empty()) return;
  p.raw("<section id=\"warnings\"><h2>Warnings</h2>\n<ul class=\"warnings\">\n");
  for (const auto& w : r.warnings) p.add("<li>{}</li>\n", escape(w));
  p.raw("</ul></section>\n");
}
}  // namespace

void write_html(const doctor_report& r, std::ostream& out) {
  page p;
  auto cmd = command_line(r.command);
  p.raw(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">\n"
      "<meta name=\"generator\" content=\"weft doctor\">\n");
  p.add("<title>weft doctor: {}{} \u2014 {}</title>\n", escape(r.dx.verdict),
        r.dx.subtype.empty() ? "" : " / " + escape(r.dx.subtype), escape(cmd));
  p.raw("<style>");
  p.raw(k_style);
  p.raw("</style>\n</head>\n<body data-charts=\"pending\">\n<main>\n");
  p.add(
      "<header><h1>weft doctor</h1>\n<pre class=\"cmd\"><code>{}</code></pre>\n"
      "<p class=\"meta\">{} {} &middot; {} runs ({} per procs value) &middot; procs {}</p>"
      "</header>\n",
      escape(cmd), r.cores, r.cores == 1 ? "core" : "cores", r.sweep.runs.size(), r.repeat, [&] {
        std::set<int> procs;
        for (const auto& run : r.sweep.runs) procs.insert(run.procs);
        std::string s;
        for (int n : procs) s += (s.empty() ? "" : ", ") + std::to_string(n);
        return s.empty() ? std::string("-") : s;
      }());
  p.raw(
      "<noscript><p class=\"note\">The charts are drawn by this page's own script, which your "
      "browser is not running: enable JavaScript for this file to see them. The verdict and "
      "the tables below do not need it.</p></noscript>\n");
  verdict_section(r, p);
  charts_section(r, p);
  sweep_table(r, p);
  models_section(r, p);
  if (!r.accounts.empty()) loss_table(r, p);
  rules_section(r, p);
  warnings_section(r, p);
  details_section(r, p);
  p.raw(
      "<footer>Written by <code>weft doctor --report</code>. The report's data (JSON, schema "
      "<code>weft.doctor/1</code>, as <code>--json</code> writes it) is embedded in this page "
      "in <code>script#weft-data</code>.</footer>\n</main>\n");
  p.raw("<script type=\"application/json\" id=\"weft-data\">");
  p.raw(script_json(r));
  p.raw("</script>\n<script>");
  p.raw(k_script);
  p.raw("</script>\n</body>\n</html>\n");
  out << p.html;
}

}  // namespace weft_doctor
