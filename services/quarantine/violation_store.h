// Storage of violations behind a small interface; PgViolationStore is the one that ships.
// Every method runs on a connection the caller holds, so a change and the pass colour
// recomputation commit in one transaction.
#ifndef FANGXIAN_SERVICES_QUARANTINE_VIOLATION_STORE_H_
#define FANGXIAN_SERVICES_QUARANTINE_VIOLATION_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/paging.h"
#include "common/pg.h"

namespace fangxian::quarantine {

// quarantine.violations.status.
inline constexpr int kViolationReported = 1;
inline constexpr int kViolationConfirmed = 2;
inline constexpr int kViolationClosed = 3;

struct ViolationRow {
  std::string violation_id;
  std::string resident_id;
  std::string area_code;
  int kind = 0;     // proto number of v1::ViolationKind
  int status = 0;   // kViolationReported, kViolationConfirmed or kViolationClosed
  int outcome = 0;  // proto number of v1::ViolationOutcome, 0 undecided
  std::string description;
  std::string source_event_id;  // empty when recorded by a person
  std::string recorded_by;
  int64_t recorded_at_micros = 0;
  std::string confirmed_by;
  std::optional<int64_t> confirmed_at_micros;
  std::string outcome_by;
  std::optional<int64_t> outcome_at_micros;
  std::string outcome_note;
  std::string closed_by;
  std::optional<int64_t> closed_at_micros;
  std::string close_note;
};

// Filters of List; empty / 0: no filter.
struct ViolationQuery {
  std::vector<std::string> areas;  // violations at or below any of these (at least one)
  int kind = 0;
  int status = 0;
  std::string resident_id;
  std::optional<common::TimeIdPosition> after;  // the last row of the previous page
  int limit = 0;
};

class ViolationStore {
 public:
  virtual ~ViolationStore() = default;
  // Inserts a new violation (REPORTED, or CONFIRMED by its recorder when `confirmed`),
  // recorded at `now`, and returns it as stored.
  virtual absl::StatusOr<ViolationRow> Insert(common::PgConn& tx, const ViolationRow& row,
                                              bool confirmed, absl::Time now) = 0;
  // NOT_FOUND when absent. `lock`: SELECT ... FOR UPDATE, for a change that follows.
  virtual absl::StatusOr<ViolationRow> Get(common::PgConn& conn, const std::string& violation_id,
                                           bool lock) = 0;
  // Newest first (recorded_at, then violation_id, descending), at most query.limit rows.
  virtual absl::StatusOr<std::vector<ViolationRow>> List(common::PgConn& conn,
                                                         const ViolationQuery& query) = 0;
  // The steps; each records who and when and returns the row as stored afterwards.
  virtual absl::StatusOr<ViolationRow> Confirm(common::PgConn& tx, const std::string& violation_id,
                                               const std::string& by, absl::Time now) = 0;
  virtual absl::StatusOr<ViolationRow> SetOutcome(common::PgConn& tx,
                                                  const std::string& violation_id, int outcome,
                                                  const std::string& note, const std::string& by,
                                                  absl::Time now) = 0;
  virtual absl::StatusOr<ViolationRow> Close(common::PgConn& tx, const std::string& violation_id,
                                             const std::string& note, const std::string& by,
                                             absl::Time now) = 0;
};

class PgViolationStore final : public ViolationStore {
 public:
  absl::StatusOr<ViolationRow> Insert(common::PgConn& tx, const ViolationRow& row, bool confirmed,
                                      absl::Time now) override;
  absl::StatusOr<ViolationRow> Get(common::PgConn& conn, const std::string& violation_id,
                                   bool lock) override;
  absl::StatusOr<std::vector<ViolationRow>> List(common::PgConn& conn,
                                                 const ViolationQuery& query) override;
  absl::StatusOr<ViolationRow> Confirm(common::PgConn& tx, const std::string& violation_id,
                                       const std::string& by, absl::Time now) override;
  absl::StatusOr<ViolationRow> SetOutcome(common::PgConn& tx, const std::string& violation_id,
                                          int outcome, const std::string& note,
                                          const std::string& by, absl::Time now) override;
  absl::StatusOr<ViolationRow> Close(common::PgConn& tx, const std::string& violation_id,
                                     const std::string& note, const std::string& by,
                                     absl::Time now) override;
};

}  // namespace fangxian::quarantine

#endif  // FANGXIAN_SERVICES_QUARANTINE_VIOLATION_STORE_H_
