#include "services/publicity/material_rules.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "common/time_text.h"
#include "common/validate.h"

namespace fangxian::publicity {
namespace {

std::string Field(absl::string_view prefix, absl::string_view name) {
  return absl::StrCat(prefix, name);
}

absl::Status CheckKind(const std::string& field, int kind) {
  if (kind == v1::MATERIAL_KIND_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " is required (board, banner, vehicle, poster or other)"));
  }
  // proto3 enums are open: an unknown number arrives intact and must be refused here.
  if (!v1::MaterialKind_IsValid(kind)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " ", kind, " is not a known MaterialKind"));
  }
  return absl::OkStatus();
}

absl::Status CheckCondition(const std::string& field, int condition) {
  if (condition == v1::MATERIAL_CONDITION_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " is required (good, worn, damaged or missing)"));
  }
  if (!v1::MaterialCondition_IsValid(condition)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " ", condition, " is not a known MaterialCondition"));
  }
  return absl::OkStatus();
}

absl::Status CheckQuantity(const std::string& field, int64_t quantity) {
  if (quantity < 1 || quantity > kMaxMaterialQuantity) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " must be from 1 to ", kMaxMaterialQuantity, " (got ", quantity, ")"));
  }
  return absl::OkStatus();
}

// A day "YYYY-MM-DD"; empty is accepted (and leaves `*day` alone) unless `required`.
absl::Status CheckDay(const std::string& field, absl::string_view text, bool required,
                      std::optional<absl::CivilDay>* day) {
  if (text.empty() && !required) return absl::OkStatus();
  absl::CivilDay parsed;
  if (!common::ParseIsoDate(text, &parsed)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " must be a real day written YYYY-MM-DD"));
  }
  *day = parsed;
  return absl::OkStatus();
}

absl::Status CheckCheckpointId(const std::string& field, absl::string_view id) {
  if (id.empty()) return absl::OkStatus();
  return common::RequireUuid(field, id);
}

absl::Status CheckText(const std::string& field, absl::string_view text) {
  return common::RequireText(field, text, kMaxMaterialTextChars, /*required=*/false);
}

absl::Status CheckReplaceBy(const std::string& field,
                            const std::optional<absl::CivilDay>& installed,
                            const std::optional<absl::CivilDay>& replace_by) {
  if (installed && replace_by && *replace_by < *installed) {
    return absl::InvalidArgumentError(absl::StrCat(field, " ", common::IsoDate(*replace_by),
                                                   " is before installed_on ",
                                                   common::IsoDate(*installed)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateMaterial(const v1::Material& in, absl::string_view prefix) {
  std::optional<absl::CivilDay> installed;
  std::optional<absl::CivilDay> replace_by;
  for (absl::Status s : {
           CheckKind(Field(prefix, "kind"), in.kind()),
           CheckText(Field(prefix, "description"), in.description()),
           common::RequireAreaPath(Field(prefix, "area_code"), in.area_code()),
           CheckCheckpointId(Field(prefix, "checkpoint_id"), in.checkpoint_id()),
           CheckText(Field(prefix, "place"), in.place()),
           CheckQuantity(Field(prefix, "quantity"), in.quantity()),
           CheckDay(Field(prefix, "installed_on"), in.installed_on(), true, &installed),
           CheckCondition(Field(prefix, "condition"), in.condition()),
           CheckDay(Field(prefix, "replace_by"), in.replace_by(), false, &replace_by),
       }) {
    if (!s.ok()) return s;
  }
  return CheckReplaceBy(Field(prefix, "replace_by"), installed, replace_by);
}

absl::Status ValidateMaterialUpdate(const v1::UpdateMaterialRequest& req) {
  if (auto s = common::RequireUuid("material_id", req.material_id()); !s.ok()) return s;
  if (req.expected_version() < 1) {
    return absl::InvalidArgumentError(
        "expected_version is required: the version of the material you read last");
  }
  if (req.condition() != v1::MATERIAL_CONDITION_UNSPECIFIED) {
    if (auto s = CheckCondition("condition", req.condition()); !s.ok()) return s;
  }
  if (req.has_quantity()) {
    if (auto s = CheckQuantity("quantity", req.quantity()); !s.ok()) return s;
  }
  std::optional<absl::CivilDay> unused;
  if (req.has_replace_by()) {
    if (auto s = CheckDay("replace_by", req.replace_by(), false, &unused); !s.ok()) return s;
  }
  if (req.has_place()) {
    if (auto s = CheckText("place", req.place()); !s.ok()) return s;
  }
  if (req.has_description()) {
    if (auto s = CheckText("description", req.description()); !s.ok()) return s;
  }
  if (req.has_area_code()) {
    if (auto s = common::RequireAreaPath("area_code", req.area_code()); !s.ok()) return s;
  }
  if (req.has_checkpoint_id()) {
    if (auto s = CheckCheckpointId("checkpoint_id", req.checkpoint_id()); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Material> ApplyMaterialUpdate(const v1::Material& current,
                                                 const v1::UpdateMaterialRequest& req) {
  if (auto s = ValidateMaterialUpdate(req); !s.ok()) return s;
  v1::Material next = current;
  if (req.condition() != v1::MATERIAL_CONDITION_UNSPECIFIED) next.set_condition(req.condition());
  if (req.has_quantity()) next.set_quantity(req.quantity());
  if (req.has_replace_by()) next.set_replace_by(req.replace_by());
  if (req.has_place()) next.set_place(req.place());
  if (req.has_description()) next.set_description(req.description());
  if (req.has_area_code()) next.set_area_code(req.area_code());
  if (req.has_checkpoint_id()) next.set_checkpoint_id(req.checkpoint_id());
  std::optional<absl::CivilDay> installed;
  std::optional<absl::CivilDay> replace_by;
  (void)CheckDay("installed_on", next.installed_on(), true, &installed);
  (void)CheckDay("replace_by", next.replace_by(), false, &replace_by);
  if (auto s = CheckReplaceBy("replace_by", installed, replace_by); !s.ok()) return s;
  return next;
}

bool ReplaceByReached(absl::string_view replace_by, absl::CivilDay day) {
  absl::CivilDay due;
  return !replace_by.empty() && common::ParseIsoDate(replace_by, &due) && due <= day;
}

bool NeedsReplacement(v1::MaterialCondition condition, bool replace_by_reached) {
  return condition == v1::MATERIAL_CONDITION_DAMAGED ||
         condition == v1::MATERIAL_CONDITION_MISSING || replace_by_reached;
}

v1::MaterialTotals BuildMaterialTotals(const std::string& area, absl::CivilDay today,
                                       const std::vector<MaterialGroup>& groups) {
  // Every known kind, in MaterialKind order, so an area has the same shape whatever it
  // holds.
  auto empty_kinds = [](google::protobuf::RepeatedPtrField<v1::MaterialKindTotals>* kinds) {
    for (int k = v1::MaterialKind_MIN; k <= v1::MaterialKind_MAX; ++k) {
      if (k == v1::MATERIAL_KIND_UNSPECIFIED || !v1::MaterialKind_IsValid(k)) continue;
      kinds->Add()->set_kind(static_cast<v1::MaterialKind>(k));
    }
  };
  auto add = [](google::protobuf::RepeatedPtrField<v1::MaterialKindTotals>* kinds,
                const MaterialGroup& g) {
    for (v1::MaterialKindTotals& t : *kinds) {
      if (t.kind() != g.kind) continue;
      t.set_quantity(t.quantity() + g.quantity);
      t.set_materials(t.materials() + g.materials);
      if (NeedsReplacement(static_cast<v1::MaterialCondition>(g.condition), g.replace_by_reached)) {
        t.set_quantity_needing_replacement(t.quantity_needing_replacement() + g.quantity);
      }
    }
  };
  v1::MaterialTotals out;
  out.set_area_code(area);
  out.set_as_of_day(common::IsoDate(today));
  empty_kinds(out.mutable_kinds());
  std::map<std::string, v1::AreaMaterialTotals> children;
  for (const MaterialGroup& g : groups) {
    if (!v1::MaterialKind_IsValid(g.kind) || g.kind == v1::MATERIAL_KIND_UNSPECIFIED) continue;
    if (!g.child_area) {
      add(out.mutable_kinds(), g);
      continue;
    }
    auto [it, inserted] = children.try_emplace(*g.child_area);
    if (inserted) {
      it->second.set_area_code(*g.child_area);
      empty_kinds(it->second.mutable_kinds());
    }
    add(it->second.mutable_kinds(), g);
  }
  for (auto& [child, totals] : children) *out.add_child_areas() = std::move(totals);
  return out;
}

}  // namespace fangxian::publicity
