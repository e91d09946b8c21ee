#include "bench/histogram.h"

#include <algorithm>
#include <cmath>

namespace fangxian::bench {
namespace {

// Buckets 0..2*kSubBuckets-1 have width 1; then kSubBuckets per power of two up to 2^63.
constexpr int kBucketCount =
    (64 - LatencyHistogram::kSubBucketBits + 1) * LatencyHistogram::kSubBuckets;

int HighestBit(uint64_t v) { return 63 - __builtin_clzll(v); }

}  // namespace

LatencyHistogram::LatencyHistogram() : counts_(kBucketCount, 0) {}

int LatencyHistogram::BucketIndex(uint64_t value) {
  if (value < 2 * kSubBuckets) return static_cast<int>(value);
  const int shift = HighestBit(value) - kSubBucketBits;  // >= 1
  const uint64_t mantissa = value >> shift;              // [kSubBuckets, 2*kSubBuckets)
  return (shift + 1) * kSubBuckets + static_cast<int>(mantissa - kSubBuckets);
}

uint64_t LatencyHistogram::BucketLowerBound(int index) {
  if (index < 2 * kSubBuckets) return static_cast<uint64_t>(index);
  const int shift = index / kSubBuckets - 1;
  const uint64_t mantissa = static_cast<uint64_t>(index % kSubBuckets + kSubBuckets);
  return mantissa << shift;
}

uint64_t LatencyHistogram::BucketWidth(int index) {
  if (index < 2 * kSubBuckets) return 1;
  return uint64_t{1} << (index / kSubBuckets - 1);
}

void LatencyHistogram::Record(int64_t value_ns) {
  const int64_t v = std::max<int64_t>(value_ns, 0);
  ++counts_[BucketIndex(static_cast<uint64_t>(v))];
  ++count_;
  sum_ += static_cast<uint64_t>(v);
  min_ = std::min(min_, v);
  max_ = std::max(max_, v);
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

int64_t LatencyHistogram::Percentile(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  const uint64_t rank =
      std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_))));
  uint64_t seen = 0;
  for (int i = 0; i < kBucketCount; ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      const uint64_t mid = BucketLowerBound(i) + BucketWidth(i) / 2;
      return std::clamp(static_cast<int64_t>(mid), min_, max_);
    }
  }
  return max_;
}

}  // namespace fangxian::bench
