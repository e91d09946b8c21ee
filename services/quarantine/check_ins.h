// Daily health check-ins, the non-reporting list and follow-up flags: the business rules,
// independent of gRPC. Takes plain values and the caller's identity.
#ifndef FANGXIAN_SERVICES_QUARANTINE_CHECK_INS_H_
#define FANGXIAN_SERVICES_QUARANTINE_CHECK_INS_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/rpc.h"
#include "fangxian/quarantine/v1/check_ins.pb.h"
#include "services/quarantine/check_in_store.h"
#include "services/quarantine/pass_colour_engine.h"

namespace fangxian::quarantine {

// Staff who follow isolated people up and so may see their health data, within scope.
inline const std::vector<absl::string_view>& FollowUpStaffRoles() {
  static const std::vector<absl::string_view> kRoles = {"grid_worker", "community_admin",
                                                        "subdistrict_admin"};
  return kRoles;
}

class CheckIns {
 public:
  CheckIns(CheckInStore& store, const PassColourEngine& engine, common::RpcRuntime::Clock clock)
      : store_(store), engine_(engine), clock_(std::move(clock)) {}

  absl::StatusOr<v1::CheckIn> Record(const common::CallContext& call,
                                     const v1::RecordCheckInRequest& req);
  absl::StatusOr<v1::ListCheckInsResponse> List(const common::CallContext& call,
                                                const v1::ListCheckInsRequest& req);
  absl::StatusOr<v1::ListNonReportingResponse> NonReporting(const common::CallContext& call,
                                                            const v1::ListNonReportingRequest& req);
  absl::StatusOr<v1::ListFollowUpsResponse> FollowUps(const common::CallContext& call,
                                                      const v1::ListFollowUpsRequest& req);
  absl::StatusOr<v1::FollowUpFlag> ClearFollowUp(const common::CallContext& call,
                                                 const v1::ClearFollowUpRequest& req);

 private:
  CheckInStore& store_;
  const PassColourEngine& engine_;
  common::RpcRuntime::Clock clock_;
};

}  // namespace fangxian::quarantine

#endif  // FANGXIAN_SERVICES_QUARANTINE_CHECK_INS_H_
