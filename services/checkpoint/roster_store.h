// Storage of rosters (leading cadres and post assignments) behind a small interface;
// PgRosterStore is the one that ships. The business rules are callbacks from the logic
// (roster.h), judged under the store's row locks so concurrent changes cannot slip in
// between the check and the write.
#ifndef FANGXIAN_SERVICES_CHECKPOINT_ROSTER_STORE_H_
#define FANGXIAN_SERVICES_CHECKPOINT_ROSTER_STORE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/pg.h"

namespace fangxian::checkpoint {

struct CadreRow {
  std::string checkpoint_id;
  absl::CivilDay date;
  std::string account_id;
  std::string assigned_by;
  int64_t assigned_at_micros = 0;
};

struct AssignmentRow {
  std::string assignment_id;
  std::string checkpoint_id;
  absl::CivilDay date;
  int shift = 0;
  int post = 0;  // proto number of v1::Post
  std::string account_id;
  std::string assigned_by;
  int64_t assigned_at_micros = 0;
  std::optional<int64_t> clock_in_micros;
  std::optional<int64_t> clock_out_micros;
};

// One post of one shift of one checkpoint.
struct PostSlot {
  std::string checkpoint_id;
  absl::CivilDay date;
  int shift = 0;
  int post = 0;
};

struct RosterDay {
  std::optional<CadreRow> cadre;
  std::vector<AssignmentRow> assignments;  // by shift, then post
};

class RosterStore {
 public:
  // Judges an assignment given the post's current holder and the person's current post in
  // the same shift (anywhere); returns true when the assignment must be written (replacing
  // the holder), false when it is already in place, or an error.
  using AssignJudge = std::function<absl::StatusOr<bool>(
      const std::optional<AssignmentRow>& holder, const std::optional<AssignmentRow>& persons)>;
  // Judges (and changes the clock times of) an assignment before it is written or removed.
  using Change = std::function<absl::Status(AssignmentRow&)>;

  virtual ~RosterStore() = default;
  // Names (or replaces) the leading cadre of a day; returns the stored row.
  virtual absl::StatusOr<CadreRow> SetCadre(const CadreRow& row) = 0;
  // Assigns `wanted` (its checkpoint, date, shift, post, account_id, assigned_by) after
  // `judge` agreed; returns the stored assignment. ALREADY_EXISTS when the person took
  // another post of the shift concurrently, ABORTED when the post changed concurrently.
  virtual absl::StatusOr<AssignmentRow> Assign(const AssignmentRow& wanted,
                                               const AssignJudge& judge) = 0;
  // Removes the holder of `slot` after `judge` agreed; returns what was removed. NOT_FOUND
  // when nobody holds it.
  virtual absl::StatusOr<AssignmentRow> Unassign(const PostSlot& slot, const Change& judge) = 0;
  virtual absl::StatusOr<RosterDay> GetDay(const std::string& checkpoint_id,
                                           absl::CivilDay date) = 0;
  // Applies `change` to the clock times of `account_id`'s assignment in the shift and
  // writes them; returns the stored row. NOT_FOUND when the person has no post there.
  virtual absl::StatusOr<AssignmentRow> UpdateClock(const std::string& checkpoint_id,
                                                    absl::CivilDay date, int shift,
                                                    const std::string& account_id,
                                                    const Change& change) = 0;
};

class PgRosterStore final : public RosterStore {
 public:
  explicit PgRosterStore(common::PgPool& pool) : pool_(pool) {}
  absl::StatusOr<CadreRow> SetCadre(const CadreRow& row) override;
  absl::StatusOr<AssignmentRow> Assign(const AssignmentRow& wanted,
                                       const AssignJudge& judge) override;
  absl::StatusOr<AssignmentRow> Unassign(const PostSlot& slot, const Change& judge) override;
  absl::StatusOr<RosterDay> GetDay(const std::string& checkpoint_id, absl::CivilDay date) override;
  absl::StatusOr<AssignmentRow> UpdateClock(const std::string& checkpoint_id, absl::CivilDay date,
                                            int shift, const std::string& account_id,
                                            const Change& change) override;

 private:
  common::PgPool& pool_;
};

}  // namespace fangxian::checkpoint

#endif  // FANGXIAN_SERVICES_CHECKPOINT_ROSTER_STORE_H_
