// Inspections of checkpoints and their ranking: the business rules, independent of gRPC.
#ifndef FANGXIAN_SERVICES_CHECKPOINT_INSPECTIONS_H_
#define FANGXIAN_SERVICES_CHECKPOINT_INSPECTIONS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/rpc.h"
#include "fangxian/checkpoint/v1/inspections.pb.h"
#include "services/checkpoint/checkpoints.h"
#include "services/checkpoint/inspection_store.h"

namespace fangxian::checkpoint {

inline constexpr int kMaxFindings = 50;
inline constexpr size_t kMaxFindingChars = 500;
inline constexpr size_t kMaxInspectionNotesChars = 2000;
inline constexpr int kDefaultInspectionPageSize = 20;
inline constexpr int kMaxInspectionPageSize = 100;
inline constexpr int kDefaultRankingDays = 30;
inline constexpr int kMaxRankingDays = 365;

// The input rules of RecordInspection that need neither a database nor a caller, given
// today (China time): INVALID_ARGUMENT naming the field, or OK.
absl::Status ValidateInspection(const v1::RecordInspectionRequest& req, absl::CivilDay today);

// Orders ratings for RankCheckpoints: rated checkpoints by average score (best first;
// equal averages share a rank and are ordered by name, then id), then unrated ones by
// name with rank 0.
v1::RankCheckpointsResponse RankRatings(std::vector<RatingRow> rows);

v1::Inspection InspectionToProto(const InspectionRow& row);

class Inspections {
 public:
  Inspections(Checkpoints& checkpoints, InspectionStore& store, common::RpcRuntime::Clock clock)
      : checkpoints_(checkpoints), store_(store), clock_(std::move(clock)) {}

  absl::StatusOr<v1::Inspection> Record(const common::CallContext& call,
                                        const v1::RecordInspectionRequest& req);
  absl::StatusOr<v1::ListInspectionsResponse> List(const common::CallContext& call,
                                                   const v1::ListInspectionsRequest& req);
  absl::StatusOr<v1::RankCheckpointsResponse> Rank(const common::CallContext& call,
                                                   const v1::RankCheckpointsRequest& req);

 private:
  Checkpoints& checkpoints_;
  InspectionStore& store_;
  common::RpcRuntime::Clock clock_;
};

}  // namespace fangxian::checkpoint

#endif  // FANGXIAN_SERVICES_CHECKPOINT_INSPECTIONS_H_
