// The households of an area as identity lists them (HouseholdService/ListHouseholds),
// read with the caller's token and deadline: each sweep round snapshots them. Blocking:
// call from worker threads.
#ifndef FANGXIAN_SERVICES_QUARANTINE_AREA_HOUSEHOLDS_H_
#define FANGXIAN_SERVICES_QUARANTINE_AREA_HOUSEHOLDS_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/rpc.h"
#include "fangxian/identity/v1/households.grpc.pb.h"

namespace fangxian::quarantine {

// A household as a sweep round lists it.
struct AreaHousehold {
  std::string household_id;
  std::string card_number;
  std::string area_code;
  std::string building_path;  // "" for a household placed directly in a compound
  std::string room;
  std::vector<std::string> member_ids;  // residents, the head included
};

class AreaHouseholds {
 public:
  virtual ~AreaHouseholds() = default;
  // Every household at or below `area_code`, in identity's order (area_code, room,
  // household_id). FAILED_PRECONDITION when there are more than `max`; identity's
  // failures as common::UpstreamFailure makes them (its PERMISSION_DENIED passes through).
  virtual absl::StatusOr<std::vector<AreaHousehold>> List(const common::CallContext& call,
                                                          const std::string& area_code,
                                                          int max) = 0;
};

// The one that ships: identity over gRPC, 500 households a page. `max_wait` caps each
// page's call below the caller's own deadline (FX_QUARANTINE_UPSTREAM_TIMEOUT_MS).
class IdentityAreaHouseholds final : public AreaHouseholds {
 public:
  IdentityAreaHouseholds(std::shared_ptr<grpc::Channel> identity, absl::Duration max_wait)
      : stub_(identity::v1::HouseholdService::NewStub(std::move(identity))), max_wait_(max_wait) {}

  absl::StatusOr<std::vector<AreaHousehold>> List(const common::CallContext& call,
                                                  const std::string& area_code, int max) override;

 private:
  std::unique_ptr<identity::v1::HouseholdService::Stub> stub_;
  const absl::Duration max_wait_;
};

}  // namespace fangxian::quarantine

#endif  // FANGXIAN_SERVICES_QUARANTINE_AREA_HOUSEHOLDS_H_
