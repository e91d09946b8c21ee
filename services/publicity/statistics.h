// The publicity figures a subdistrict reports (docs/publicity.md, "Statistics"): boards,
// banners and vehicles in service, items first published, media reports by outlet level
// and views, for an area and per child area. Counts only. Reads PostgreSQL with three
// grouped queries (GROUPING SETS for the child areas and the total).
#ifndef FANGXIAN_SERVICES_PUBLICITY_STATISTICS_H_
#define FANGXIAN_SERVICES_PUBLICITY_STATISTICS_H_

#include <utility>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/flight_cache.h"
#include "common/pg.h"
#include "common/rpc.h"
#include "fangxian/publicity/v1/statistics.pb.h"

namespace fangxian::publicity {

class PublicityStatistics {
 public:
  // `cache_ttl`: how long an answer is kept in memory and served again to callers asking
  // the same question (FX_PUBLICITY_STATS_CACHE_MS; zero: never). Scope is checked on
  // every call.
  PublicityStatistics(common::PgPool& pg, common::RpcRuntime::Clock clock, absl::Duration cache_ttl)
      : pg_(pg), clock_(std::move(clock)), answers_(cache_ttl) {}

  absl::StatusOr<v1::PublicityFiguresReport> Figures(const common::CallContext& call,
                                                     const v1::GetPublicityFiguresRequest& request);

 private:
  absl::StatusOr<v1::PublicityFiguresReport> Read(const std::string& area, absl::CivilDay start,
                                                  absl::CivilDay end, absl::Time now);

  common::PgPool& pg_;
  common::RpcRuntime::Clock clock_;
  common::AnswerCache<v1::PublicityFiguresReport> answers_;
};

}  // namespace fangxian::publicity

#endif  // FANGXIAN_SERVICES_PUBLICITY_STATISTICS_H_
