// Checkpoint statistics: daily figures (rolled-up days from daily_stats, recent days from the
// passage log) and today's live counters. Plain logic over PostgreSQL and LiveCounters.
#ifndef FANGXIAN_SERVICES_CHECKPOINT_STATISTICS_H_
#define FANGXIAN_SERVICES_CHECKPOINT_STATISTICS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/pg.h"
#include "common/rpc.h"
#include "fangxian/checkpoint/v1/statistics.pb.h"
#include "services/checkpoint/live_counters.h"

namespace fangxian::checkpoint {

// Longest range of GetDailyStatistics, in days.
inline constexpr int kMaxStatisticsDays = 92;
// Most checkpoints one GetLiveCounters call reads.
inline constexpr int kMaxLiveCheckpoints = 500;

class Statistics {
 public:
  // `max_replay`: how late a passage may arrive (FX_PASSAGE_MAX_REPLAY_H).
  Statistics(common::PgPool& pg, LiveCounters& live, common::RpcRuntime::Clock clock,
             absl::Duration max_replay)
      : pg_(pg), live_(live), clock_(std::move(clock)), max_replay_(max_replay) {}

  absl::StatusOr<v1::DailyStatistics> Daily(const common::CallContext& call,
                                            const v1::GetDailyStatisticsRequest& request);
  absl::StatusOr<v1::LiveCounters> Live(const common::CallContext& call,
                                        const v1::GetLiveCountersRequest& request);

 private:
  struct Selected {
    std::string id;
    std::string name;
  };
  // The checkpoints named by (area_code | checkpoint_id), after the scope checks.
  absl::StatusOr<std::vector<Selected>> Select(const common::CallContext& call,
                                               const std::string& area_code,
                                               const std::string& checkpoint_id);

  common::PgPool& pg_;
  LiveCounters& live_;
  common::RpcRuntime::Clock clock_;
  const absl::Duration max_replay_;
};

}  // namespace fangxian::checkpoint

#endif  // FANGXIAN_SERVICES_CHECKPOINT_STATISTICS_H_
