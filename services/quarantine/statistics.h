// Quarantine statistics (docs/quarantine.md, "Statistics"): daily figures and totals to
// date per area, optionally per direct child area. Counts only. Reads PostgreSQL with
// grouped queries (one per table, GROUPING SETS for the child areas and the total); the
// check-in compliance applies ExpectedSlots, the non-reporting list's rule, and sweep
// coverage is SweepStore::Coverage, the figures GetCoverage reports.
#ifndef FANGXIAN_SERVICES_QUARANTINE_STATISTICS_H_
#define FANGXIAN_SERVICES_QUARANTINE_STATISTICS_H_

#include <utility>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/flight_cache.h"
#include "common/pg.h"
#include "common/rpc.h"
#include "fangxian/quarantine/v1/statistics.pb.h"
#include "services/quarantine/sweep_store.h"

namespace fangxian::quarantine {

class QuarantineStatistics {
 public:
  // `cache_ttl`: how long an answer is kept in memory and served again to callers asking
  // the same question (FX_QUARANTINE_STATS_CACHE_MS; zero: never), so dashboards polling
  // every few seconds do not each run the queries; callers asking the same question at
  // the same moment share one computation (common::AnswerCache). Scope is checked on every call.
  QuarantineStatistics(common::PgPool& pg, SweepStore& sweeps, common::RpcRuntime::Clock clock,
                       absl::Duration cache_ttl)
      : pg_(pg),
        sweeps_(sweeps),
        clock_(std::move(clock)),
        daily_cache_(cache_ttl),
        summary_cache_(cache_ttl) {}

  absl::StatusOr<v1::DailyFigures> Daily(const common::CallContext& call,
                                         const v1::GetDailyFiguresRequest& request);
  absl::StatusOr<v1::Summary> Summary(const common::CallContext& call,
                                      const v1::GetSummaryRequest& request);

 private:
  absl::StatusOr<v1::DailyFigures> ReadDaily(const v1::GetDailyFiguresRequest& request,
                                             absl::CivilDay from, absl::CivilDay to,
                                             absl::Time now);
  absl::StatusOr<v1::Summary> ReadSummary(const v1::GetSummaryRequest& request, absl::Time now);

  common::PgPool& pg_;
  SweepStore& sweeps_;
  common::RpcRuntime::Clock clock_;
  common::AnswerCache<v1::DailyFigures> daily_cache_;
  common::AnswerCache<v1::Summary> summary_cache_;
};

}  // namespace fangxian::quarantine

#endif  // FANGXIAN_SERVICES_QUARANTINE_STATISTICS_H_
