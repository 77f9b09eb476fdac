#include "doctor/model.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <limits>
#include <set>

namespace weft_doctor {

namespace {
constexpr double k_nan = std::numeric_limits<double>::quiet_NaN();

double usl_shape(double p, double sigma, double kappa) {
  return p / (1 + sigma * (p - 1) + kappa * p * (p - 1));
}

// The best lambda for given sigma and kappa (linear least squares), and the residual sum.
struct profile {
  double lambda;
  double sse;
};
profile profile_at(std::span<const observation> obs, double sigma, double kappa) {
  double xf = 0, ff = 0;
  for (const auto& o : obs) {
    double f = usl_shape(o.procs, sigma, kappa);
    xf += o.throughput * f;
    ff += f * f;
  }
  double lambda = ff > 0 ? xf / ff : 0;
  double sse = 0;
  for (const auto& o : obs) {
    double r = o.throughput - lambda * usl_shape(o.procs, sigma, kappa);
    sse += r * r;
  }
  return {lambda, sse};
}

// Nelder-Mead on f over R^2, from x0 with initial step `step`.
std::array<double, 2> nelder_mead(const std::function<double(std::array<double, 2>)>& f,
                                  std::array<double, 2> x0, std::array<double, 2> step) {
  std::array<std::array<double, 2>, 3> s{x0, x0, x0};
  s[1][0] += step[0];
  s[2][1] += step[1];
  std::array<double, 3> v{f(s[0]), f(s[1]), f(s[2])};
  for (int iter = 0; iter < 2000; ++iter) {
    std::array<std::size_t, 3> idx{0, 1, 2};
    std::sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
    auto best = idx[0], mid = idx[1], worst = idx[2];
    if (std::abs(v[worst] - v[best]) <= 1e-15 * (std::abs(v[best]) + 1e-300)) break;
    std::array<double, 2> c{(s[best][0] + s[mid][0]) / 2, (s[best][1] + s[mid][1]) / 2};
    auto along = [&](double t) {
      return std::array<double, 2>{c[0] + t * (s[worst][0] - c[0]),
                                   c[1] + t * (s[worst][1] - c[1])};
    };
    auto r = along(-1);
    double fr = f(r);
    if (fr < v[best]) {
      auto e = along(-2);
      double fe = f(e);
      if (fe < fr) {
        s[worst] = e;
        v[worst] = fe;
      } else {
        s[worst] = r;
        v[worst] = fr;
      }
    } else if (fr < v[mid]) {
      s[worst] = r;
      v[worst] = fr;
    } else {
      auto k = along(fr < v[worst] ? -0.5 : 0.5);
      double fk = f(k);
      if (fk < std::min(fr, v[worst])) {
        s[worst] = k;
        v[worst] = fk;
      } else {
        for (std::size_t i : {mid, worst}) {
          s[i] = {(s[i][0] + s[best][0]) / 2, (s[i][1] + s[best][1]) / 2};
          v[i] = f(s[i]);
        }
      }
    }
  }
  return s[static_cast<std::size_t>(std::min_element(v.begin(), v.end()) - v.begin())];
}

int distinct_procs(std::span<const observation> obs) {
  std::set<double> p;
  for (const auto& o : obs) {
    if (o.throughput > 0) p.insert(o.procs);
  }
  return static_cast<int>(p.size());
}

std::vector<observation> usable(std::span<const observation> obs) {
  std::vector<observation> v;
  for (const auto& o : obs) {
    if (o.procs >= 1 && o.throughput > 0 && std::isfinite(o.throughput)) v.push_back(o);
  }
  return v;
}

// Fits sigma (and kappa, when `with_kappa`) with sigma limited to [0, sigma_max].
usl_fit fit(std::span<const observation> all, bool with_kappa, double sigma_max) {
  usl_fit u;
  auto obs = usable(all);
  u.points = static_cast<int>(obs.size());
  u.distinct_procs = distinct_procs(obs);
  if (u.distinct_procs < 2) return u;
  u.valid = true;
  u.kappa_fitted = with_kappa;
  u.parameters = with_kappa ? 3 : 2;
  // Work in units of the largest throughput so the tolerances mean the same at any scale.
  double scale = 0;
  for (const auto& o : obs) scale = std::max(scale, o.throughput);
  std::vector<observation> n;
  for (const auto& o : obs) n.push_back({o.procs, o.throughput / scale});
  auto params = [&](std::array<double, 2> x) {
    // Squares keep both non-negative; sigma is then capped.
    return std::array<double, 2>{std::min(x[0] * x[0], sigma_max), with_kappa ? x[1] * x[1] : 0};
  };
  auto sse = [&](std::array<double, 2> x) {
    auto p = params(x);
    return profile_at(n, p[0], p[1]).sse;
  };
  // 1. Grid: sigma and kappa each 0 or log-spaced over [1e-5, max].
  std::array<double, 2> best{0, 0};
  double best_v = sse(best);
  std::vector<double> sig{0}, kap{0};
  for (int i = 0; i <= 40; ++i)
    sig.push_back(1e-5 * std::pow(10.0, i * std::log10(sigma_max / 1e-5) / 40));
  if (with_kappa) {
    for (int i = 0; i <= 40; ++i) kap.push_back(1e-6 * std::pow(10.0, i * 7.0 / 40));
  }
  for (double s : sig) {
    for (double k : kap) {
      std::array<double, 2> x{std::sqrt(s), std::sqrt(k)};
      double v = sse(x);
      if (v < best_v) {
        best_v = v;
        best = x;
      }
    }
  }
  // 2. Polish.
  auto x = nelder_mead(sse, best, {std::max(0.05, best[0] * 0.2), std::max(0.01, best[1] * 0.2)});
  if (sse(x) > best_v) x = best;
  auto p = params(x);
  u.sigma = p[0];
  // Below the grid's smallest step a kappa is the polish wandering in a flat valley, not a
  // measured cost (it would put the peak at millions of workers).
  u.kappa = p[1] < 1e-7 ? 0 : p[1];
  u.lambda = profile_at(n, u.sigma, u.kappa).lambda * scale;
  if (u.sigma >= 1) {
    u.peak_procs = 1.0;
  } else if (u.kappa > 0) {
    u.peak_procs = std::max(1.0, std::sqrt((1 - u.sigma) / u.kappa));
  }
  std::vector<double> observed, predicted;
  for (const auto& o : obs) {
    observed.push_back(o.throughput);
    predicted.push_back(u.predict(o.procs));
  }
  u.r2 = r_squared(observed, predicted);
  return u;
}
}  // namespace

double usl_fit::predict(double procs) const {
  return lambda * usl_shape(procs, sigma, kappa);
}

double amdahl_fit::predict(double procs) const {
  return base * usl_shape(procs, serial_fraction, 0);
}

usl_fit fit_usl(std::span<const observation> obs) {
  bool with_kappa = distinct_procs(usable(obs)) >= 3;
  // Without kappa, a throughput that falls needs sigma above 1 to be described at all.
  return fit(obs, with_kappa, with_kappa ? 1.0 : 100.0);
}

amdahl_fit fit_amdahl(std::span<const observation> obs) {
  auto u = fit(obs, false, 1.0);
  amdahl_fit a;
  a.valid = u.valid;
  a.serial_fraction = u.sigma;
  a.base = u.lambda;
  a.r2 = u.r2;
  return a;
}

double karp_flatt(double speedup, double p) {
  if (p <= 1 || speedup <= 0) return k_nan;
  return (1 / speedup - 1 / p) / (1 - 1 / p);
}

double r_squared(std::span<const double> observed, std::span<const double> predicted) {
  if (observed.empty() || observed.size() != predicted.size()) return k_nan;
  double mean = 0;
  for (double v : observed) mean += v;
  mean /= static_cast<double>(observed.size());
  double tot = 0, res = 0;
  for (std::size_t i = 0; i < observed.size(); ++i) {
    tot += (observed[i] - mean) * (observed[i] - mean);
    res += (observed[i] - predicted[i]) * (observed[i] - predicted[i]);
  }
  if (tot <= 1e-12 * mean * mean) return k_nan;
  return 1 - res / tot;
}

}  // namespace weft_doctor
