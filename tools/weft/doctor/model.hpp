// Scalability models fitted to throughput against procs.
//
// Universal Scalability Law (Gunther): X(P) = lambda P / (1 + sigma (P - 1) + kappa P (P - 1)).
// sigma is contention (the share of work that serialises: queueing on a lock, a single
// producer); kappa is coherency (a cost paid per pair of workers: shared cache lines, data
// exchanged all-to-all). With kappa > 0 throughput peaks at P* = sqrt((1 - sigma) / kappa) and
// then falls: that is how "more workers made it slower" looks in numbers.
// Amdahl is the same law with kappa = 0 and sigma in [0, 1], sigma then being the serial
// fraction: throughput only flattens, never falls.
//
// The fit is least squares on throughput itself (not on a linearised form, which would weigh
// the noisiest points most), over every run rather than per-procs medians, so repeats count as
// evidence. lambda is solved in closed form for each (sigma, kappa), which leaves a 2-D search:
// a log-spaced grid to find the basin, then Nelder-Mead to polish it. With fewer than three
// distinct procs values, sigma and kappa cannot be told apart, so kappa is held at 0 and the
// fit says so.
#pragma once

#include <optional>
#include <span>
#include <vector>

namespace weft_doctor {

struct observation {
  double procs = 0;
  double throughput = 0;
};

struct usl_fit {
  bool valid = false;         // at least two distinct procs values with throughput > 0
  bool kappa_fitted = false;  // false: fewer than 3 distinct procs values, kappa held at 0
  double lambda = 0;          // throughput of one worker without contention
  double sigma = 0;
  double kappa = 0;
  std::optional<double> peak_procs;  // empty: the model's throughput grows without bound
  double r2 = 0;                     // NaN when the observations do not vary
  int points = 0;
  int distinct_procs = 0;
  int parameters = 0;  // fitted parameters (lambda, sigma[, kappa])

  double predict(double procs) const;
};

struct amdahl_fit {
  bool valid = false;
  double serial_fraction = 0;  // in [0, 1]
  double base = 0;             // throughput at one worker
  double r2 = 0;
  double predict(double procs) const;
};

usl_fit fit_usl(std::span<const observation> obs);
amdahl_fit fit_amdahl(std::span<const observation> obs);

// Karp-Flatt's experimentally determined serial fraction: e = (1/S - 1/p) / (1 - 1/p), for a
// speedup S at p times the baseline's workers. NaN when p <= 1. Above 1 when throughput fell.
double karp_flatt(double speedup, double p);

// 1 - SSres / SStot; NaN when the observed values do not vary.
double r_squared(std::span<const double> observed, std::span<const double> predicted);

}  // namespace weft_doctor
