// The materials inventory (boards, banners, vehicles, posters, other): business rules,
// independent of gRPC. Takes plain values and the caller's identity; areas are checked
// against identity and checkpoints against the checkpoint service, both with the
// caller's token, before anything is written.
#ifndef FANGXIAN_SERVICES_PUBLICITY_MATERIALS_H_
#define FANGXIAN_SERVICES_PUBLICITY_MATERIALS_H_

#include <utility>

#include "absl/status/statusor.h"
#include "common/rpc.h"
#include "fangxian/publicity/v1/materials.pb.h"
#include "services/publicity/area_directory.h"
#include "services/publicity/checkpoint_directory.h"
#include "services/publicity/material_store.h"

namespace fangxian::publicity {

class Materials {
 public:
  Materials(MaterialStore& store, AreaDirectory& areas, CheckpointDirectory& checkpoints,
            common::RpcRuntime::Clock clock)
      : store_(store), areas_(areas), checkpoints_(checkpoints), clock_(std::move(clock)) {}

  // The caller's scope must cover the area; the area must exist; a checkpoint given must
  // exist and cover the area.
  absl::StatusOr<v1::Material> Create(const common::CallContext& call,
                                      const v1::CreateMaterialRequest& req);
  // Optimistic: ABORTED unless expected_version is the stored one. A move needs scope
  // over both areas.
  absl::StatusOr<v1::Material> Update(const common::CallContext& call,
                                      const v1::UpdateMaterialRequest& req);
  absl::StatusOr<v1::Material> Get(const common::CallContext& call,
                                   const v1::GetMaterialRequest& req);
  absl::StatusOr<v1::ListMaterialsResponse> List(const common::CallContext& call,
                                                 const v1::ListMaterialsRequest& req);
  absl::StatusOr<v1::Material> Remove(const common::CallContext& call,
                                      const v1::RemoveMaterialRequest& req);
  absl::StatusOr<v1::MaterialTotals> Totals(const common::CallContext& call,
                                            const v1::GetMaterialTotalsRequest& req);

 private:
  // The material when it exists and the caller's scope covers its area; NOT_FOUND
  // otherwise (existence is not revealed).
  absl::StatusOr<v1::Material> Visible(const common::CallContext& call,
                                       const std::string& material_id);
  // OK when `checkpoint_id` is empty or a checkpoint covering `area_code`.
  absl::Status CheckCheckpoint(const common::CallContext& call, absl::string_view prefix,
                               const std::string& checkpoint_id, const std::string& area_code);
  // needs_replacement as of today (China time).
  v1::Material Shown(v1::Material m) const;

  MaterialStore& store_;
  AreaDirectory& areas_;
  CheckpointDirectory& checkpoints_;
  common::RpcRuntime::Clock clock_;
};

}  // namespace fangxian::publicity

#endif  // FANGXIAN_SERVICES_PUBLICITY_MATERIALS_H_
