// The scalability fits on synthetic throughput curves whose parameters are known.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "doctor/model.hpp"

namespace {

using weft_doctor::observation;

std::vector<observation> usl_curve(double lambda, double sigma, double kappa,
                                   std::vector<double> procs, double noise = 0) {
  std::vector<observation> obs;
  int i = 0;
  for (double p : procs) {
    double x = lambda * p / (1 + sigma * (p - 1) + kappa * p * (p - 1));
    // Deterministic +-noise pattern, so the test never depends on a random seed.
    double wiggle = noise * ((i++ % 3) - 1.0);
    obs.push_back({p, x * (1 + wiggle)});
  }
  return obs;
}

TEST(UslFit, RecoversKnownSigmaAndKappa) {
  auto obs = usl_curve(100, 0.05, 0.002, {1, 2, 4, 8, 16, 32, 64});
  auto u = weft_doctor::fit_usl(obs);
  ASSERT_TRUE(u.valid);
  EXPECT_TRUE(u.kappa_fitted);
  EXPECT_NEAR(u.sigma, 0.05, 1e-4);
  EXPECT_NEAR(u.kappa, 0.002, 1e-6);
  EXPECT_NEAR(u.lambda, 100, 0.05);
  ASSERT_TRUE(u.peak_procs.has_value());
  EXPECT_NEAR(*u.peak_procs, std::sqrt(0.95 / 0.002), 0.05);
  EXPECT_GT(u.r2, 0.9999);
}

TEST(UslFit, RecoversParametersThroughNoiseAndRepeats) {
  auto obs = usl_curve(50, 0.1, 0.01, {1, 1, 1, 2, 2, 2, 4, 4, 4, 8, 8, 8, 16, 16, 16}, 0.02);
  auto u = weft_doctor::fit_usl(obs);
  ASSERT_TRUE(u.valid);
  EXPECT_EQ(u.points, 15);
  EXPECT_EQ(u.distinct_procs, 5);
  EXPECT_NEAR(u.sigma, 0.1, 0.03);
  EXPECT_NEAR(u.kappa, 0.01, 0.003);
  ASSERT_TRUE(u.peak_procs.has_value());
  EXPECT_NEAR(*u.peak_procs, std::sqrt(0.9 / 0.01), 1.5);
  EXPECT_GT(u.r2, 0.95);
}

TEST(UslFit, LinearScalingHasNoContentionAndNoPeak) {
  auto obs = usl_curve(10, 0, 0, {1, 2, 4, 8});
  auto u = weft_doctor::fit_usl(obs);
  EXPECT_NEAR(u.sigma, 0, 1e-6);
  EXPECT_NEAR(u.kappa, 0, 1e-8);
  EXPECT_FALSE(u.peak_procs.has_value());
}

TEST(UslFit, WithTwoProcsValuesKappaIsHeldAtZero) {
  // Throughput 1.5x at two workers: 2 / (1 + sigma) = 1.5, so sigma = 1/3.
  std::vector<observation> obs{{1, 10}, {2, 15}};
  auto u = weft_doctor::fit_usl(obs);
  ASSERT_TRUE(u.valid);
  EXPECT_FALSE(u.kappa_fitted);
  EXPECT_EQ(u.kappa, 0);
  EXPECT_NEAR(u.sigma, 1.0 / 3, 1e-4);
  EXPECT_EQ(u.parameters, 2);
}

TEST(UslFit, FallingThroughputPeaksAtOneWorker) {
  std::vector<observation> obs{{1, 10}, {2, 7}};
  auto u = weft_doctor::fit_usl(obs);
  EXPECT_GT(u.sigma, 1);
  ASSERT_TRUE(u.peak_procs.has_value());
  EXPECT_EQ(*u.peak_procs, 1);
}

TEST(UslFit, NeedsTwoProcsValues) {
  std::vector<observation> obs{{2, 10}, {2, 11}};
  EXPECT_FALSE(weft_doctor::fit_usl(obs).valid);
  EXPECT_FALSE(weft_doctor::fit_usl({}).valid);
}

TEST(AmdahlFit, RecoversTheSerialFraction) {
  // Amdahl: speedup(P) = 1 / (s + (1 - s) / P), here with s = 0.2.
  std::vector<observation> obs;
  for (double p : {1.0, 2.0, 4.0, 8.0, 16.0}) obs.push_back({p, 7.0 / (0.2 + 0.8 / p)});
  auto a = weft_doctor::fit_amdahl(obs);
  ASSERT_TRUE(a.valid);
  EXPECT_NEAR(a.serial_fraction, 0.2, 1e-4);
  EXPECT_NEAR(a.base, 7, 1e-3);
  EXPECT_GT(a.r2, 0.9999);
  // The USL sees the same curve as pure contention.
  auto u = weft_doctor::fit_usl(obs);
  EXPECT_NEAR(u.sigma, 0.2, 1e-3);
  EXPECT_NEAR(u.kappa, 0, 1e-5);
}

TEST(AmdahlFit, SerialFractionStaysInRangeWhenThroughputFalls) {
  std::vector<observation> obs{{1, 10}, {2, 6}, {4, 4}};
  auto a = weft_doctor::fit_amdahl(obs);
  EXPECT_LE(a.serial_fraction, 1);
  EXPECT_GE(a.serial_fraction, 0);
}

TEST(KarpFlatt, SerialFractionFromSpeedup) {
  EXPECT_NEAR(weft_doctor::karp_flatt(1.6, 2), 0.25, 1e-12);
  EXPECT_NEAR(weft_doctor::karp_flatt(4, 4), 0, 1e-12);
  EXPECT_GT(weft_doctor::karp_flatt(0.8, 2), 1);  // slower with more workers
  EXPECT_TRUE(std::isnan(weft_doctor::karp_flatt(1, 1)));
}

TEST(RSquared, UndefinedWhenObservationsDoNotVary) {
  std::vector<double> flat{3, 3, 3}, any{1, 2, 3};
  EXPECT_TRUE(std::isnan(weft_doctor::r_squared(flat, any)));
  std::vector<double> obs{1, 2, 3}, perfect{1, 2, 3};
  EXPECT_DOUBLE_EQ(weft_doctor::r_squared(obs, perfect), 1);
}

}  // namespace
