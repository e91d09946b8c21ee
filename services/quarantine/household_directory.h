// Households as identity knows them (HouseholdService), read with the caller's token and
// deadline: isolation orders and letter signings take one household's area and members
// (GetHousehold); each sweep round snapshots the households of an area (ListHouseholds).
// Blocking: call from worker threads.
#ifndef FANGXIAN_SERVICES_QUARANTINE_HOUSEHOLD_DIRECTORY_H_
#define FANGXIAN_SERVICES_QUARANTINE_HOUSEHOLD_DIRECTORY_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/rpc.h"
#include "fangxian/identity/v1/households.grpc.pb.h"

namespace fangxian::quarantine {

// A household as an isolation order or a letter signing reads it.
struct HouseholdInfo {
  struct Member {
    std::string resident_id;
    std::string name;
  };
  std::string household_id;
  std::string area_code;
  std::vector<Member> members;  // the head included
};

// A household as a sweep round lists it.
struct AreaHousehold {
  std::string household_id;
  std::string card_number;
  std::string area_code;
  std::string building_path;  // "" for a household placed directly in a compound
  std::string room;
  std::vector<std::string> member_ids;  // residents, the head included
};

class HouseholdDirectory {
 public:
  virtual ~HouseholdDirectory() = default;
  // NOT_FOUND naming household_id when identity knows no such household in the caller's
  // scope; identity's other failures as common::UpstreamFailure makes them.
  virtual absl::StatusOr<HouseholdInfo> Get(const common::CallContext& call,
                                            const std::string& household_id) = 0;
  // Every household at or below `area_code`, in identity's order (area_code, room,
  // household_id). FAILED_PRECONDITION when there are more than `max`; identity's
  // failures as common::UpstreamFailure makes them (its PERMISSION_DENIED passes through).
  virtual absl::StatusOr<std::vector<AreaHousehold>> ListArea(const common::CallContext& call,
                                                              const std::string& area_code,
                                                              int max) = 0;
};

// The one that ships: identity over gRPC (ListArea reads 500 households a page).
// `max_wait` caps each call (each page) below the caller's own deadline
// (FX_QUARANTINE_UPSTREAM_TIMEOUT_MS).
class IdentityHouseholds final : public HouseholdDirectory {
 public:
  IdentityHouseholds(std::shared_ptr<grpc::Channel> identity, absl::Duration max_wait)
      : stub_(identity::v1::HouseholdService::NewStub(std::move(identity))), max_wait_(max_wait) {}

  absl::StatusOr<HouseholdInfo> Get(const common::CallContext& call,
                                    const std::string& household_id) override;
  absl::StatusOr<std::vector<AreaHousehold>> ListArea(const common::CallContext& call,
                                                      const std::string& area_code,
                                                      int max) override;

 private:
  std::unique_ptr<identity::v1::HouseholdService::Stub> stub_;
  const absl::Duration max_wait_;
};

}  // namespace fangxian::quarantine

#endif  // FANGXIAN_SERVICES_QUARANTINE_HOUSEHOLD_DIRECTORY_H_
