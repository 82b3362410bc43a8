// The C ABI of experiment statistics: hash assignment, two-proportion z-test, Welch t-test,
// Bayesian beta-binomial comparison, sample-ratio mismatch, sample sizes and p-value adjustment.
// Results are cdp_result bundles of named numbers (cdp_result_double / cdp_result_int64).
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "capi/capi_internal.hpp"
#include "cdp/cdp.h"
#include "cdp/experiments.hpp"
#include "core/strings.hpp"

using namespace cdp::capi;

namespace {

absl::StatusOr<cdp::Alternative> Alt(const char* alternative) {
  return cdp::ParseAlternative(alternative == nullptr || *alternative == '\0' ? "two-sided" : alternative);
}

cdp_status Numbers(absl::Status st, std::vector<std::pair<std::string, double>> doubles,
                   std::vector<std::pair<std::string, int64_t>> ints, const char* fn, cdp_result** out) {
  if (!st.ok()) return FromStatus(cdp::PrefixStatus(st, cdp::Cat(fn, ": ")));
  auto r = std::make_unique<cdp_result>();
  r->doubles = std::move(doubles);
  r->ints = std::move(ints);
  *out = r.release();
  return CDP_OK;
}

}  // namespace

extern "C" {

cdp_status cdp_exp_assign(const char* salt, const char* experiment, const char* const* units, int64_t n,
                          const double* weights, int32_t k, int32_t* variants) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(experiment != nullptr, "cdp_exp_assign: experiment is NULL");
  CDP_CHECK_ARG(n >= 0 && k >= 1, "cdp_exp_assign: n must be >= 0 and k >= 1");
  CDP_CHECK_ARG(n == 0 || (units != nullptr && variants != nullptr), "cdp_exp_assign: units or variants is NULL");
  std::vector<double> w(static_cast<size_t>(k), 1.0);
  if (weights != nullptr) w.assign(weights, weights + k);
  std::vector<std::string_view> u;
  u.reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    CDP_CHECK_ARG(units[i] != nullptr, cdp::Cat("cdp_exp_assign: units[", i, "] is NULL"));
    u.emplace_back(units[i]);
  }
  auto r = cdp::AssignVariants(salt ? salt : "", experiment, std::span<const std::string_view>(u), w);
  if (!r.ok()) return FromStatus(cdp::PrefixStatus(r.status(), "cdp_exp_assign: "));
  std::copy(r->begin(), r->end(), variants);
  return CDP_OK;
  CDP_API_END();
}

cdp_status cdp_exp_proportions_ztest(int64_t successes_control, int64_t trials_control, int64_t successes_treatment,
                                     int64_t trials_treatment, const char* alternative, double alpha, cdp_result** out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(out != nullptr, "cdp_exp_proportions_ztest: out is NULL");
  *out = nullptr;
  auto alt = Alt(alternative);
  if (!alt.ok()) return Numbers(alt.status(), {}, {}, "cdp_exp_proportions_ztest", out);
  auto r = cdp::ProportionsZTest({successes_control, trials_control}, {successes_treatment, trials_treatment},
                                 {.alternative = *alt, .alpha = alpha});
  if (!r.ok()) return Numbers(r.status(), {}, {}, "cdp_exp_proportions_ztest", out);
  return Numbers(absl::OkStatus(),
                 {{"rate_control", r->rate_control}, {"rate_treatment", r->rate_treatment}, {"diff", r->diff},
                  {"relative_lift", r->relative_lift}, {"statistic", r->statistic}, {"p_value", r->p_value},
                  {"ci_low", r->ci_low}, {"ci_high", r->ci_high}, {"lift_ci_low", r->lift_ci_low},
                  {"lift_ci_high", r->lift_ci_high}},
                 {}, "cdp_exp_proportions_ztest", out);
  CDP_API_END();
}

cdp_status cdp_exp_welch_ttest(const double* control, int64_t n_control, const double* treatment, int64_t n_treatment,
                               const char* alternative, double alpha, cdp_result** out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(out != nullptr, "cdp_exp_welch_ttest: out is NULL");
  CDP_CHECK_ARG(n_control >= 0 && n_treatment >= 0, "cdp_exp_welch_ttest: a count is negative");
  CDP_CHECK_ARG((control != nullptr || n_control == 0) && (treatment != nullptr || n_treatment == 0),
                "cdp_exp_welch_ttest: a sample is NULL");
  *out = nullptr;
  auto alt = Alt(alternative);
  if (!alt.ok()) return Numbers(alt.status(), {}, {}, "cdp_exp_welch_ttest", out);
  auto r = cdp::WelchTTest(std::span<const double>(control, static_cast<size_t>(n_control)),
                           std::span<const double>(treatment, static_cast<size_t>(n_treatment)),
                           {.alternative = *alt, .alpha = alpha});
  if (!r.ok()) return Numbers(r.status(), {}, {}, "cdp_exp_welch_ttest", out);
  return Numbers(absl::OkStatus(),
                 {{"mean_control", r->control.mean}, {"mean_treatment", r->treatment.mean}, {"diff", r->diff},
                  {"relative_lift", r->relative_lift}, {"statistic", r->statistic}, {"df", r->df},
                  {"p_value", r->p_value}, {"ci_low", r->ci_low}, {"ci_high", r->ci_high}},
                 {}, "cdp_exp_welch_ttest", out);
  CDP_API_END();
}

cdp_status cdp_exp_beta_binomial(int64_t successes_control, int64_t trials_control, int64_t successes_treatment,
                                 int64_t trials_treatment, double prior_alpha, double prior_beta, cdp_result** out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(out != nullptr, "cdp_exp_beta_binomial: out is NULL");
  *out = nullptr;
  cdp::BetaBinomialOptions o;
  o.prior = {prior_alpha, prior_beta};
  auto r = cdp::BetaBinomialCompare({successes_control, trials_control}, {successes_treatment, trials_treatment}, o);
  if (!r.ok()) return Numbers(r.status(), {}, {}, "cdp_exp_beta_binomial", out);
  return Numbers(absl::OkStatus(),
                 {{"prob_treatment_better", r->prob_treatment_better},
                  {"expected_loss_treatment", r->expected_loss_treatment},
                  {"expected_loss_control", r->expected_loss_control}, {"mean_control", r->mean_control},
                  {"mean_treatment", r->mean_treatment}},
                 {}, "cdp_exp_beta_binomial", out);
  CDP_API_END();
}

cdp_status cdp_exp_srm(const int64_t* counts, const double* weights, int32_t k, double threshold, cdp_result** out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(out != nullptr, "cdp_exp_srm: out is NULL");
  CDP_CHECK_ARG(counts != nullptr && k >= 0, "cdp_exp_srm: counts is NULL or k is negative");
  *out = nullptr;
  auto r = cdp::SampleRatioMismatch(std::span<const int64_t>(counts, static_cast<size_t>(k)),
                                    weights ? std::span<const double>(weights, static_cast<size_t>(k))
                                            : std::span<const double>(),
                                    threshold);
  if (!r.ok()) return Numbers(r.status(), {}, {}, "cdp_exp_srm", out);
  return Numbers(absl::OkStatus(), {{"statistic", r->statistic}, {"p_value", r->p_value}},
                 {{"df", r->df}, {"mismatch", r->mismatch ? 1 : 0}}, "cdp_exp_srm", out);
  CDP_API_END();
}

cdp_status cdp_exp_sample_size(const char* metric, double baseline_or_std, double mde, double alpha, double power,
                               double ratio, int32_t relative, cdp_result** out) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(out != nullptr, "cdp_exp_sample_size: out is NULL");
  CDP_CHECK_ARG(metric != nullptr, "cdp_exp_sample_size: metric is NULL");
  *out = nullptr;
  cdp::SampleSizeOptions o{.alpha = alpha, .power = power, .ratio = ratio, .relative = relative != 0};
  const std::string_view m(metric);
  absl::StatusOr<cdp::SampleSizeResult> r;
  if (m == "proportion") r = cdp::SampleSizeProportions(baseline_or_std, mde, o);
  else if (m == "mean") r = cdp::SampleSizeMeans(mde, baseline_or_std, 0, o);
  else return Fail(CDP_ERR_INVALID_ARGUMENT, cdp::Cat("cdp_exp_sample_size: metric must be proportion or mean, got '", m, "'"));
  if (!r.ok()) return Numbers(r.status(), {}, {}, "cdp_exp_sample_size", out);
  return Numbers(absl::OkStatus(), {{"n_control_exact", r->n_control_exact}, {"effect", r->effect}},
                 {{"n_control", r->n_control}, {"n_treatment", r->n_treatment}, {"total", r->total}},
                 "cdp_exp_sample_size", out);
  CDP_API_END();
}

cdp_status cdp_exp_adjust_pvalues(const double* p_values, int64_t n, const char* method, double* adjusted) {
  CDP_API_BEGIN();
  CDP_CHECK_ARG(n >= 0, "cdp_exp_adjust_pvalues: n is negative");
  CDP_CHECK_ARG(n == 0 || (p_values != nullptr && adjusted != nullptr), "cdp_exp_adjust_pvalues: an array is NULL");
  CDP_CHECK_ARG(method != nullptr, "cdp_exp_adjust_pvalues: method is NULL");
  auto m = cdp::ParsePValueAdjustment(method);
  if (!m.ok()) return FromStatus(cdp::PrefixStatus(m.status(), "cdp_exp_adjust_pvalues: "));
  auto r = cdp::AdjustPValues(std::span<const double>(p_values, static_cast<size_t>(n)), *m);
  if (!r.ok()) return FromStatus(cdp::PrefixStatus(r.status(), "cdp_exp_adjust_pvalues: "));
  std::copy(r->begin(), r->end(), adjusted);
  return CDP_OK;
  CDP_API_END();
}

}  // extern "C"
