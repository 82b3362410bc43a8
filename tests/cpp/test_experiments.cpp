// Metrics layer: experiment statistics. Each expected value names its source: scipy 1.10 printed
// on the same inputs, mpmath at 30 digits where scipy itself is less precise, a hand calculation,
// or the independent Python implementation of the assignment hash in tests/python/test_experiments.py.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "../../src/metrics/stats_special.hpp"
#include "cdp/experiments.hpp"

using namespace cdp;

namespace {

bool Near(double got, double want, double rel) { return std::abs(got - want) <= rel * std::abs(want); }

}  // namespace

TEST_CASE("experiments: distribution functions against scipy and mpmath") {
  CHECK(Near(stats::NormalQuantile(0.975), 1.959963984540054, 1e-15));  // scipy.stats.norm.ppf(0.975)
  CHECK(Near(stats::NormalQuantile(1e-300), -37.0470962993612, 1e-13));  // scipy.stats.norm.ppf(1e-300)
  CHECK(stats::NormalQuantile(0.5) == 0);
  // t_{0.975, df = 65.11213361536137}: mpmath 1.99707270794936346 (scipy's t.isf gives 1.9970727073, 3e-10 off).
  CHECK(Near(stats::StudentTUpperQuantile(0.025, 65.11213361536137), 1.99707270794936346, 1e-14));
  // Cauchy (df = 1): P(T > t) = 1/2 - atan(t)/pi, so the 0.1 upper quantile is cot(0.1 pi) (hand).
  CHECK(Near(stats::StudentTUpperQuantile(0.1, 1), 1 / std::tan(0.1 * M_PI), 1e-14));
  CHECK(Near(stats::StudentTSf(3e299, 1), 1 / (M_PI * 3e299), 1e-12));  // t^2 overflows; tail ~ 1/(pi t)
  // chi-square with 2 df: P(X > x) = exp(-x / 2) (hand).
  CHECK(Near(stats::ChiSquareSf(7.5, 2), std::exp(-3.75), 1e-14));
  CHECK(Near(stats::ChiSquareSf(1400, 2), std::exp(-700), 1e-12));
  // log B(1e6, 1e6), mpmath: -1386300.00336292111632 (lgamma sums lose ~1e-9 here).
  CHECK(Near(stats::LogBeta(1e6, 1e6), -1386300.00336292111632, 1e-16));
}

TEST_CASE("experiments: two-proportion z-test matches statsmodels' pooled formula") {
  // 100/1000 vs 130/1000. Reference: p = 230/2000, z = (0.13 - 0.10) / sqrt(p q (2/1000)) with
  // scipy.stats.norm: z 2.102740605622114, p 0.03548845046647471; one-sided 0.017744225233237355;
  // unpooled Wald 95% interval [0.0020679344393763656, 0.057932065560623636].
  auto r = ProportionsZTest({100, 1000}, {130, 1000});
  REQUIRE(r.ok());
  CHECK(Near(r->statistic, 2.102740605622114, 1e-14));
  CHECK(Near(r->p_value, 0.03548845046647471, 1e-13));
  CHECK(Near(r->ci_low, 0.0020679344393763656, 1e-12));
  CHECK(Near(r->ci_high, 0.057932065560623636, 1e-13));
  CHECK(Near(r->relative_lift, 0.3, 1e-14));
  auto larger = ProportionsZTest({100, 1000}, {130, 1000}, {.alternative = Alternative::kLarger});
  REQUIRE(larger.ok());
  CHECK(Near(larger->p_value, 0.017744225233237355, 1e-13));
  CHECK(std::isinf(larger->ci_high));

  SUBCASE("no successes anywhere: z = 0, p = 1, no NaN") {
    auto zero = ProportionsZTest({0, 500}, {0, 400});
    REQUIRE(zero.ok());
    CHECK(zero->statistic == 0);
    CHECK(zero->p_value == 1);
    CHECK(std::isnan(zero->relative_lift));  // documented: control rate 0
  }
  SUBCASE("refused input names the problem") {
    auto more = ProportionsZTest({11, 10}, {1, 10});
    REQUIRE(!more.ok());
    CHECK(std::string(more.status().message()).find("more successes (11) than trials (10)") != std::string::npos);
    CHECK(!ProportionsZTest({-1, 10}, {1, 10}).ok());
    CHECK(!ProportionsZTest({0, 0}, {1, 10}).ok());
    CHECK(!ProportionsZTest({1, 10}, {1, 10}, {.alpha = 1.5}).ok());
  }
}

TEST_CASE("experiments: Welch t-test matches scipy.stats.ttest_ind_from_stats") {
  // scipy.stats.ttest_ind_from_stats(11, 3, 40, 10, 2, 50, equal_var=False): t 1.8107149208503706,
  // p 0.0747987386002684; Welch-Satterthwaite df 65.11213361536137 by hand.
  auto r = WelchTTest(SampleStats{10, 2, 50}, SampleStats{11, 3, 40});
  REQUIRE(r.ok());
  CHECK(Near(r->statistic, 1.8107149208503706, 1e-14));
  CHECK(Near(r->p_value, 0.0747987386002684, 1e-12));
  CHECK(Near(r->df, 65.11213361536137, 1e-14));
  CHECK(Near(r->ci_high - r->diff, 1.99707270794936346 * r->std_error, 1e-13));

  SUBCASE("from samples: mean and sample std") {
    const std::vector<double> c = {1, 2, 3, 4}, t = {2, 4, 6, 8, 10};
    auto s = DescribeSample(t);
    REQUIRE(s.ok());
    CHECK(s->mean == 6);
    CHECK(Near(s->std, std::sqrt(10.0), 1e-15));  // sum of squares 40 / 4 (hand)
    CHECK(WelchTTest(c, t).ok());
  }
  SUBCASE("zero variance in both groups has defined values") {
    auto same = WelchTTest(SampleStats{5, 0, 10}, SampleStats{5, 0, 10});
    REQUIRE(same.ok());
    CHECK(same->statistic == 0);
    CHECK(same->p_value == 1);
    auto differ = WelchTTest(SampleStats{5, 0, 10}, SampleStats{6, 0, 10});
    REQUIRE(differ.ok());
    CHECK(std::isinf(differ->statistic));
    CHECK(differ->p_value == 0);  // scipy: statistic inf, p 0
  }
  SUBCASE("fewer than 2 samples is refused") {
    const std::vector<double> one = {3}, two = {1, 2};
    auto r1 = WelchTTest(one, two);
    REQUIRE(!r1.ok());
    CHECK(std::string(r1.status().message()).find("fewer than 2 samples") != std::string::npos);
    CHECK(!WelchTTest(SampleStats{1, -1, 5}, SampleStats{1, 1, 5}).ok());
  }
}

TEST_CASE("experiments: beta-binomial P(beat control) and expected loss") {
  // Posteriors Beta(101, 901) vs Beta(131, 871) (uniform prior). Evan Miller's closed form (mpmath,
  // 30 digits): P = 0.982165066116350521849; scipy.integrate.quad of beta.cdf x beta.sf:
  // E[max(c - t, 0)] 9.23744915047074e-05, E[max(t - c, 0)] 0.030032494251983732;
  // scipy.stats.beta.ppf(0.025 / 0.975, 101, 901): 0.08293639849581784, 0.12016912987586062.
  auto r = BetaBinomialCompare({100, 1000}, {130, 1000});
  REQUIRE(r.ok());
  CHECK(Near(r->prob_treatment_better, 0.982165066116350521849, 1e-12));
  CHECK(Near(r->expected_loss_treatment, 9.23744915047074e-05, 1e-9));
  CHECK(Near(r->expected_loss_control, 0.030032494251983732, 1e-10));
  CHECK(Near(r->ci_control_low, 0.08293639849581784, 1e-12));
  CHECK(Near(r->ci_control_high, 0.12016912987586062, 1e-12));
  // E[max(c - t, 0)] - E[max(t - c, 0)] = E[c] - E[t] (hand).
  CHECK(Near(r->expected_loss_treatment - r->expected_loss_control, 101.0 / 1002 - 131.0 / 1002, 1e-10));

  SUBCASE("a million trials: no overflow, symmetric case gives 1/2") {
    auto big = BetaBinomialCompare({100000, 1000000}, {100000, 1000000});
    REQUIRE(big.ok());
    CHECK(Near(big->prob_treatment_better, 0.5, 1e-10));
    CHECK(Near(big->expected_loss_treatment, big->expected_loss_control, 1e-9));
  }
  SUBCASE("bad prior is refused") { CHECK(!BetaBinomialCompare({1, 10}, {1, 10}, {.prior = {0, 1}}).ok()); }
}

TEST_CASE("experiments: sample-ratio mismatch matches scipy.stats.chisquare") {
  // scipy.stats.chisquare([5000, 5200]): statistic 3.9215686274509802, p 0.0476703806561615.
  const std::vector<int64_t> counts = {5000, 5200};
  auto r = SampleRatioMismatch(counts);
  REQUIRE(r.ok());
  CHECK(Near(r->statistic, 3.9215686274509802, 1e-14));
  CHECK(Near(r->p_value, 0.0476703806561615, 1e-13));
  CHECK(!r->mismatch);  // threshold 0.001
  const std::vector<double> bad_weights = {1, 0};
  CHECK(!SampleRatioMismatch(counts, bad_weights).ok());
  const std::vector<int64_t> one = {10};
  CHECK(!SampleRatioMismatch(one).ok());
}

TEST_CASE("experiments: sample sizes match the textbook formulas") {
  // 10% -> 12%, alpha 0.05 two-sided, power 0.8: (z_.975 sqrt(2 pbar qbar) + z_.8 sqrt(p1 q1 + p2 q2))^2
  // / 0.02^2 with scipy.stats.norm.ppf = 3840.847482436276 -> 3841 per group (Fleiss).
  auto p = SampleSizeProportions(0.10, 0.02);
  REQUIRE(p.ok());
  CHECK(Near(p->n_control_exact, 3840.847482436276, 1e-12));
  CHECK(p->n_control == 3841);
  CHECK(p->total == 7682);
  auto rel = SampleSizeProportions(0.10, 0.2, {.relative = true});
  REQUIRE(rel.ok());
  CHECK(rel->n_control == 3841);
  // Means: (z_.975 + z_.8)^2 x 2 x 10^2 / 2^2 = 392.44398671745444 (scipy.stats.norm.ppf).
  auto m = SampleSizeMeans(2, 10);
  REQUIRE(m.ok());
  CHECK(Near(m->n_control_exact, 392.44398671745444, 1e-12));
  CHECK(m->n_control == 393);
  CHECK(!SampleSizeProportions(0.95, 0.1).ok());  // p_t = 1.05
  CHECK(!SampleSizeMeans(0, 10).ok());
}

TEST_CASE("experiments: Holm and Benjamini-Hochberg adjustments") {
  // p = (0.01, 0.04, 0.03, 0.005), m = 4, by hand. Sorted 0.005, 0.01, 0.03, 0.04.
  // Holm: 4 x .005 = .02, 3 x .01 = .03, 2 x .03 = .06, 1 x .04 = .06 (running max).
  // BH: .04 x 4/4 = .04; .03 x 4/3 = .04; .01 x 4/2 = .02; .005 x 4 = .02 (running min from the top).
  const std::vector<double> p = {0.01, 0.04, 0.03, 0.005};
  auto holm = AdjustPValues(p, PValueAdjustment::kHolm);
  REQUIRE(holm.ok());
  const std::vector<double> want_holm = {0.03, 0.06, 0.06, 0.02};
  for (size_t i = 0; i < 4; ++i) CHECK(Near((*holm)[i], want_holm[i], 1e-15));
  auto bh = AdjustPValues(p, PValueAdjustment::kBenjaminiHochberg);
  REQUIRE(bh.ok());
  const std::vector<double> want_bh = {0.02, 0.04, 0.04, 0.02};
  for (size_t i = 0; i < 4; ++i) CHECK(Near((*bh)[i], want_bh[i], 1e-15));
  const std::vector<double> nan = {0.1, std::nan("")};
  CHECK(!AdjustPValues(nan, PValueAdjustment::kHolm).ok());
  CHECK(ParsePValueAdjustment("fdr_bh").value() == PValueAdjustment::kBenjaminiHochberg);
}

TEST_CASE("experiments: assignment is the documented FNV-1a + fmix64 hash") {
  // Values from the independent Python implementation (tests/python/test_experiments.py, _ref_hash).
  CHECK(AssignmentHash("s1", "checkout", "user-1") == 0x1ac396dcffee6b3bULL);
  CHECK(AssignmentHash("s1", "checkout", "alice") == 0x69b92a81206503b6ULL);
  CHECK(AssignmentBucket("s1", "checkout", "user-2") == 0.6924244468388002);
  const std::vector<double> halves = {1, 1}, three = {0.5, 0.3, 0.2};
  CHECK(AssignVariant("s1", "checkout", "user-1", halves).value() == 0);
  CHECK(AssignVariant("s1", "checkout", "user-2", halves).value() == 1);
  // Integer keys hash as their decimal text.
  const std::vector<int64_t> ints = {42, -7};
  const std::vector<std::string_view> texts = {"42", "-7"};
  CHECK(AssignVariants("s1", "checkout", ints, three).value() == AssignVariants("s1", "checkout", texts, three).value());
  const std::vector<double> zero = {0, 0}, negative = {1, -1};
  CHECK(!AssignVariant("s", "e", "u", zero).ok());
  CHECK(!AssignVariant("s", "e", "u", negative).ok());
}
