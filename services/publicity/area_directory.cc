#include "services/publicity/area_directory.h"

#include "absl/strings/str_cat.h"
#include "common/upstream.h"

namespace fangxian::publicity {

absl::Status IdentityAreas::RequireKnown(const common::CallContext& call, absl::string_view field,
                                         const std::vector<std::string>& areas) {
  for (const std::string& area : areas) {
    const absl::Time now = absl::Now();
    if (known_.Find(area, now).has_value()) continue;
    grpc::ClientContext ctx;
    common::PrepareUpstreamCall(call, max_wait_, &ctx);
    identity::v1::GetAreaRequest req;
    req.set_path(area);
    identity::v1::Area out;
    const grpc::Status st = stub_->GetArea(&ctx, req, &out);
    if (st.error_code() == grpc::StatusCode::NOT_FOUND) {
      return absl::NotFoundError(absl::StrCat(field, ": there is no area ", area,
                                              " (identity's area tree lists the known ones)"));
    }
    if (!st.ok()) return common::UpstreamFailure(st, "identity", call.deadline);
    known_.Insert(area, true, now + remember_);
  }
  return absl::OkStatus();
}

}  // namespace fangxian::publicity
