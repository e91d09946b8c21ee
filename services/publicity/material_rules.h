// The rules of the materials inventory that need neither a database nor a caller: field
// checks, how an update applies, when a material needs replacement and how totals are
// summed. Unit-tested (tests/unit/publicity_materials_rules_test.cc).
#ifndef FANGXIAN_SERVICES_PUBLICITY_MATERIAL_RULES_H_
#define FANGXIAN_SERVICES_PUBLICITY_MATERIAL_RULES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "fangxian/publicity/v1/materials.pb.h"

namespace fangxian::publicity {

inline constexpr int kMaxMaterialQuantity = 100000;
inline constexpr size_t kMaxMaterialTextChars = 200;

// CreateMaterial's input, each field named `prefix` + its name ("material.quantity"):
// kind and condition known and not UNSPECIFIED; description and place at most 200
// characters; area_code a dotted path; checkpoint_id empty or a UUID; quantity 1..100000;
// installed_on a real day; replace_by empty or a real day not before installed_on.
// INVALID_ARGUMENT naming the field, or OK. Output-only fields are ignored.
absl::Status ValidateMaterial(const v1::Material& in, absl::string_view prefix);

// UpdateMaterial's input on its own: material_id a UUID, expected_version >= 1, and each
// field given valid as for CreateMaterial (condition UNSPECIFIED means "unchanged").
absl::Status ValidateMaterialUpdate(const v1::UpdateMaterialRequest& req);

// `current` with the fields `req` gives applied (version and output-only fields
// untouched). INVALID_ARGUMENT naming replace_by when the result would be replaced
// before it was installed.
absl::StatusOr<v1::Material> ApplyMaterialUpdate(const v1::Material& current,
                                                 const v1::UpdateMaterialRequest& req);

// Whether `replace_by` ("YYYY-MM-DD", or "" for none) is `day` or earlier.
bool ReplaceByReached(absl::string_view replace_by, absl::CivilDay day);

// A material in service needs replacement when it is DAMAGED or MISSING, or its
// replace_by day has been reached. (pg_material_store.cc's kNeedsReplacementSql is the
// same rule for a due_by filter.)
bool NeedsReplacement(v1::MaterialCondition condition, bool replace_by_reached);

// Materials in service of one group, as the store sums them: the child area (std::nullopt
// for the whole area), kind, condition and whether replace_by was reached.
struct MaterialGroup {
  std::optional<std::string> child_area;
  int kind = 0;
  int condition = 0;
  bool replace_by_reached = false;
  int64_t quantity = 0;
  int64_t materials = 0;
};

// GetMaterialTotals' answer for `area` from the groups: every known kind listed, in
// MaterialKind order, zeros included; child areas in lexical order; quantities needing
// replacement by NeedsReplacement. Groups of unknown kinds are left out.
v1::MaterialTotals BuildMaterialTotals(const std::string& area, absl::CivilDay today,
                                       const std::vector<MaterialGroup>& groups);

}  // namespace fangxian::publicity

#endif  // FANGXIAN_SERVICES_PUBLICITY_MATERIAL_RULES_H_
