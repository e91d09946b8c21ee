// Persons of interest (returnees, close contacts, fever referrals): the business rules,
// independent of gRPC. Takes plain values and the caller's identity. Each record is one
// follow-up episode; a resident has at most one open episode per category.
#ifndef FANGXIAN_SERVICES_QUARANTINE_PERSONS_OF_INTEREST_H_
#define FANGXIAN_SERVICES_QUARANTINE_PERSONS_OF_INTEREST_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/pg.h"
#include "common/rpc.h"
#include "fangxian/quarantine/v1/quarantine.pb.h"
#include "services/quarantine/pass_colour_engine.h"
#include "services/quarantine/person_store.h"
#include "services/quarantine/resident_directory.h"

namespace fangxian::quarantine {

inline constexpr size_t kMaxOriginRegionChars = 100;
inline constexpr size_t kMaxContactOfChars = 100;
inline constexpr size_t kMaxPersonNoteChars = 500;
inline constexpr int kDefaultPersonPageSize = 50;
inline constexpr int kMaxPersonPageSize = 500;

// The input rules of CreatePersonOfInterest that need neither a database nor a caller:
// INVALID_ARGUMENT naming the field, or OK. `now` decides which dates are in the future
// (China Standard Time day). Output-only fields are ignored. FEVER_REFERRAL is refused:
// referrals come only from checkpoint fever alerts (docs/quarantine.md). area_code may be
// empty (the record takes the resident's area); when given it must be well formed.
absl::Status ValidateNewPersonOfInterest(const v1::PersonOfInterest& in, absl::Time now);

// INVALID_ARGUMENT naming "note" unless 1..500 characters of text.
absl::Status ValidateCloseNote(absl::string_view note);

v1::PersonOfInterest PersonToProto(const PersonRow& row);

class PersonsOfInterest {
 public:
  PersonsOfInterest(common::PgPool& pg, PersonStore& store, ResidentDirectory& residents,
                    const PassColourEngine& colours, common::RpcRuntime::Clock clock)
      : pg_(pg),
        store_(store),
        residents_(residents),
        colours_(colours),
        clock_(std::move(clock)) {}

  // Validates, asks identity for the resident's area (ResidentRecordArea: NOT_FOUND when
  // unknown or out of the caller's scope, INVALID_ARGUMENT when person.area_code is given
  // and differs), then inserts with that area and recomputes the resident's colour in one
  // transaction; publishes the colour after COMMIT.
  absl::StatusOr<v1::PersonOfInterest> Create(const common::CallContext& call,
                                              const v1::CreatePersonOfInterestRequest& req);
  // Create's rules and insert inside the caller's own transaction, with the caller's
  // `now`, for a caller that already knows the resident's area and sets it in
  // in.area_code (sweep findings: the household's area and members come from identity).
  // The caller's scope must cover that area. Does NOT recompute: the caller calls
  // colours.Recompute for the resident in the same transaction and Published after
  // COMMIT. ALREADY_EXISTS (the open record named only when the caller's scope covers it)
  // leaves the transaction usable.
  absl::StatusOr<v1::PersonOfInterest> CreateIn(common::PgConn& tx, const common::CallContext& call,
                                                const v1::PersonOfInterest& in, absl::Time now);
  // NOT_FOUND when absent or outside the caller's scope (existence is not revealed).
  absl::StatusOr<v1::PersonOfInterest> Get(const common::CallContext& call,
                                           const v1::GetPersonOfInterestRequest& req);
  absl::StatusOr<v1::ListPersonsOfInterestResponse> List(
      const common::CallContext& call, const v1::ListPersonsOfInterestRequest& req);
  // The changes of an open record: the caller's scope (grants of the method's roles) must
  // cover its area (else NOT_FOUND, as Get); FAILED_PRECONDITION once closed.
  absl::StatusOr<v1::PersonOfInterest> AssignGridWorker(const common::CallContext& call,
                                                        const v1::AssignGridWorkerRequest& req);
  absl::StatusOr<v1::PersonOfInterest> SetRiskLevel(const common::CallContext& call,
                                                    const v1::SetRiskLevelRequest& req);
  // Closes the episode and recomputes the colour in the same transaction.
  absl::StatusOr<v1::PersonOfInterest> Close(const common::CallContext& call,
                                             const v1::ClosePersonOfInterestRequest& req);

 private:
  // In one transaction: locks the record, checks scope and that it is open, runs
  // `change(tx, now)`, and, when `recompute`, recomputes the resident's colour; publishes
  // after COMMIT.
  absl::StatusOr<v1::PersonOfInterest> ChangeOpen(
      const common::CallContext& call, const std::string& person_id, bool recompute,
      const std::function<absl::StatusOr<PersonRow>(common::PgConn&, absl::Time)>& change);

  common::PgPool& pg_;
  PersonStore& store_;
  ResidentDirectory& residents_;
  const PassColourEngine& colours_;
  common::RpcRuntime::Clock clock_;
};

}  // namespace fangxian::quarantine

#endif  // FANGXIAN_SERVICES_QUARANTINE_PERSONS_OF_INTEREST_H_
