// A log-linear latency histogram (HdrHistogram's layout, fixed precision): values below
// 256 ns are counted exactly; above that every power of two is split into 128 equal
// buckets, so a bucket is at most 1/128 of its lower bound wide. Percentiles report the
// bucket midpoint, hence a relative error of at most 1/256 (< 0.4%). Histograms of the
// same layout add bucket by bucket, so each load thread keeps its own and they are
// merged once at the end (no locking on the hot path).
#ifndef FANGXIAN_BENCH_HISTOGRAM_H_
#define FANGXIAN_BENCH_HISTOGRAM_H_

#include <cstdint>
#include <vector>

namespace fangxian::bench {

class LatencyHistogram {
 public:
  static constexpr int kSubBucketBits = 7;
  static constexpr int kSubBuckets = 1 << kSubBucketBits;
  // Guaranteed bound on |reported - true| / true for any percentile.
  static constexpr double kMaxRelativeError = 1.0 / (2 * kSubBuckets);

  LatencyHistogram();

  // Negative values (a clock stepping back) count as 0.
  void Record(int64_t value_ns);
  void Merge(const LatencyHistogram& other);

  // q in [0, 1]: the smallest recorded value v such that at least q of all values are
  // <= v, within kMaxRelativeError. 0 when empty; q = 1 is the exact maximum.
  int64_t Percentile(double q) const;

  uint64_t count() const { return count_; }
  int64_t min() const { return count_ ? min_ : 0; }
  int64_t max() const { return max_; }
  double mean() const { return count_ ? static_cast<double>(sum_) / count_ : 0.0; }

  // Bucket arithmetic, exposed for tests.
  static int BucketIndex(uint64_t value);
  static uint64_t BucketLowerBound(int index);
  static uint64_t BucketWidth(int index);

 private:
  std::vector<uint64_t> counts_;
  uint64_t count_ = 0;
  uint64_t sum_ = 0;
  int64_t min_ = INT64_MAX;
  int64_t max_ = 0;
};

}  // namespace fangxian::bench

#endif  // FANGXIAN_BENCH_HISTOGRAM_H_
