// Violations (违规): the business rules, independent of gRPC. A violation is recorded
// REPORTED or CONFIRMED, confirmed, given an outcome and closed; a confirmed one that is
// not closed makes the pass RED, so recording, confirming and closing recompute the
// person's colour in the same transaction.
#ifndef FANGXIAN_SERVICES_QUARANTINE_VIOLATIONS_H_
#define FANGXIAN_SERVICES_QUARANTINE_VIOLATIONS_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/pg.h"
#include "common/rpc.h"
#include "fangxian/quarantine/v1/violations.pb.h"
#include "services/quarantine/pass_colour_engine.h"
#include "services/quarantine/resident_directory.h"
#include "services/quarantine/violation_store.h"

namespace fangxian::quarantine {

inline constexpr size_t kMaxViolationDescriptionChars = 1000;
inline constexpr size_t kMaxViolationNoteChars = 500;
inline constexpr int kDefaultViolationPageSize = 50;
inline constexpr int kMaxViolationPageSize = 500;

// The input rules of RecordViolation that need neither a database nor a caller:
// INVALID_ARGUMENT naming the field, or OK. area_code may be empty (the violation takes
// the resident's area); when given it must be well formed.
absl::Status ValidateNewViolation(const v1::RecordViolationRequest& req);

// The steps after recording, and when each is allowed.
enum class ViolationStep { kConfirm, kSetOutcome, kClose };
// FAILED_PRECONDITION saying what must change first, or OK: confirm only a REPORTED
// violation; set an outcome only on a CONFIRMED one; close a REPORTED one (dismissed) or a
// CONFIRMED one whose outcome is decided, never a closed one.
absl::Status CheckViolationStep(ViolationStep step, const ViolationRow& row);

v1::Violation ViolationToProto(const ViolationRow& row);

class Violations {
 public:
  Violations(common::PgPool& pg, ViolationStore& store, ResidentDirectory& residents,
             const PassColourEngine& colours, common::RpcRuntime::Clock clock)
      : pg_(pg),
        store_(store),
        residents_(residents),
        colours_(colours),
        clock_(std::move(clock)) {}

  // Validates, asks identity for the resident's area (ResidentRecordArea: NOT_FOUND when
  // unknown or out of the caller's scope, INVALID_ARGUMENT when area_code is given and
  // differs), then inserts with that area and recomputes the colour in one transaction.
  absl::StatusOr<v1::Violation> Record(const common::CallContext& call,
                                       const v1::RecordViolationRequest& req);
  absl::StatusOr<v1::Violation> Confirm(const common::CallContext& call,
                                        const v1::ConfirmViolationRequest& req);
  absl::StatusOr<v1::Violation> SetOutcome(const common::CallContext& call,
                                           const v1::SetViolationOutcomeRequest& req);
  absl::StatusOr<v1::Violation> Close(const common::CallContext& call,
                                      const v1::CloseViolationRequest& req);
  // Get and the steps: NOT_FOUND when absent or outside the caller's scope (existence is
  // not revealed).
  absl::StatusOr<v1::Violation> Get(const common::CallContext& call,
                                    const v1::GetViolationRequest& req);
  absl::StatusOr<v1::ListViolationsResponse> List(const common::CallContext& call,
                                                  const v1::ListViolationsRequest& req);

 private:
  // In one transaction: locks the violation, checks the caller's scope covers its area
  // (else NOT_FOUND) and that `step` is allowed, runs `change(tx, now)`, and, when `recompute`,
  // recomputes the person's colour; publishes after COMMIT.
  absl::StatusOr<v1::Violation> Step(
      const common::CallContext& call, const std::string& violation_id, ViolationStep step,
      bool recompute,
      const std::function<absl::StatusOr<ViolationRow>(common::PgConn&, absl::Time)>& change);

  common::PgPool& pg_;
  ViolationStore& store_;
  ResidentDirectory& residents_;
  const PassColourEngine& colours_;
  common::RpcRuntime::Clock clock_;
};

}  // namespace fangxian::quarantine

#endif  // FANGXIAN_SERVICES_QUARANTINE_VIOLATIONS_H_
