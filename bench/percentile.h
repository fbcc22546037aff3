// Nearest-rank percentiles of latency samples, shared by the benchmark programs of bench/.
#ifndef DAFTAR_BENCH_PERCENTILE_H_
#define DAFTAR_BENCH_PERCENTILE_H_

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace daftar::bench {

// The p-th percentile (p in (0, 100]) of `sorted` (ascending) by nearest rank; 0 when empty.
inline double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * sorted.size()));
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

}  // namespace daftar::bench

#endif  // DAFTAR_BENCH_PERCENTILE_H_
