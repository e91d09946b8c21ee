#include "services/quarantine/household_directory.h"

#include <algorithm>
#include <chrono>

#include "common/upstream.h"

namespace fangxian::quarantine {

absl::StatusOr<HouseholdInfo> IdentityHouseholds::Get(const common::CallContext& call,
                                                      const std::string& household_id) {
  grpc::ClientContext ctx;
  common::PrepareOutgoing(call, &ctx);
  ctx.set_deadline(std::min(
      call.deadline, std::chrono::system_clock::now() + absl::ToChronoMilliseconds(max_wait_)));
  identity::v1::GetHouseholdRequest req;
  req.set_household_id(household_id);
  identity::v1::Household out;
  const grpc::Status st = stub_->GetHousehold(&ctx, req, &out);
  if (st.error_code() == grpc::StatusCode::NOT_FOUND) {
    return absl::NotFoundError("household_id: identity knows no such household in your area scope");
  }
  if (!st.ok()) return common::UpstreamFailure(st, "identity", call.deadline);
  HouseholdInfo info;
  info.household_id = out.household_id();
  info.area_code = out.area_code();
  for (const identity::v1::HouseholdMember& m : out.members()) {
    info.members.push_back({m.resident_id(), m.name()});
  }
  return info;
}

}  // namespace fangxian::quarantine
