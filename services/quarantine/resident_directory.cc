#include "services/quarantine/resident_directory.h"

#include "absl/strings/str_cat.h"
#include "common/upstream.h"

namespace fangxian::quarantine {
namespace {

absl::Status ResidentNotFound(absl::string_view field) {
  return absl::NotFoundError(
      absl::StrCat(field, ": identity knows no such resident in your area scope"));
}

}  // namespace

absl::StatusOr<std::string> IdentityResidents::AreaOf(const common::CallContext& call,
                                                      absl::string_view field,
                                                      const std::string& resident_id) {
  grpc::ClientContext ctx;
  common::PrepareUpstreamCall(call, max_wait_, &ctx);
  identity::v1::GetResidentRequest req;
  req.set_resident_id(resident_id);
  identity::v1::Resident out;
  const grpc::Status st = stub_->GetResident(&ctx, req, &out);
  if (st.error_code() == grpc::StatusCode::NOT_FOUND) return ResidentNotFound(field);
  if (!st.ok()) return common::UpstreamFailure(st, "identity", call.deadline);
  return out.area_code();
}

absl::StatusOr<std::string> ResidentRecordArea(ResidentDirectory& residents,
                                               const common::CallContext& call,
                                               absl::string_view resident_field,
                                               const std::string& resident_id,
                                               absl::string_view area_field,
                                               const std::string& requested_area) {
  absl::StatusOr<std::string> area = residents.AreaOf(call, resident_field, resident_id);
  if (!area.ok()) return area.status();
  // Identity checks the scope of its own readers' roles; this method's roles may reach
  // less (a checkpoint grant over the area lets identity answer, not record here).
  if (!call.InScope(*area)) return ResidentNotFound(resident_field);
  if (!requested_area.empty() && requested_area != *area) {
    return absl::InvalidArgumentError(absl::StrCat(
        area_field, " ", requested_area, " is not the area ", resident_field, " is registered in (",
        *area, "); leave ", area_field, " empty or send ", *area));
  }
  return area;
}

}  // namespace fangxian::quarantine
