// Storage of health check-ins and follow-up flags behind a small interface;
// PgCheckInStore is the one that ships. Writes that change a colour fact recompute the
// person's pass colour in their own transaction (pass_colour_engine.h).
#ifndef FANGXIAN_SERVICES_QUARANTINE_CHECK_IN_STORE_H_
#define FANGXIAN_SERVICES_QUARANTINE_CHECK_IN_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/paging.h"
#include "common/pg.h"
#include "services/quarantine/access.h"
#include "services/quarantine/pass_colour_engine.h"

namespace fangxian::quarantine {

struct CheckInRow {
  std::string check_in_id;
  std::string order_id;
  std::string resident_id;
  int temperature_tenths = 0;
  std::vector<int> symptoms;  // proto numbers of v1::Symptom
  bool abnormal = false;
  std::string note;
  std::string recorded_by;
  bool by_resident = false;
  int64_t checked_at_micros = 0;
  absl::CivilDay china_day;
  int slot = 0;
  std::string area_code;  // read only: the order's area
};

struct FlagRow {
  std::string flag_id;
  std::string resident_id;
  std::string area_code;
  std::string check_in_id;
  int64_t raised_at_micros = 0;
  std::optional<int64_t> cleared_at_micros;
  std::string cleared_by;
  std::string clear_note;
};

// A member of an order active on some day, with the slots of that day they filled.
struct ReportingRow {
  std::string resident_id;
  std::string name;
  std::string order_id;
  std::string household_id;
  std::string area_code;
  int checkins_per_day = 2;
  absl::Time order_created;
  std::optional<absl::Time> released;
  std::vector<int> filled_slots;
};

// Where a page of the non-reporting list ends: area, order and resident of its last row.
struct ReportingPosition {
  std::string area_code;
  std::string order_id;
  std::string resident_id;
};

class CheckInStore {
 public:
  virtual ~CheckInStore() = default;

  // The unreleased order `resident_id` is a member of whose start_date is `today` or
  // earlier; std::nullopt when there is none.
  virtual absl::StatusOr<std::optional<MemberOrder>> ActiveOrderOf(const std::string& resident_id,
                                                                   absl::CivilDay today) = 0;
  // The active order (as ActiveOrderOf) both `member_id` and `resident_id` are members
  // of; std::nullopt when none.
  virtual absl::StatusOr<std::optional<std::string>> SharedActiveOrder(
      const std::string& member_id, const std::string& resident_id, absl::CivilDay today) = 0;
  // In one transaction: checks the order is still unreleased (FAILED_PRECONDITION when
  // not), inserts the check-in, opens a follow-up flag when it is abnormal and none is
  // open, and recomputes the person's colour at `now`. Fills check_in_id; `flag_id` gets
  // the person's open flag when the check-in is abnormal; `changes` the colour changes.
  virtual absl::Status Record(CheckInRow& row, absl::Time now, std::string* flag_id,
                              std::vector<PassChange>* changes) = 0;
  // The person's check-ins on China days from..to, newest first, with their order's area.
  virtual absl::StatusOr<std::vector<CheckInRow>> List(const std::string& resident_id,
                                                       absl::CivilDay from, absl::CivilDay to) = 0;
  // The areas of every order (released or not) the person is a member of.
  virtual absl::StatusOr<std::vector<std::string>> OrderAreasOf(const std::string& resident_id) = 0;
  // Members of the orders of `area_code` or below that were active on `day` (started by
  // then, not released before it began), ordered by area, order and resident, after
  // `after`, at most `limit`.
  virtual absl::StatusOr<std::vector<ReportingRow>> Reporting(
      const std::string& area_code, absl::CivilDay day,
      const std::optional<ReportingPosition>& after, int limit) = 0;
  // Flags of `area_code` or below, newest first, open ones only unless include_cleared.
  virtual absl::StatusOr<std::vector<FlagRow>> ListFlags(
      const std::string& area_code, bool include_cleared,
      const std::optional<common::TimeIdPosition>& after, int limit) = 0;
  // NOT_FOUND when absent.
  virtual absl::StatusOr<FlagRow> GetFlag(const std::string& flag_id) = 0;
  // In one transaction: clears the flag (FAILED_PRECONDITION when already cleared) and
  // recomputes the person's colour at `now`. Returns the cleared flag.
  virtual absl::StatusOr<FlagRow> ClearFlag(const std::string& flag_id, const std::string& by,
                                            const std::string& note, absl::Time now,
                                            std::vector<PassChange>* changes) = 0;
};

class PgCheckInStore final : public CheckInStore {
 public:
  PgCheckInStore(common::PgPool& pool, const PassColourEngine& engine)
      : pool_(pool), engine_(engine) {}

  absl::StatusOr<std::optional<MemberOrder>> ActiveOrderOf(const std::string& resident_id,
                                                           absl::CivilDay today) override;
  absl::StatusOr<std::optional<std::string>> SharedActiveOrder(const std::string& member_id,
                                                               const std::string& resident_id,
                                                               absl::CivilDay today) override;
  absl::Status Record(CheckInRow& row, absl::Time now, std::string* flag_id,
                      std::vector<PassChange>* changes) override;
  absl::StatusOr<std::vector<CheckInRow>> List(const std::string& resident_id, absl::CivilDay from,
                                               absl::CivilDay to) override;
  absl::StatusOr<std::vector<std::string>> OrderAreasOf(const std::string& resident_id) override;
  absl::StatusOr<std::vector<ReportingRow>> Reporting(const std::string& area_code,
                                                      absl::CivilDay day,
                                                      const std::optional<ReportingPosition>& after,
                                                      int limit) override;
  absl::StatusOr<std::vector<FlagRow>> ListFlags(const std::string& area_code, bool include_cleared,
                                                 const std::optional<common::TimeIdPosition>& after,
                                                 int limit) override;
  absl::StatusOr<FlagRow> GetFlag(const std::string& flag_id) override;
  absl::StatusOr<FlagRow> ClearFlag(const std::string& flag_id, const std::string& by,
                                    const std::string& note, absl::Time now,
                                    std::vector<PassChange>* changes) override;

 private:
  common::PgPool& pool_;
  const PassColourEngine& engine_;
};

}  // namespace fangxian::quarantine

#endif  // FANGXIAN_SERVICES_QUARANTINE_CHECK_IN_STORE_H_
