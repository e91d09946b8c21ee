// Storage of persons of interest behind a small interface; PgPersonStore is the one that
// ships. Every method runs on a connection the caller holds, so a write, the pass colour
// recomputation and anything else of the same change commit in one transaction.
#ifndef FANGXIAN_SERVICES_QUARANTINE_PERSON_STORE_H_
#define FANGXIAN_SERVICES_QUARANTINE_PERSON_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/paging.h"
#include "common/pg.h"

namespace fangxian::quarantine {

struct PersonRow {
  std::string person_id;
  std::string resident_id;
  int category = 0;  // proto number of v1::Category
  int source = 0;    // proto number of v1::Source
  std::string area_code;
  std::string origin_region;
  std::string arrival_date;  // YYYY-MM-DD, empty when unknown (SQL NULL)
  std::string created_by;
  int64_t created_at_micros = 0;
  int risk_level = 1;   // proto number of v1::RiskLevel
  int travel_mode = 0;  // proto number of v1::TravelMode, 0 unknown
  std::string contact_of;
  std::string contact_date;  // YYYY-MM-DD, empty when none (SQL NULL)
  std::string note;
  std::string grid_worker;  // account id, empty when unassigned
  // Fever referrals (written by the checkpoint event consumer); empty / nullopt otherwise.
  std::string referral_alert_id;
  std::string referral_checkpoint_id;
  std::optional<double> referral_temperature;
  std::optional<int64_t> referred_at_micros;
  // Set once closed.
  std::optional<int64_t> closed_at_micros;
  std::string closed_by;
  std::string close_note;
};

// Filters of List; empty / 0 / nullopt: no filter.
struct PersonQuery {
  std::vector<std::string> areas;  // records at or below any of these (at least one)
  int category = 0;
  std::optional<bool> open;  // true: open only; false: closed only
  std::string grid_worker;
  std::optional<common::TimeIdPosition> after;  // the last row of the previous page
  int limit = 0;
};

class PersonStore {
 public:
  virtual ~PersonStore() = default;
  // Inserts `row` (created_at = `now`) and returns it as stored, id filled. ALREADY_EXISTS
  // (naming no record: FindOpen finds it) when the resident already has an open record of
  // the category; that answer leaves the transaction usable.
  virtual absl::StatusOr<PersonRow> Insert(common::PgConn& tx, const PersonRow& row,
                                           absl::Time now) = 0;
  // The resident's open record of `category` (proto number), nullopt when none.
  virtual absl::StatusOr<std::optional<PersonRow>> FindOpen(common::PgConn& conn,
                                                            const std::string& resident_id,
                                                            int category) = 0;
  // NOT_FOUND when absent. `lock`: SELECT ... FOR UPDATE, for a change that follows.
  virtual absl::StatusOr<PersonRow> Get(common::PgConn& conn, const std::string& person_id,
                                        bool lock) = 0;
  // Newest first (created_at, then person_id, descending), at most query.limit rows.
  virtual absl::StatusOr<std::vector<PersonRow>> List(common::PgConn& conn,
                                                      const PersonQuery& query) = 0;
  // The changes of an open record; each returns the row as stored afterwards.
  virtual absl::StatusOr<PersonRow> SetGridWorker(common::PgConn& tx, const std::string& person_id,
                                                  const std::string& grid_worker) = 0;
  virtual absl::StatusOr<PersonRow> SetRiskLevel(common::PgConn& tx, const std::string& person_id,
                                                 int risk_level) = 0;
  virtual absl::StatusOr<PersonRow> Close(common::PgConn& tx, const std::string& person_id,
                                          const std::string& closed_by, const std::string& note,
                                          absl::Time now) = 0;
};

class PgPersonStore final : public PersonStore {
 public:
  absl::StatusOr<PersonRow> Insert(common::PgConn& tx, const PersonRow& row,
                                   absl::Time now) override;
  absl::StatusOr<std::optional<PersonRow>> FindOpen(common::PgConn& conn,
                                                    const std::string& resident_id,
                                                    int category) override;
  absl::StatusOr<PersonRow> Get(common::PgConn& conn, const std::string& person_id,
                                bool lock) override;
  absl::StatusOr<std::vector<PersonRow>> List(common::PgConn& conn,
                                              const PersonQuery& query) override;
  absl::StatusOr<PersonRow> SetGridWorker(common::PgConn& tx, const std::string& person_id,
                                          const std::string& grid_worker) override;
  absl::StatusOr<PersonRow> SetRiskLevel(common::PgConn& tx, const std::string& person_id,
                                         int risk_level) override;
  absl::StatusOr<PersonRow> Close(common::PgConn& tx, const std::string& person_id,
                                  const std::string& closed_by, const std::string& note,
                                  absl::Time now) override;
};

}  // namespace fangxian::quarantine

#endif  // FANGXIAN_SERVICES_QUARANTINE_PERSON_STORE_H_
