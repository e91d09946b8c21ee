// Answers of expensive read-only questions (statistics) kept in memory for a short time,
// so dashboards polling every few seconds do not each run the queries. Per replica; an
// answer may be up to `ttl` old. Failures are never kept. Authorisation stays the
// caller's, on every call: only the answer is shared, keyed by the question.
#ifndef FANGXIAN_COMMON_ANSWER_CACHE_H_
#define FANGXIAN_COMMON_ANSWER_CACHE_H_

#include <memory>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/local_cache.h"

namespace fangxian::common {

template <typename T>
class AnswerCache {
 public:
  // `ttl` zero or negative: nothing is kept (every call computes).
  explicit AnswerCache(absl::Duration ttl, size_t max_entries = 1024)
      : ttl_(ttl), answers_(max_entries) {}

  // The answer kept under `key` at `now`, else `compute()`'s, kept until now + ttl when
  // it succeeded.
  absl::StatusOr<T> Get(absl::string_view key, absl::Time now,
                        absl::FunctionRef<absl::StatusOr<T>()> compute) {
    if (ttl_ <= absl::ZeroDuration()) return compute();
    if (auto hit = answers_.Find(key, now)) return **hit;
    absl::StatusOr<T> out = compute();
    if (out.ok()) answers_.Insert(key, std::make_shared<const T>(*out), now + ttl_);
    return out;
  }

 private:
  const absl::Duration ttl_;
  LocalCache<std::shared_ptr<const T>> answers_;
};

}  // namespace fangxian::common

#endif  // FANGXIAN_COMMON_ANSWER_CACHE_H_
