// cdp/kmeans.hpp — k-means clustering for segmentation (Lloyd's algorithm with Hamerly's bounds).
//
// Semantics follow scikit-learn's KMeans so results compare: greedy k-means++ seeding (2 + ln k
// candidate centers per step), n_init runs stopped by scikit-learn's rule (the squared center
// shift under tol x the mean feature variance, or no label change), keeping the lowest inertia.
// The best run then continues until no label changes (a Lloyd fixed point), so the result is
// never worse than stopping there. Hamerly's upper/lower bounds skip most point-center distances
// once clusters settle, and cluster sums follow only the points that move; the result equals plain
// Lloyd iterations from the same seeds.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"

namespace cdp {

struct KMeansOptions {
  int n_clusters = 8;
  int n_init = 10;
  int max_iter = 300;
  double tol = 1e-4;
  uint64_t random_state = 0;
  int threads = 0;  ///< 0: hardware concurrency
};

struct KMeansResult {
  std::vector<double> centers;  ///< n_clusters x d, row-major
  std::vector<int32_t> labels;  ///< cluster of each point
  double inertia = 0;           ///< sum of squared distances to the assigned centers
  int n_iter = 0;               ///< iterations of the best run
  int best_init = 0;            ///< which of the n_init runs won
  std::vector<double> run_inertia;  ///< inertia of every run
};

/// Clusters `n` points of `d` features (row-major `x`). Errors: n < n_clusters, d < 1, non-finite
/// values, bad options.
absl::StatusOr<KMeansResult> FitKMeans(const double* x, int64_t n, int d, const KMeansOptions& options);

/// Nearest center of each point (labels for new data).
std::vector<int32_t> PredictKMeans(const double* x, int64_t n, int d, const std::vector<double>& centers);

/// Mean silhouette coefficient (Euclidean). With 0 < sample_size < n, computed on a random
/// sample of points (distances among the sample only, as scikit-learn's silhouette_score does).
/// Points in singleton clusters score 0. Errors: fewer than 2 or more than n - 1 clusters.
absl::StatusOr<double> Silhouette(const double* x, int64_t n, int d, const std::vector<int32_t>& labels,
                                  int64_t sample_size = 0, uint64_t random_state = 0);

}  // namespace cdp
