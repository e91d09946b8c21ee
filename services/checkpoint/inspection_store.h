// Storage of inspections and their findings behind a small interface;
// PgInspectionStore is the one that ships.
#ifndef FANGXIAN_SERVICES_CHECKPOINT_INSPECTION_STORE_H_
#define FANGXIAN_SERVICES_CHECKPOINT_INSPECTION_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/paging.h"
#include "common/pg.h"

namespace fangxian::checkpoint {

struct FindingRow {
  std::string finding_id;
  std::string text;
  std::optional<int64_t> closed_at_micros;
  std::string closed_by_inspection;  // empty while open
};

struct InspectionRow {
  std::string inspection_id;
  std::string checkpoint_id;
  std::string inspector_id;
  int64_t inspected_at_micros = 0;
  bool posts_staffed = false;
  bool cadre_present = false;
  bool kit_complete = false;
  bool log_complete = false;
  int score = 0;
  std::string notes;
  std::string rectification_deadline;  // "YYYY-MM-DD" or empty
  std::string reinspection_of;         // empty: none
  std::vector<FindingRow> findings;    // in the order given
};

// Where a page of ListInspections ends (newest first): its last inspection's
// inspected_at (micros) and inspection_id.
using InspectionPosition = common::TimeIdPosition;

// One checkpoint's inspections in a ranking window.
struct RatingRow {
  std::string checkpoint_id;
  std::string name;
  std::optional<double> average_score;  // unset without inspections
  int inspection_count = 0;
};

class InspectionStore {
 public:
  virtual ~InspectionStore() = default;
  // The checkpoint an inspection belongs to. NOT_FOUND when there is no such inspection.
  virtual absl::StatusOr<std::string> CheckpointOf(const std::string& inspection_id) = 0;
  // In one transaction: the inspection (inspected at `now`), its findings, and — when it
  // re-inspects an earlier one — the closing of the earlier one's open findings at `now`.
  // Returns the stored inspection.
  virtual absl::StatusOr<InspectionRow> Insert(const InspectionRow& row, absl::Time now) = 0;
  // Newest first, after `after` when given, at most `limit`, with findings.
  virtual absl::StatusOr<std::vector<InspectionRow>> List(
      const std::string& checkpoint_id, const std::optional<InspectionPosition>& after,
      int limit) = 0;
  // Every checkpoint covering `area_code` or an area below it, with the average score and
  // count of its inspections at or after `since`. Unordered.
  virtual absl::StatusOr<std::vector<RatingRow>> Ratings(const std::string& area_code,
                                                         absl::Time since) = 0;
};

class PgInspectionStore final : public InspectionStore {
 public:
  explicit PgInspectionStore(common::PgPool& pool) : pool_(pool) {}
  absl::StatusOr<std::string> CheckpointOf(const std::string& inspection_id) override;
  absl::StatusOr<InspectionRow> Insert(const InspectionRow& row, absl::Time now) override;
  absl::StatusOr<std::vector<InspectionRow>> List(const std::string& checkpoint_id,
                                                  const std::optional<InspectionPosition>& after,
                                                  int limit) override;
  absl::StatusOr<std::vector<RatingRow>> Ratings(const std::string& area_code,
                                                 absl::Time since) override;

 private:
  common::PgPool& pool_;
};

}  // namespace fangxian::checkpoint

#endif  // FANGXIAN_SERVICES_CHECKPOINT_INSPECTION_STORE_H_
