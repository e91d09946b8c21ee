// Residents as identity knows them (IdentityService/GetResident), read with the caller's
// token and deadline. A person of interest or a violation belongs to the area the resident
// is registered in, not to an area the caller names: otherwise a caller could open a
// record (and change the pass colour) of anyone in the city by naming their own area.
// Blocking: call from worker threads, outside any database transaction.
#ifndef FANGXIAN_SERVICES_QUARANTINE_RESIDENT_DIRECTORY_H_
#define FANGXIAN_SERVICES_QUARANTINE_RESIDENT_DIRECTORY_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/rpc.h"
#include "fangxian/identity/v1/identity.grpc.pb.h"

namespace fangxian::quarantine {

class ResidentDirectory {
 public:
  virtual ~ResidentDirectory() = default;
  // The area the resident is registered in. NOT_FOUND naming `field` when identity knows
  // no such resident in the caller's scope (identity does not tell the two apart);
  // identity's other failures as common::UpstreamFailure makes them.
  virtual absl::StatusOr<std::string> AreaOf(const common::CallContext& call,
                                             absl::string_view field,
                                             const std::string& resident_id) = 0;
};

// The one that ships: identity over gRPC. `max_wait` caps each call below the caller's
// own deadline (FX_QUARANTINE_UPSTREAM_TIMEOUT_MS).
class IdentityResidents final : public ResidentDirectory {
 public:
  IdentityResidents(std::shared_ptr<grpc::Channel> identity, absl::Duration max_wait)
      : stub_(identity::v1::IdentityService::NewStub(std::move(identity))), max_wait_(max_wait) {}

  absl::StatusOr<std::string> AreaOf(const common::CallContext& call, absl::string_view field,
                                     const std::string& resident_id) override;

 private:
  std::unique_ptr<identity::v1::IdentityService::Stub> stub_;
  const absl::Duration max_wait_;
};

// The area of a new record about `resident_id` (a person of interest, a violation): the
// resident's registered area, which the caller's scope (grants of the method's roles) must
// cover. NOT_FOUND naming `resident_field` when the resident is unknown, outside the
// caller's scope at identity, or outside the scope of this method's roles: the three are
// not told apart, so a caller learns nothing about residents beyond their reach.
// INVALID_ARGUMENT naming both fields when `requested_area` is not empty and differs from
// the resident's area (a caller who can see the resident is told the right area).
absl::StatusOr<std::string> ResidentRecordArea(ResidentDirectory& residents,
                                               const common::CallContext& call,
                                               absl::string_view resident_field,
                                               const std::string& resident_id,
                                               absl::string_view area_field,
                                               const std::string& requested_area);

}  // namespace fangxian::quarantine

#endif  // FANGXIAN_SERVICES_QUARANTINE_RESIDENT_DIRECTORY_H_
