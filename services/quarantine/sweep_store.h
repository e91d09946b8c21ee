// Storage of sweeps, their rounds' household lists, visits, registrations and findings
// behind a small interface; PgSweepStore is the one that ships. Every method runs on a
// connection the caller holds, so a visit, the persons of interest it creates and their
// colour recomputation commit in one transaction (Sweeps owns the transactions).
#ifndef FANGXIAN_SERVICES_QUARANTINE_SWEEP_STORE_H_
#define FANGXIAN_SERVICES_QUARANTINE_SWEEP_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/paging.h"
#include "common/pg.h"
#include "services/quarantine/household_directory.h"
#include "services/quarantine/sweep_rules.h"

namespace fangxian::quarantine {

struct SweepTeamRow {
  std::string name;
  std::vector<std::string> member_subjects;
};

struct RoundRow {
  int round = 0;
  int households = 0;
  int64_t opened_at_micros = 0;
  std::string opened_by;
  std::optional<int64_t> closed_at_micros;
};

struct SweepRow {
  std::string sweep_id;
  std::string name;
  std::string area_code;
  int current_round = 0;
  std::string created_by;
  int64_t created_at_micros = 0;
  std::vector<SweepTeamRow> teams;  // in the order given
  std::vector<RoundRow> rounds;     // oldest first
};

struct VisitRow {
  std::string visit_id;
  std::string sweep_id;
  int round = 0;
  std::string household_id;
  int outcome = 0;  // v1::VisitOutcome
  bool notice_left = false;
  std::string note;
  std::string team;
  std::string recorded_by;
  int64_t visited_at_micros = 0;
};

struct RegistrationRow {
  std::string sweep_id;
  int round = 0;
  std::string household_id;
  int64_t registered_at_micros = 0;
  std::string note;
  std::string recorded_by;
};

// A household of a round's list waiting in the revisit queue.
struct RevisitRow {
  AreaHousehold household;
  int position = 0;
  VisitRow last_visit;
};

class SweepStore {
 public:
  virtual ~SweepStore() = default;

  // Inserts the sweep and its teams (created_at = `now`); returns it with its id.
  virtual absl::StatusOr<SweepRow> InsertSweep(common::PgConn& tx, const SweepRow& row,
                                               absl::Time now) = 0;
  // With teams and rounds. NOT_FOUND when absent.
  virtual absl::StatusOr<SweepRow> GetSweep(common::PgConn& conn, const std::string& sweep_id) = 0;
  // Sweeps over `area`, within it or over an ancestor of it, newest first (created_at,
  // then sweep_id, descending), after `after`, at most `limit`; with teams and rounds.
  virtual absl::StatusOr<std::vector<SweepRow>> ListSweeps(
      common::PgConn& conn, const std::string& area,
      const std::optional<common::TimeIdPosition>& after, int limit) = 0;
  // Locks the sweep (FOR UPDATE when `exclusive`, else FOR SHARE) and returns its open
  // round (0: none). NOT_FOUND when absent.
  virtual absl::StatusOr<int> LockSweep(common::PgConn& tx, const std::string& sweep_id,
                                        bool exclusive) = 0;
  // Closes the open round (if any) at `now`, opens `round` over `households` (listed in
  // that order) and makes it the sweep's open round. The sweep must be locked FOR UPDATE.
  virtual absl::StatusOr<RoundRow> OpenRound(common::PgConn& tx, const std::string& sweep_id,
                                             int round,
                                             const std::vector<AreaHousehold>& households,
                                             const std::string& opened_by, absl::Time now) = 0;
  // A household of the round's list; std::nullopt when not in it. `lock`: FOR UPDATE, so
  // visits and registrations of one household are taken one at a time.
  virtual absl::StatusOr<std::optional<AreaHousehold>> FindHousehold(
      common::PgConn& conn, const std::string& sweep_id, int round, const std::string& household_id,
      bool lock) = 0;
  // Inserts a visit (visit_id and visited_at = `now` filled).
  virtual absl::StatusOr<VisitRow> InsertVisit(common::PgConn& tx, const VisitRow& row,
                                               absl::Time now) = 0;
  // Links a visit to the person of interest its finding created (`created`) or found open.
  virtual absl::Status InsertFinding(common::PgConn& tx, const std::string& visit_id,
                                     const std::string& resident_id, int category,
                                     const std::string& person_id, bool created) = 0;
  // The person_id of the resident's open person of interest of `category`. ABORTED when
  // there is none (it was closed since the caller saw it: retry).
  virtual absl::StatusOr<std::string> OpenPersonId(common::PgConn& tx,
                                                   const std::string& resident_id,
                                                   int category) = 0;
  // The household's latest visit in the round; std::nullopt when none.
  virtual absl::StatusOr<std::optional<LatestVisit>> LatestVisitOf(
      common::PgConn& conn, const std::string& sweep_id, int round,
      const std::string& household_id) = 0;
  // ALREADY_EXISTS when the household's registration for the round is recorded.
  virtual absl::Status InsertRegistration(common::PgConn& tx, const RegistrationRow& row,
                                          absl::Time now) = 0;
  // Households of the round's list in `area` (at or below) whose latest outcome is
  // NOT_AT_HOME without a registration, by list position after `after_position` (-1:
  // from the start), at most `limit`.
  virtual absl::StatusOr<std::vector<RevisitRow>> RevisitQueue(common::PgConn& conn,
                                                               const std::string& sweep_id,
                                                               int round, const std::string& area,
                                                               int after_position, int limit) = 0;
  // Counts of the round's households in `area` (at or below) by latest outcome, per
  // building (the building path, or the household's area when it has none), by path.
  virtual absl::StatusOr<std::vector<CoverageCounts>> Coverage(common::PgConn& conn,
                                                               const std::string& sweep_id,
                                                               int round,
                                                               const std::string& area) = 0;
};

class PgSweepStore final : public SweepStore {
 public:
  absl::StatusOr<SweepRow> InsertSweep(common::PgConn& tx, const SweepRow& row,
                                       absl::Time now) override;
  absl::StatusOr<SweepRow> GetSweep(common::PgConn& conn, const std::string& sweep_id) override;
  absl::StatusOr<std::vector<SweepRow>> ListSweeps(
      common::PgConn& conn, const std::string& area,
      const std::optional<common::TimeIdPosition>& after, int limit) override;
  absl::StatusOr<int> LockSweep(common::PgConn& tx, const std::string& sweep_id,
                                bool exclusive) override;
  absl::StatusOr<RoundRow> OpenRound(common::PgConn& tx, const std::string& sweep_id, int round,
                                     const std::vector<AreaHousehold>& households,
                                     const std::string& opened_by, absl::Time now) override;
  absl::StatusOr<std::optional<AreaHousehold>> FindHousehold(common::PgConn& conn,
                                                             const std::string& sweep_id, int round,
                                                             const std::string& household_id,
                                                             bool lock) override;
  absl::StatusOr<VisitRow> InsertVisit(common::PgConn& tx, const VisitRow& row,
                                       absl::Time now) override;
  absl::Status InsertFinding(common::PgConn& tx, const std::string& visit_id,
                             const std::string& resident_id, int category,
                             const std::string& person_id, bool created) override;
  absl::StatusOr<std::string> OpenPersonId(common::PgConn& tx, const std::string& resident_id,
                                           int category) override;
  absl::StatusOr<std::optional<LatestVisit>> LatestVisitOf(
      common::PgConn& conn, const std::string& sweep_id, int round,
      const std::string& household_id) override;
  absl::Status InsertRegistration(common::PgConn& tx, const RegistrationRow& row,
                                  absl::Time now) override;
  absl::StatusOr<std::vector<RevisitRow>> RevisitQueue(common::PgConn& conn,
                                                       const std::string& sweep_id, int round,
                                                       const std::string& area, int after_position,
                                                       int limit) override;
  absl::StatusOr<std::vector<CoverageCounts>> Coverage(common::PgConn& conn,
                                                       const std::string& sweep_id, int round,
                                                       const std::string& area) override;
};

}  // namespace fangxian::quarantine

#endif  // FANGXIAN_SERVICES_QUARANTINE_SWEEP_STORE_H_
