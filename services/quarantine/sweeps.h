// Sweeps (全域排查), "one household, one card": the business logic, independent of gRPC.
// Takes plain values and the caller's identity; owns the transactions, so a visit, the
// persons of interest its findings create and their pass colours commit together.
#ifndef FANGXIAN_SERVICES_QUARANTINE_SWEEPS_H_
#define FANGXIAN_SERVICES_QUARANTINE_SWEEPS_H_

#include <utility>

#include "absl/status/statusor.h"
#include "common/pg.h"
#include "common/rpc.h"
#include "fangxian/quarantine/v1/sweeps.pb.h"
#include "services/quarantine/household_directory.h"
#include "services/quarantine/pass_colour_engine.h"
#include "services/quarantine/persons_of_interest.h"
#include "services/quarantine/sweep_store.h"

namespace fangxian::quarantine {

class Sweeps {
 public:
  Sweeps(common::PgPool& pg, SweepStore& store, HouseholdDirectory& households,
         PersonsOfInterest& persons, const PassColourEngine& colours,
         common::RpcRuntime::Clock clock)
      : pg_(pg),
        store_(store),
        households_(households),
        persons_(persons),
        colours_(colours),
        clock_(std::move(clock)) {}

  // Scope over the sweep's area.
  absl::StatusOr<v1::Sweep> Create(const common::CallContext& call,
                                   const v1::CreateSweepRequest& request);
  // The sweep's area and the caller's scope must meet (either contains the other).
  absl::StatusOr<v1::Sweep> Get(const common::CallContext& call,
                                const v1::GetSweepRequest& request);
  // Scope over request.area_code.
  absl::StatusOr<v1::ListSweepsResponse> List(const common::CallContext& call,
                                              const v1::ListSweepsRequest& request);
  // Scope over the sweep's area; lists the households from identity with the caller's
  // token before the transaction that opens the round.
  absl::StatusOr<v1::Round> StartRound(const common::CallContext& call,
                                       const v1::StartRoundRequest& request);
  // Scope over the household's area.
  absl::StatusOr<v1::RecordVisitResponse> RecordVisit(const common::CallContext& call,
                                                      const v1::RecordVisitRequest& request);
  absl::StatusOr<v1::Registration> RecordRegistration(const common::CallContext& call,
                                                      const v1::RecordRegistrationRequest& request);
  // Scope over request.area_code (default the sweep's area).
  absl::StatusOr<v1::ListRevisitQueueResponse> ListRevisitQueue(
      const common::CallContext& call, const v1::ListRevisitQueueRequest& request);
  absl::StatusOr<v1::Coverage> GetCoverage(const common::CallContext& call,
                                           const v1::GetCoverageRequest& request);

 private:
  // The sweep, if the caller may see it (GetSweep's rule).
  absl::StatusOr<SweepRow> VisibleSweep(const common::CallContext& call,
                                        const std::string& sweep_id);

  common::PgPool& pg_;
  SweepStore& store_;
  HouseholdDirectory& households_;
  PersonsOfInterest& persons_;
  const PassColourEngine& colours_;
  common::RpcRuntime::Clock clock_;
};

}  // namespace fangxian::quarantine

#endif  // FANGXIAN_SERVICES_QUARANTINE_SWEEPS_H_
