// Journeys layer: multi-touch attribution. Heuristics and exact Markov removal effects against the
// ChannelAttribution reference table, hand-solved chains, position / time decay by hand, Shapley
// identities and sampling, higher-order chains against a brute-force power iteration, bootstrap,
// and every refused input.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "cdp/attribution.hpp"

#ifndef CDP_SHARED_DIR
#define CDP_SHARED_DIR "../shared"
#endif

using namespace cdp;

namespace {

size_t Find(const std::vector<std::string>& names, const std::string& name) {
  const auto it = std::find(names.begin(), names.end(), name);
  REQUIRE_MESSAGE(it != names.end(), "no '", name, "'");
  return static_cast<size_t>(it - names.begin());
}

/// result.<field>[model][channel] by names.
double At(const AttributionResult& r, const std::vector<std::vector<double>>& field, const std::string& model,
          const std::string& channel) {
  return field[Find(r.models, model)][Find(r.channels, channel)];
}

AttributionResult Run(const AttributionInput& in, const AttributionOptions& o) {
  auto r = Attribute(in, o);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  return *r;
}

AttributionInput FromStrings(const std::vector<std::string>& paths, std::vector<double> conv,
                             std::vector<double> values = {}, std::vector<double> nulls = {}) {
  auto in = AttributionPathsFromStrings(paths, std::move(conv), std::move(values), std::move(nulls));
  REQUIRE_MESSAGE(in.ok(), in.status().ToString());
  return *in;
}

/// ChannelAttribution's example data (path;total_conversions;total_conversion_value;total_null).
AttributionInput LoadChannelAttributionData() {
  const std::string file = CDP_SHARED_DIR "/datasets/attribution/ChannelAttribution_Data.csv";
  std::ifstream f(file);
  REQUIRE_MESSAGE(f.good(), "cannot open ", file, " (the shared datasets folder is required)");
  std::vector<std::string> paths;
  std::vector<double> conv, value, nulls;
  std::string line;
  std::getline(f, line);
  CHECK(line == "path;total_conversions;total_conversion_value;total_null");
  while (std::getline(f, line)) {
    if (line.empty()) continue;
    const size_t a = line.find(';'), b = line.find(';', a + 1), c = line.find(';', b + 1);
    paths.push_back(line.substr(0, a));
    conv.push_back(std::stod(line.substr(a + 1, b - a - 1)));
    value.push_back(std::stod(line.substr(b + 1, c - b - 1)));
    nulls.push_back(std::stod(line.substr(c + 1)));
  }
  REQUIRE(paths.size() == 10000);  // README: 10,000 rows
  return FromStrings(paths, conv, value, nulls);
}

std::string Error(const AttributionInput& in, const AttributionOptions& o = {}) {
  auto r = Attribute(in, o);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == absl::StatusCode::kInvalidArgument);
  return std::string(r.status().message());
}

/// Independent Markov check: dense transition matrix over (start, k-tuples, conversion, null), the
/// distribution from start pushed 5000 steps; returns P(conversion) without channel `removed`
/// (-1: none), where transitions into a state containing it go to null.
double BruteForceConversion(const AttributionInput& in, int k, int removed) {
  std::map<std::vector<int>, size_t> ids{{std::vector<int>(static_cast<size_t>(k), -2), 0}};
  std::vector<std::vector<int>> path_states;
  for (int64_t p = 0; p < in.paths(); ++p) {
    std::vector<int> key(static_cast<size_t>(k), -1), states;
    for (int64_t i = in.path_begin[static_cast<size_t>(p)]; i < in.path_begin[static_cast<size_t>(p) + 1]; ++i) {
      key.erase(key.begin()), key.push_back(in.touches[static_cast<size_t>(i)]);
      states.push_back(static_cast<int>(ids.emplace(key, ids.size()).first->second));
    }
    path_states.push_back(states);
  }
  const size_t n = ids.size() + 2, conv = n - 2, null = n - 1;
  std::vector<std::vector<double>> count(n, std::vector<double>(n, 0.0));
  for (size_t p = 0; p < path_states.size(); ++p) {
    const double c = in.conversions[p], w = c + in.nulls[p];
    size_t from = 0;
    for (int s : path_states[p]) count[from][static_cast<size_t>(s)] += w, from = static_cast<size_t>(s);
    count[from][conv] += c, count[from][null] += in.nulls[p];
  }
  std::vector<bool> has_removed(n, false);
  for (const auto& [key, id] : ids) has_removed[id] = removed >= 0 && std::find(key.begin(), key.end(), removed) != key.end();
  std::vector<double> dist(n, 0.0);
  dist[0] = 1;
  for (int step = 0; step < 5000; ++step) {
    std::vector<double> next(n, 0.0);
    next[conv] = dist[conv], next[null] = dist[null];
    for (size_t i = 0; i + 2 < n; ++i) {
      double out = 0;
      for (double x : count[i]) out += x;
      for (size_t j = 0; j < n && out > 0; ++j) next[has_removed[j] ? null : j] += dist[i] * count[i][j] / out;
    }
    dist = next;
  }
  return dist[conv];
}

}  // namespace

TEST_CASE("attribution: ChannelAttribution example data, heuristics and exact Markov removal effects") {
  const AttributionInput in = LoadChannelAttributionData();
  CHECK(in.channels.size() == 12);
  AttributionOptions o;
  o.models = {"first", "last", "linear", "markov"};
  const AttributionResult r = Run(in, o);
  // Totals: README (conversions sum 19,785; value sum 74,802.972).
  CHECK(r.total_conversions == 19785);
  CHECK(std::abs(r.total_value - 74802.972) < 5e-4);  // README gives 3 decimals
  // Source: datasets/attribution/README.md, heuristic_models() of ChannelAttribution 2.2.4.
  struct Row {
    const char* channel;
    double first, last, linear, first_value, last_value, linear_value;
  };
  const Row table[] = {
      {"alpha", 6308, 8447, 7574.718593751, 19121.2723558, 28414.2142744, 24524.709568834},
      {"beta", 2831, 989, 2083.500144589, 12235.5917444, 3850.0209873, 8954.266716608},
      {"delta", 1, 5, 1.725, 6.119, 10.972, 4.40405},
      {"epsilon", 99, 531, 272.170437720, 412.3012429, 2202.6122893, 1106.270065267},
      {"eta", 3164, 4167, 3539.951157101, 11909.4762130, 16754.2038001, 13783.497050920},
      {"gamma", 165, 92, 121.041639020, 718.9779918, 506.0139918, 569.417357891},
      {"iota", 4606, 3355, 3857.096221018, 19597.2612770, 13487.9742714, 15988.988995024},
      {"kappa", 74, 230, 137.964077922, 305.7432500, 1069.3842500, 599.747786255},
      {"lambda", 902, 1207, 1035.257572286, 3735.6021649, 5249.9499854, 4430.316169428},
      {"mi", 2, 2, 2.222222222, 5.2730000, 5.2730000, 6.081444444},
      {"theta", 1606, 653, 1022.801393904, 6652.3493474, 2799.0919876, 4295.743619487},
      {"zeta", 27, 107, 136.551540466, 103.0040000, 453.2607500, 539.528763053},
  };
  for (const Row& row : table) {
    INFO(row.channel);
    CHECK(std::abs(At(r, r.conversions, "first", row.channel) - row.first) < 1e-6);
    CHECK(std::abs(At(r, r.conversions, "last", row.channel) - row.last) < 1e-6);
    CHECK(std::abs(At(r, r.conversions, "linear", row.channel) - row.linear) < 1e-6);
    CHECK(std::abs(At(r, r.values, "first", row.channel) - row.first_value) < 1e-6);
    CHECK(std::abs(At(r, r.values, "last", row.channel) - row.last_value) < 1e-6);
    CHECK(std::abs(At(r, r.values, "linear", row.channel) - row.linear_value) < 1e-6);
  }
  // Source: README, exact first-order absorbing-chain removal effects (numpy linear solve; 6
  // decimals, so |error| <= 5e-7 plus float noise) and attributed conversions (2 decimals).
  CHECK(std::abs(r.base_conversion_probability - 19785.0 / (19785.0 + 68602.0)) < 1e-12);
  struct Markov {
    const char* channel;
    double removal, conversions;
  };
  const Markov markov[] = {{"alpha", 0.558399, 5344.95}, {"iota", 0.405835, 3884.62}, {"eta", 0.349026, 3340.85},
                           {"beta", 0.264039, 2527.35},  {"theta", 0.206010, 1971.91}, {"lambda", 0.134022, 1282.85},
                           {"epsilon", 0.062639, 599.57}, {"zeta", 0.039811, 381.06},  {"kappa", 0.028663, 274.36},
                           {"gamma", 0.017880, 171.15},  {"delta", 0.000482, 4.61},   {"mi", 0.000180, 1.72}};
  double sum = 0;
  for (const Markov& m : markov) {
    INFO(m.channel);
    const double re = r.removal_effects[Find(r.channels, m.channel)];
    CHECK(std::abs(re - m.removal) < 5.01e-7);
    CHECK(std::abs(At(r, r.conversions, "markov", m.channel) - m.conversions) < 0.01);
    sum += At(r, r.conversions, "markov", m.channel);
  }
  CHECK(sum == doctest::Approx(19785).epsilon(1e-12));  // attribution preserves the total
  // README: collapsing consecutive repeats gives the identical first-order result.
  o.models = {"markov"}, o.markov_collapse_repeats = true;
  const AttributionResult collapsed = Run(in, o);
  for (size_t c = 0; c < 12; ++c) CHECK(std::abs(collapsed.removal_effects[c] - r.removal_effects[c]) < 1e-12);
}

TEST_CASE("attribution: hand-solved three-channel chain") {
  // Paths: A>B 2 conv / 0 null; A>C 0 / 2; B 1 / 1; C>B 1 / 0 (7 journeys, 4 conversions).
  // Transitions: start -> A 4/7, B 2/7, C 1/7; A -> B 1/2, C 1/2; B -> conv 4/5, null 1/5;
  //              C -> B 1/3, null 2/3.
  // Solve: x_B = 4/5, x_C = 1/3 x_B = 4/15, x_A = (x_B + x_C) / 2 = 8/15,
  //        P = 4/7 * 8/15 + 2/7 * 4/5 + 1/7 * 4/15 = 60/105 = 4/7 (= 4 conversions / 7 journeys).
  // Without A: P = 2/7 * 4/5 + 1/7 * 4/15 = 28/105 = 4/15 -> RE_A = 1 - (4/15) / (4/7) = 8/15.
  // Without B: nothing reaches conversion -> RE_B = 1.
  // Without C: x_A = 2/5, P = 4/7 * 2/5 + 2/7 * 4/5 = 16/35 -> RE_C = 1 - (16/35) / (4/7) = 1/5.
  // Attributed: 4 * RE / (26/15): A = 16/13, B = 30/13, C = 6/13.
  const AttributionInput in = FromStrings({"A > B", "A > C", "B", "C > B"}, {2, 0, 1, 1}, {20, 0, 10, 10}, {0, 2, 1, 0});
  AttributionOptions o;
  o.models = {"markov"};
  const AttributionResult r = Run(in, o);
  CHECK(r.base_conversion_probability == doctest::Approx(4.0 / 7));
  CHECK(r.removal_effects[0] == doctest::Approx(8.0 / 15));
  CHECK(r.removal_effects[1] == doctest::Approx(1.0));
  CHECK(r.removal_effects[2] == doctest::Approx(1.0 / 5));
  CHECK(At(r, r.conversions, "markov", "A") == doctest::Approx(16.0 / 13));
  CHECK(At(r, r.conversions, "markov", "B") == doctest::Approx(30.0 / 13));
  CHECK(At(r, r.conversions, "markov", "C") == doctest::Approx(6.0 / 13));
  CHECK(At(r, r.values, "markov", "B") == doctest::Approx(40.0 * 15 / 26));  // total value 40, same shares
}

TEST_CASE("attribution: the ChannelAttribution vignette toy example") {
  // Source: README (package vignette, hand-derived): A>B>A>B>B>A, A>B>B>A>A, A>A, 1 conversion each,
  // no nulls. P = 1; without A nothing converts (RE_A = 1); without B, A -> A 2/8, A -> conv 3/8,
  // so x_A = 3/8 / (6/8) = 1/2 (RE_B = 1/2); attributed 3 * (1, 0.5) / 1.5 = A 2, B 1.
  // Heuristics (README): first/last A = 3, B = 0; linear A = 3/6 + 3/5 + 1 = 2.1, B = 0.9.
  const AttributionInput in = FromStrings({"A>B>A>B>B>A", "A>B>B>A>A", "A>A"}, {1, 1, 1});
  AttributionOptions o;
  o.models = {"first", "last", "linear", "markov"};
  for (bool collapse : {false, true}) {
    o.markov_collapse_repeats = collapse;
    const AttributionResult r = Run(in, o);
    CHECK(r.base_conversion_probability == doctest::Approx(1.0));
    CHECK(r.removal_effects[0] == doctest::Approx(1.0));
    CHECK(r.removal_effects[1] == doctest::Approx(0.5));
    CHECK(At(r, r.conversions, "markov", "A") == doctest::Approx(2.0));
    CHECK(At(r, r.conversions, "markov", "B") == doctest::Approx(1.0));
    CHECK(At(r, r.conversions, "first", "A") == 3);
    CHECK(At(r, r.conversions, "last", "B") == 0);
    CHECK(At(r, r.conversions, "linear", "A") == doctest::Approx(2.1));
    CHECK(At(r, r.conversions, "linear", "B") == doctest::Approx(0.9));
  }
}

TEST_CASE("attribution: position-based and time-decay shares by hand") {
  // position 40/20/40: A>B>C>D gives A .4, B .1, C .1, D .4; A>B splits .4:.4 -> .5/.5; C alone 1.
  AttributionInput in = FromStrings({"A > B > C > D", "A > B", "C"}, {1, 1, 1}, {10, 20, 30});
  AttributionOptions o;
  o.models = {"position"};
  AttributionResult r = Run(in, o);
  CHECK(At(r, r.conversions, "position", "A") == doctest::Approx(0.4 + 0.5));
  CHECK(At(r, r.conversions, "position", "B") == doctest::Approx(0.1 + 0.5));
  CHECK(At(r, r.conversions, "position", "C") == doctest::Approx(0.1 + 1));
  CHECK(At(r, r.conversions, "position", "D") == doctest::Approx(0.4));
  CHECK(At(r, r.values, "position", "B") == doctest::Approx(1 + 10));  // 10 * .1 + 20 * .5
  // 30/50: two touches split 0.3 : 0.5 = 0.375 / 0.625; four touches: middle share 0.2 / 2 = 0.1.
  o.position_first = 0.3, o.position_last = 0.5;
  r = Run(in, o);
  CHECK(At(r, r.conversions, "position", "A") == doctest::Approx(0.3 + 0.375));
  CHECK(At(r, r.conversions, "position", "B") == doctest::Approx(0.1 + 0.625));
  CHECK(At(r, r.conversions, "position", "D") == doctest::Approx(0.5));

  // time_decay, half-life 7 days: touches 14, 7 and 0 days before conversion weigh 1/4, 1/2, 1
  // -> shares 1/7, 2/7, 4/7 of 1 conversion and 70 of value. Second path: one touch gets all.
  in = FromStrings({"A > B > C", "B"}, {1, 2}, {70, 5});
  in.touch_ts = {Days(1), Days(8), Days(15), Days(3)};
  in.conversion_ts = {Days(15), Days(9)};
  o.models = {"time_decay", "linear"};
  r = Run(in, o);
  CHECK(At(r, r.conversions, "time_decay", "A") == doctest::Approx(1.0 / 7));
  CHECK(At(r, r.conversions, "time_decay", "B") == doctest::Approx(2.0 / 7 + 2));
  CHECK(At(r, r.values, "time_decay", "C") == doctest::Approx(40.0));
  CHECK(At(r, r.values, "time_decay", "B") == doctest::Approx(20.0 + 5));
  o.half_life = Days(14);  // weights 2^-1, 2^-0.5, 1
  r = Run(in, o);
  const double s = 0.5 + std::sqrt(0.5) + 1;
  CHECK(At(r, r.conversions, "time_decay", "A") == doctest::Approx(0.5 / s));
}

TEST_CASE("attribution: exact Shapley equals splitting each path among its distinct channels") {
  // Zhao et al. 2018: with v(S) = conversions of paths inside S, phi_c = sum over paths containing
  // c of conversions / |distinct channels|; efficiency: sum phi = all conversions.
  std::vector<std::string> paths;
  std::vector<double> conv;
  uint64_t s = 99;
  auto next = [&s](uint64_t n) { s = s * 6364136223846793005ULL + 1442695040888963407ULL; return (s >> 33) % n; };
  for (int p = 0; p < 300; ++p) {
    std::string path;
    const uint64_t len = 1 + next(4);
    for (uint64_t i = 0; i < len; ++i) path += (i ? " > c" : "c") + std::to_string(next(18));
    paths.push_back(path);
    conv.push_back(static_cast<double>(next(5)));
  }
  const AttributionInput in = FromStrings(paths, conv);
  std::vector<double> expected(in.channels.size(), 0.0);
  for (int64_t p = 0; p < in.paths(); ++p) {
    std::vector<int32_t> set(in.touches.begin() + in.path_begin[static_cast<size_t>(p)],
                             in.touches.begin() + in.path_begin[static_cast<size_t>(p) + 1]);
    std::sort(set.begin(), set.end());
    set.erase(std::unique(set.begin(), set.end()), set.end());
    for (int32_t c : set) expected[static_cast<size_t>(c)] += in.conversions[static_cast<size_t>(p)] / static_cast<double>(set.size());
  }
  REQUIRE(in.channels.size() == 18);
  AttributionOptions o;
  o.models = {"shapley"}, o.shapley_exact_max = 18;
  const AttributionResult exact = Run(in, o);
  CHECK(exact.shapley_exact);
  double sum = 0;
  for (size_t c = 0; c < 18; ++c) {
    CHECK(exact.shapley_values[c] == doctest::Approx(expected[c]).epsilon(1e-12));
    CHECK(exact.conversions[0][c] == doctest::Approx(expected[c]).epsilon(1e-12));
    sum += exact.shapley_values[c];
  }
  CHECK(sum == doctest::Approx(exact.total_conversions).epsilon(1e-12));
  // 18 > shapley_exact_max = 15: 20000 permutations (Castro et al. 2009); efficiency holds exactly
  // per permutation; each estimate within 3% of the exact value.
  o.shapley_exact_max = 15;
  const AttributionResult sampled = Run(in, o);
  CHECK_FALSE(sampled.shapley_exact);
  sum = 0;
  for (size_t c = 0; c < 18; ++c) {
    INFO(in.channels[c]);
    CHECK(std::abs(sampled.shapley_values[c] - expected[c]) < 0.03 * expected[c]);
    sum += sampled.shapley_values[c];
  }
  CHECK(sum == doctest::Approx(exact.total_conversions).epsilon(1e-12));
  CHECK(Run(in, o).shapley_values == sampled.shapley_values);  // deterministic for the seed
}

TEST_CASE("attribution: Shapley on conversion rates by hand") {
  // Paths: A 1 conv / 1 null, B 1 / 3, A>B 2 / 0. v(A) = 1/2, v(B) = 1/4, v(AB) = 4/8 = 1/2.
  // phi_A = ((v(A) - 0) + (v(AB) - v(B))) / 2 = 3/8; phi_B = ((v(B) - 0) + (v(AB) - v(A))) / 2 = 1/8.
  // Attributed conversions: 4 * phi / v(AB) -> A 3, B 1; values 80 likewise -> A 60, B 20.
  const AttributionInput in = FromStrings({"A", "B", "A > B"}, {1, 1, 2}, {20, 20, 40}, {1, 3, 0});
  AttributionOptions o;
  o.models = {"shapley"}, o.shapley_value = "rate";
  const AttributionResult r = Run(in, o);
  CHECK(r.shapley_values[0] == doctest::Approx(3.0 / 8));
  CHECK(r.shapley_values[1] == doctest::Approx(1.0 / 8));
  CHECK(At(r, r.conversions, "shapley", "A") == doctest::Approx(3.0));
  CHECK(At(r, r.values, "shapley", "B") == doctest::Approx(20.0));
  // Sampling (exact_max 0) converges to the same two values (6 orders, each 1/2 likely).
  o.shapley_exact_max = 0;
  const AttributionResult s = Run(in, o);
  CHECK(s.shapley_values[0] == doctest::Approx(3.0 / 8).epsilon(0.03));
  CHECK(s.shapley_values[0] + s.shapley_values[1] == doctest::Approx(0.5));
}

TEST_CASE("attribution: higher-order Markov chains match a brute-force power iteration") {
  const AttributionInput in =
      FromStrings({"A > B > A", "B > A", "A > C > B", "C", "A > A > B", "C > A > B > C", "B > B > C > A"},
                  {1, 0, 2, 1, 1, 3, 1}, {}, {1, 2, 1, 1, 0, 2, 4});
  for (int k : {1, 2, 3, 4}) {
    AttributionOptions o;
    o.models = {"markov"}, o.markov_order = k;
    const AttributionResult r = Run(in, o);
    const double base = BruteForceConversion(in, k, -1);
    INFO("order ", k);
    CHECK(base == doctest::Approx(9.0 / 20));  // every path absorbs: 9 conversions / 20 journeys
    CHECK(r.base_conversion_probability == doctest::Approx(base).epsilon(1e-10));
    for (int c = 0; c < 3; ++c)
      CHECK(r.removal_effects[static_cast<size_t>(c)] ==
            doctest::Approx(1 - BruteForceConversion(in, k, c) / base).epsilon(1e-10));
  }
}

TEST_CASE("attribution: bootstrap intervals hold the estimate and repeat for a seed") {
  const AttributionInput in = LoadChannelAttributionData();
  AttributionOptions o;
  o.models = {"first", "linear", "position", "markov", "shapley"}, o.bootstrap = 40, o.seed = 11;
  const AttributionResult r = Run(in, o);
  REQUIRE(r.conversions_lo.size() == 5);
  for (size_t m = 0; m < 5; ++m)
    for (size_t c = 0; c < r.channels.size(); ++c) {
      INFO(r.models[m], " ", r.channels[c]);
      CHECK(r.conversions_lo[m][c] <= r.conversions[m][c]);
      CHECK(r.conversions[m][c] <= r.conversions_hi[m][c]);
      CHECK(r.values_lo[m][c] <= r.values[m][c]);
      CHECK(r.values[m][c] <= r.values_hi[m][c]);
    }
  // The interval of a large channel is narrow but not empty (Poisson noise on ~6,300 conversions).
  CHECK(At(r, r.conversions_hi, "first", "alpha") > At(r, r.conversions_lo, "first", "alpha"));
  CHECK(At(r, r.conversions_hi, "first", "alpha") - At(r, r.conversions_lo, "first", "alpha") < 1000);
  const AttributionResult again = Run(in, o);
  CHECK(again.conversions_lo == r.conversions_lo);
  CHECK(again.values_hi == r.values_hi);
  o.seed = 12;
  CHECK(Run(in, o).conversions_lo != r.conversions_lo);

  const Table t = r.ToTable();
  CHECK(t.rows() == 5 * 12);
  CHECK(t.names == std::vector<std::string>{"channel", "model", "conversions", "value", "conversions_lo",
                                            "conversions_hi", "value_lo", "value_hi", "removal_effect"});
  CHECK(t.CellText(0, 0) == "alpha");
  CHECK(t.CellText(1, 0) == "first");
  CHECK(t.Find("conversions")->f64[0] == 6308);                       // README: first, alpha
  CHECK(std::isnan(t.Find("removal_effect")->f64[0]));                // not a markov row
  CHECK(std::abs(t.Find("removal_effect")->f64[36] - 0.558399) < 1e-6);  // markov, alpha
}

TEST_CASE("attribution: paths from strings") {
  auto in = AttributionPathsFromStrings({" beta >alpha> beta ", "gamma"}, {1, 2}, {}, {3, 0});
  REQUIRE(in.ok());
  CHECK(in->channels == std::vector<std::string>{"alpha", "beta", "gamma"});  // name order
  CHECK(in->touches == std::vector<int32_t>{1, 0, 1, 2});
  CHECK(in->path_begin == std::vector<int64_t>{0, 3, 4});
  auto pipes = AttributionPathsFromStrings({"a | b"}, {1}, {}, {}, "|");
  REQUIRE(pipes.ok());
  CHECK(pipes->channels.size() == 2);
  CHECK(AttributionPathsFromStrings({"a > b", "  "}, {1, 1}).status().message() == "attribution: path row 1 is empty");
  CHECK(AttributionPathsFromStrings({"a > > b"}, {1}).status().message() ==
        "attribution: path row 0 has an empty channel name at touch 1: \"a > > b\"");
  CHECK(AttributionPathsFromStrings({"a"}, {1, 2}).status().message() == "attribution: conversions has 2 entries for 1 paths");
  CHECK(AttributionPathsFromStrings({"a"}, {1}, {}, {}, "").status().message() == "attribution: separator is empty");
}

TEST_CASE("attribution: bad input is refused with the reason") {
  const AttributionInput good = FromStrings({"A > B", "B"}, {1, 0}, {5, 0}, {1, 2});
  AttributionOptions o;
  o.models = {"markv"};
  CHECK(Error(good, o) ==
        "attribution: unknown model 'markv'; did you mean 'markov'? (models: first, last, linear, position, "
        "time_decay, markov, shapley)");
  o.models = {"first", "first"};
  CHECK(Error(good, o) == "attribution: model 'first' is listed twice");
  o.models = {};
  CHECK(Error(good, o).starts_with("attribution: no model asked"));
  o = {};
  o.markov_order = 5;
  CHECK(Error(good, o) == "attribution: markov_order must be 1..4, got 5");
  o = {};
  o.confidence = 1;
  CHECK(Error(good, o) == "attribution: confidence must be in (0, 1), got 1");
  o = {};
  o.half_life = 0;
  CHECK(Error(good, o) == "attribution: half_life must be > 0, got 0 us");
  o = {};
  o.position_first = 0.7;
  CHECK(Error(good, o).starts_with("attribution: position_first and position_last must be >= 0 with a sum in (0, 1]"));
  o = {};
  o.shapley_value = "revenue";
  CHECK(Error(good, o) == "attribution: shapley_value must be 'conversions' or 'rate', got 'revenue'");
  o = {};
  o.shapley_exact_max = 30;
  CHECK(Error(good, o) == "attribution: shapley_exact_max must be 0..22, got 30");
  o = {};
  o.bootstrap = -1;
  CHECK(Error(good, o) == "attribution: bootstrap must be >= 0, got -1");
  o = {};
  o.models = {"time_decay"};
  CHECK(Error(good, o) == "attribution: time_decay needs touch_ts (per touch) and conversion_ts (per path)");

  AttributionInput in = good;
  in.conversions = {0, 0};
  o = {};
  CHECK(Error(in, o) == "attribution: markov needs at least one conversion; every path has 0 conversions");
  in = good, in.conversions = {1, -2};
  CHECK(Error(in) == "attribution: conversions of path 1 is -2; counts must be finite and >= 0");
  in = good, in.nulls = {NAN, 1};
  CHECK(Error(in) == "attribution: nulls of path 0 is nan; counts must be finite and >= 0");
  in = good, in.values = {1, INFINITY};
  CHECK(Error(in) == "attribution: value of path 1 is inf; values must be finite");
  in = good, in.nulls = {1};
  CHECK(Error(in) == "attribution: nulls has 1 entries for 2 paths");
  in = good, in.touch_ts = {1, 2};
  CHECK(Error(in) == "attribution: touch_ts has 2 entries for 3 touches");
  in = good, in.touches[1] = 7;
  CHECK(Error(in) == "attribution: touch 1 (path 0) is channel index 7, outside 0..1 (2 channels)");
  in = good, in.path_begin = {0, 3, 3};
  CHECK(Error(in) == "attribution: path 1 has no touches (path_begin must increase)");
  in = good, in.path_begin = {0, 2};
  CHECK(Error(in) == "attribution: path_begin ends at 2 but there are 3 touches");
  in = good, in.path_begin = {0};
  CHECK(Error(in) == "attribution: no paths (path_begin needs paths + 1 entries)");
  in = good, in.channels = {"A", "A"};
  CHECK(Error(in) == "attribution: channel 'A' is listed twice (0 and 1)");
  in = good, in.channels = {"A", ""};
  CHECK(Error(in) == "attribution: channel 1 has an empty name");
}
