// Whether areas exist: publicity keeps no area tree of its own, it asks identity (the
// owner of the tree) with the caller's token. Shared by contents, loudspeaker schedules
// and materials, so "unknown area" means the same thing everywhere.
#ifndef FANGXIAN_SERVICES_PUBLICITY_AREA_DIRECTORY_H_
#define FANGXIAN_SERVICES_PUBLICITY_AREA_DIRECTORY_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/local_cache.h"
#include "common/rpc.h"
#include "fangxian/identity/v1/areas.grpc.pb.h"

namespace fangxian::publicity {

class AreaDirectory {
 public:
  virtual ~AreaDirectory() = default;
  // OK when every area in `areas` (syntactically valid dotted paths) exists. NOT_FOUND
  // naming `field` and the first unknown area; identity unreachable or slow: UNAVAILABLE
  // ("retry"); the caller's deadline passed: DEADLINE_EXCEEDED.
  virtual absl::Status RequireKnown(const common::CallContext& call, absl::string_view field,
                                    const std::vector<std::string>& areas) = 0;
};

// The one that ships: identity's AreaService/GetArea over gRPC, one call per area not
// seen recently. Areas are created far more often than removed, so an area found is
// remembered for `remember` (a path moved away meanwhile is still accepted for that
// long); an unknown one is asked again every time. `max_wait` caps each call below the
// caller's own deadline. Blocking: call from worker threads, outside any transaction.
class IdentityAreas final : public AreaDirectory {
 public:
  IdentityAreas(std::shared_ptr<grpc::Channel> identity, absl::Duration max_wait,
                absl::Duration remember = absl::Minutes(1))
      : stub_(identity::v1::AreaService::NewStub(std::move(identity))),
        max_wait_(max_wait),
        remember_(remember) {}

  absl::Status RequireKnown(const common::CallContext& call, absl::string_view field,
                            const std::vector<std::string>& areas) override;

 private:
  std::unique_ptr<identity::v1::AreaService::Stub> stub_;
  const absl::Duration max_wait_;
  const absl::Duration remember_;
  common::LocalCache<bool> known_{4096};
};

}  // namespace fangxian::publicity

#endif  // FANGXIAN_SERVICES_PUBLICITY_AREA_DIRECTORY_H_
