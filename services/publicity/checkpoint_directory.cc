#include "services/publicity/checkpoint_directory.h"

#include "absl/strings/str_cat.h"
#include "common/upstream.h"

namespace fangxian::publicity {

absl::StatusOr<std::vector<std::string>> CheckpointClient::AreasOf(
    const common::CallContext& call, absl::string_view field, const std::string& checkpoint_id) {
  grpc::ClientContext ctx;
  common::PrepareUpstreamCall(call, max_wait_, &ctx);
  checkpoint::v1::GetCheckpointRequest req;
  req.set_checkpoint_id(checkpoint_id);
  checkpoint::v1::Checkpoint out;
  const grpc::Status st = stub_->GetCheckpoint(&ctx, req, &out);
  if (st.error_code() == grpc::StatusCode::NOT_FOUND) {
    return absl::NotFoundError(absl::StrCat(
        field, ": the checkpoint service knows no such checkpoint in your area scope"));
  }
  if (!st.ok()) return common::UpstreamFailure(st, "checkpoint", call.deadline);
  if (out.area_codes().empty()) {
    return absl::InternalError("checkpoint service returned a checkpoint without areas");
  }
  return std::vector<std::string>(out.area_codes().begin(), out.area_codes().end());
}

}  // namespace fangxian::publicity
