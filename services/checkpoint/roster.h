// The roster ("3 ones", "4 posts"): leading cadres, post assignments, clock-in/out and the
// coverage of the current shift. Business rules independent of gRPC; the identity lookup
// of cadres is behind StaffDirectory so the rules can be tested without identity.
#ifndef FANGXIAN_SERVICES_CHECKPOINT_ROSTER_H_
#define FANGXIAN_SERVICES_CHECKPOINT_ROSTER_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/rpc.h"
#include "fangxian/checkpoint/v1/roster.pb.h"
#include "fangxian/identity/v1/identity.grpc.pb.h"
#include "services/checkpoint/checkpoints.h"
#include "services/checkpoint/roster_store.h"
#include "services/checkpoint/shifts.h"

namespace fangxian::checkpoint {

// Rosters may be changed for days from yesterday to this many days ahead (China time).
inline constexpr int kRosterDaysAhead = 60;

// "YYYY-MM-DD" of a day a roster may be changed for, given today (China time):
// INVALID_ARGUMENT naming `field` otherwise.
absl::StatusOr<absl::CivilDay> ParseRosterDate(absl::string_view field, absl::string_view date,
                                               absl::CivilDay today);
// INVALID_ARGUMENT unless 1 <= shift <= shifts.count().
absl::Status ValidateShift(int shift, const ShiftPattern& shifts);
// INVALID_ARGUMENT unless `post` is one of the four posts.
absl::Status ValidatePost(int post);

// The rules of AssignPost under the store's locks: the current holder of the post and
// the person's current post in the same shift. True: write (replacing the holder); false:
// already in place. FAILED_PRECONDITION when the holder has clocked in; ALREADY_EXISTS
// when the person holds another post of the shift.
absl::StatusOr<bool> JudgeAssignment(const AssignmentRow& wanted,
                                     const std::optional<AssignmentRow>& holder,
                                     const std::optional<AssignmentRow>& persons);
// Removing an assignment: FAILED_PRECONDITION once its holder has clocked in.
absl::Status JudgeUnassignment(const AssignmentRow& current);
// Clocking in at `now`: idempotent once in; FAILED_PRECONDITION after clocking out.
absl::Status ApplyClockIn(AssignmentRow& row, absl::Time now);
// Clocking out at `now`: idempotent once out; FAILED_PRECONDITION before clocking in.
absl::Status ApplyClockOut(AssignmentRow& row, absl::Time now);

// The state of a post given its assignment in the shift (nullptr: none).
v1::PostState PostStateOf(const AssignmentRow* assignment);
// The coverage of `slot` at a checkpoint from the day's roster (assignments of other
// shifts are ignored).
v1::Coverage ComputeCoverage(const CheckpointRow& checkpoint, const ShiftPattern::Slot& slot,
                             const RosterDay& day);

v1::PostAssignment AssignmentToProto(const AssignmentRow& row);

// Who a staff account is, as far as the roster needs to know.
class StaffDirectory {
 public:
  virtual ~StaffDirectory() = default;
  // The staff account `account_id`, looked up with the caller's credentials: NOT_FOUND
  // (no such account, or one the caller may not read), UNAVAILABLE (directory
  // unreachable) or the directory's own refusal.
  virtual absl::StatusOr<identity::v1::StaffAccount> Get(const common::CallContext& call,
                                                         const std::string& account_id) = 0;
};

// Judges an account identity returned: FAILED_PRECONDITION unless a cadre, not disabled.
absl::Status JudgeCadre(const identity::v1::StaffAccount& account);
// Judges the account of a post holder: FAILED_PRECONDITION when it is disabled, or is not
// a person's staff account (a resident's or another system's account holds no post).
absl::Status JudgePostHolder(const identity::v1::StaffAccount& account);

// StaffDirectory on identity's GetStaffAccount, called with the caller's token and
// deadline (capped at 2 s).
class IdentityStaffDirectory final : public StaffDirectory {
 public:
  explicit IdentityStaffDirectory(std::shared_ptr<grpc::Channel> identity)
      : stub_(identity::v1::IdentityService::NewStub(std::move(identity))) {}
  absl::StatusOr<identity::v1::StaffAccount> Get(const common::CallContext& call,
                                                 const std::string& account_id) override;

 private:
  std::unique_ptr<identity::v1::IdentityService::Stub> stub_;
};

class Roster {
 public:
  Roster(Checkpoints& checkpoints, RosterStore& store, StaffDirectory& staff,
         const ShiftPattern& shifts, common::RpcRuntime::Clock clock)
      : checkpoints_(checkpoints),
        store_(store),
        staff_(staff),
        shifts_(shifts),
        clock_(std::move(clock)) {}

  absl::StatusOr<v1::LeadingCadre> SetLeadingCadre(const common::CallContext& call,
                                                   const v1::SetLeadingCadreRequest& req);
  absl::StatusOr<v1::PostAssignment> AssignPost(const common::CallContext& call,
                                                const v1::AssignPostRequest& req);
  absl::StatusOr<v1::UnassignPostResponse> UnassignPost(const common::CallContext& call,
                                                        const v1::UnassignPostRequest& req);
  absl::StatusOr<v1::Roster> GetRoster(const common::CallContext& call,
                                       const v1::GetRosterRequest& req);
  absl::StatusOr<v1::PostAssignment> ClockIn(const common::CallContext& call,
                                             const v1::ClockInRequest& req);
  absl::StatusOr<v1::PostAssignment> ClockOut(const common::CallContext& call,
                                              const v1::ClockOutRequest& req);
  absl::StatusOr<v1::Coverage> GetCoverage(const common::CallContext& call,
                                           const v1::GetCoverageRequest& req);

 private:
  // The slot's inputs must be valid and the caller's scope must cover every area of the
  // checkpoint (Checkpoints::Administered).
  absl::StatusOr<PostSlot> CheckSlot(const common::CallContext& call,
                                     const std::string& checkpoint_id, const std::string& date,
                                     int shift, int post);
  absl::StatusOr<v1::PostAssignment> Clock(const common::CallContext& call,
                                           const std::string& checkpoint_id, bool in);

  Checkpoints& checkpoints_;
  RosterStore& store_;
  StaffDirectory& staff_;
  const ShiftPattern& shifts_;
  common::RpcRuntime::Clock clock_;
};

}  // namespace fangxian::checkpoint

#endif  // FANGXIAN_SERVICES_CHECKPOINT_ROSTER_H_
