#include "services/publicity/materials.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/paging.h"
#include "common/time_text.h"
#include "common/validate.h"
#include "google/protobuf/util/time_util.h"
#include "services/publicity/material_rules.h"

namespace fangxian::publicity {
namespace {

using google::protobuf::util::TimeUtil;

constexpr int kDefaultPage = 20;
constexpr int kMaxPage = 100;

absl::Status NotFound() { return absl::NotFoundError("no material with this material_id"); }

absl::Status Removed(const v1::Material& m) {
  return absl::FailedPreconditionError(
      absl::StrCat("the material was removed on ", m.removed_on(),
                   "; removed materials are kept as history and cannot change (create a new one)"));
}

std::string MaterialToken(const v1::Material& m) {
  return common::EncodeTimeIdPageToken(TimeUtil::TimestampToMicroseconds(m.create_time()),
                                       m.material_id());
}

}  // namespace

v1::Material Materials::Shown(v1::Material m) const {
  const absl::CivilDay today = common::ChinaToday(clock_());
  m.set_needs_replacement(m.removed_on().empty() &&
                          NeedsReplacement(m.condition(), ReplaceByReached(m.replace_by(), today)));
  return m;
}

absl::StatusOr<v1::Material> Materials::Visible(const common::CallContext& call,
                                                const std::string& material_id) {
  if (auto s = common::RequireUuid("material_id", material_id); !s.ok()) return s;
  absl::StatusOr<v1::Material> m = store_.Get(material_id);
  if (absl::IsNotFound(m.status())) return NotFound();
  if (!m.ok()) return m.status();
  if (!call.InScope(m->area_code())) return NotFound();
  return m;
}

absl::Status Materials::CheckCheckpoint(const common::CallContext& call, absl::string_view prefix,
                                        const std::string& checkpoint_id,
                                        const std::string& area_code) {
  if (checkpoint_id.empty()) return absl::OkStatus();
  const std::string field = absl::StrCat(prefix, "checkpoint_id");
  absl::StatusOr<std::vector<std::string>> covered =
      checkpoints_.AreasOf(call, field, checkpoint_id);
  if (!covered.ok()) return covered.status();
  if (std::find(covered->begin(), covered->end(), area_code) != covered->end()) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat(prefix, "area_code ", area_code, " is not one of the areas ", field, " covers (",
                   absl::StrJoin(*covered, ", "),
                   "): place the material in one of them or drop the checkpoint"));
}

absl::StatusOr<v1::Material> Materials::Create(const common::CallContext& call,
                                               const v1::CreateMaterialRequest& req) {
  const v1::Material& in = req.material();
  if (auto s = ValidateMaterial(in, "material."); !s.ok()) return s;
  if (auto s = common::RequireScope(call, "material.area_code", in.area_code()); !s.ok()) return s;
  if (auto s = areas_.RequireKnown(call, "material.area_code", {in.area_code()}); !s.ok()) {
    return s;
  }
  if (auto s = CheckCheckpoint(call, "material.", in.checkpoint_id(), in.area_code()); !s.ok()) {
    return s;
  }
  v1::Material row;
  row.set_kind(in.kind());
  row.set_description(in.description());
  row.set_area_code(in.area_code());
  row.set_checkpoint_id(in.checkpoint_id());
  row.set_place(in.place());
  row.set_quantity(in.quantity());
  row.set_installed_on(in.installed_on());
  row.set_condition(in.condition());
  row.set_replace_by(in.replace_by());
  row.set_created_by(call.principal.subject);
  absl::StatusOr<v1::Material> stored = store_.Insert(row);
  if (!stored.ok()) return stored.status();
  return Shown(*std::move(stored));
}

absl::StatusOr<v1::Material> Materials::Update(const common::CallContext& call,
                                               const v1::UpdateMaterialRequest& req) {
  if (auto s = ValidateMaterialUpdate(req); !s.ok()) return s;
  absl::StatusOr<v1::Material> current = Visible(call, req.material_id());
  if (!current.ok()) return current.status();
  if (!current->removed_on().empty()) return Removed(*current);
  // Checked here too (the store checks again when writing) so a stale update fails
  // before identity and the checkpoint service are asked anything.
  if (current->version() != req.expected_version()) {
    return absl::AbortedError(absl::StrCat("the material changed meanwhile (now version ",
                                           current->version(), ", expected_version ",
                                           req.expected_version(), "); read it again and retry"));
  }
  absl::StatusOr<v1::Material> next = ApplyMaterialUpdate(*current, req);
  if (!next.ok()) return next.status();
  const bool moved = next->area_code() != current->area_code();
  if (moved) {
    // The old area is in scope (Visible); the new one must be too.
    if (auto s = common::RequireScope(call, "area_code", next->area_code()); !s.ok()) return s;
    if (auto s = areas_.RequireKnown(call, "area_code", {next->area_code()}); !s.ok()) return s;
  }
  if (moved || next->checkpoint_id() != current->checkpoint_id()) {
    if (auto s = CheckCheckpoint(call, "", next->checkpoint_id(), next->area_code()); !s.ok()) {
      return s;
    }
  }
  next->set_updated_by(call.principal.subject);
  absl::StatusOr<v1::Material> stored = store_.Update(*next, req.expected_version());
  if (!stored.ok()) return stored.status();
  return Shown(*std::move(stored));
}

absl::StatusOr<v1::Material> Materials::Get(const common::CallContext& call,
                                            const v1::GetMaterialRequest& req) {
  absl::StatusOr<v1::Material> m = Visible(call, req.material_id());
  if (!m.ok()) return m.status();
  return Shown(*std::move(m));
}

absl::StatusOr<v1::ListMaterialsResponse> Materials::List(const common::CallContext& call,
                                                          const v1::ListMaterialsRequest& req) {
  MaterialFilter filter;
  if (req.kind() != v1::MATERIAL_KIND_UNSPECIFIED && !v1::MaterialKind_IsValid(req.kind())) {
    return absl::InvalidArgumentError(
        absl::StrCat("kind ", static_cast<int>(req.kind()), " is not a known MaterialKind"));
  }
  if (req.condition() != v1::MATERIAL_CONDITION_UNSPECIFIED &&
      !v1::MaterialCondition_IsValid(req.condition())) {
    return absl::InvalidArgumentError(absl::StrCat("condition ", static_cast<int>(req.condition()),
                                                   " is not a known MaterialCondition"));
  }
  if (!req.due_by().empty()) {
    absl::CivilDay due_by;
    if (!common::ParseIsoDate(req.due_by(), &due_by)) {
      return absl::InvalidArgumentError("due_by must be a real day written YYYY-MM-DD");
    }
    filter.due_by = due_by;
  }
  absl::StatusOr<int> page_size = common::PageSize(req.page_size(), kDefaultPage, kMaxPage);
  if (!page_size.ok()) return page_size.status();
  absl::StatusOr<std::optional<common::TimeIdPosition>> after =
      common::DecodeTimeIdPageToken(req.page_token());
  if (!after.ok()) return after.status();
  absl::StatusOr<std::vector<std::string>> areas =
      common::ScopeAreas(call, "area_code", req.area_code());
  if (!areas.ok()) return areas.status();
  filter.areas = *std::move(areas);
  filter.kind = req.kind();
  filter.condition = req.condition();
  filter.include_removed = req.include_removed();
  absl::StatusOr<std::vector<v1::Material>> rows = store_.List(filter, *after, *page_size + 1);
  if (!rows.ok()) return rows.status();
  v1::ListMaterialsResponse out;
  const size_t shown =
      common::TakePage(*rows, *page_size, &MaterialToken, out.mutable_next_page_token());
  for (size_t i = 0; i < shown; ++i) *out.add_materials() = Shown(std::move((*rows)[i]));
  return out;
}

absl::StatusOr<v1::Material> Materials::Remove(const common::CallContext& call,
                                               const v1::RemoveMaterialRequest& req) {
  if (auto s = common::RequireUuid("material_id", req.material_id()); !s.ok()) return s;
  if (req.expected_version() < 1) {
    return absl::InvalidArgumentError(
        "expected_version is required: the version of the material you read last");
  }
  if (auto s = common::RequireText("reason", req.reason(), kMaxMaterialTextChars); !s.ok()) {
    return s;
  }
  absl::StatusOr<v1::Material> current = Visible(call, req.material_id());
  if (!current.ok()) return current.status();
  if (!current->removed_on().empty()) return Removed(*current);
  v1::Material next = *current;
  next.set_removed_on(common::IsoDate(common::ChinaToday(clock_())));
  next.set_removed_by(call.principal.subject);
  next.set_removal_reason(req.reason());
  next.set_updated_by(call.principal.subject);
  absl::StatusOr<v1::Material> stored = store_.Update(next, req.expected_version());
  if (!stored.ok()) return stored.status();
  return Shown(*std::move(stored));
}

absl::StatusOr<v1::MaterialTotals> Materials::Totals(const common::CallContext& call,
                                                     const v1::GetMaterialTotalsRequest& req) {
  if (auto s = common::RequireAreaPath("area_code", req.area_code()); !s.ok()) return s;
  if (auto s = common::RequireScope(call, "area_code", req.area_code()); !s.ok()) return s;
  const absl::CivilDay today = common::ChinaToday(clock_());
  absl::StatusOr<std::vector<MaterialGroup>> groups = store_.Totals(req.area_code(), today);
  if (!groups.ok()) return groups.status();
  return BuildMaterialTotals(req.area_code(), today, *groups);
}

}  // namespace fangxian::publicity
