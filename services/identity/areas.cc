#include "services/identity/areas.h"

#include <algorithm>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/auth.h"
#include "common/paging.h"
#include "common/validate.h"
#include "google/protobuf/util/time_util.h"

namespace fangxian::identity {
namespace {

constexpr size_t kMaxPathChars = 128;

// Scope checks per role: an admin's reach is where that admin role was granted.
const std::vector<absl::string_view> kSubdistrictAdmin = {"subdistrict_admin"};
const std::vector<absl::string_view> kCommunityAdmin = {"community_admin"};

v1::AreaLevel LevelOf(const AreaRow& row) { return static_cast<v1::AreaLevel>(row.level); }

// "a community or a village", for messages about where a level belongs.
absl::string_view ExpectedParent(v1::AreaLevel level) {
  switch (level) {
    case v1::AREA_LEVEL_SUBDISTRICT:
      return "a city root (a one-segment path such as \"gongyi\")";
    case v1::AREA_LEVEL_COMMUNITY:
    case v1::AREA_LEVEL_VILLAGE:
      return "a subdistrict";
    case v1::AREA_LEVEL_COMPOUND:
      return "a community or a village";
    case v1::AREA_LEVEL_BUILDING:
      return "a compound";
    case v1::AREA_LEVEL_UNIT:
      return "a building";
    default:
      return "nothing";
  }
}

bool BelowCommunity(v1::AreaLevel level) {
  return level == v1::AREA_LEVEL_COMPOUND || level == v1::AREA_LEVEL_BUILDING ||
         level == v1::AREA_LEVEL_UNIT;
}

v1::Area ToProto(const AreaRow& row) {
  v1::Area out;
  out.set_path(row.path);
  out.set_code(row.code);
  out.set_name(row.name);
  out.set_level(LevelOf(row));
  out.set_parent_path(row.parent_path);
  *out.mutable_create_time() =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(row.created_at_micros);
  return out;
}

absl::StatusOr<v1::Area> AreaOrStatus(const absl::StatusOr<AreaRow>& row) {
  if (!row.ok()) return row.status();
  return ToProto(*row);
}

absl::Status NoSuchArea() { return absl::NotFoundError("no area with this path"); }

}  // namespace

absl::string_view AreaLevelName(v1::AreaLevel level) {
  switch (level) {
    case v1::AREA_LEVEL_SUBDISTRICT:
      return "subdistrict";
    case v1::AREA_LEVEL_COMMUNITY:
      return "community";
    case v1::AREA_LEVEL_VILLAGE:
      return "village";
    case v1::AREA_LEVEL_COMPOUND:
      return "compound";
    case v1::AREA_LEVEL_BUILDING:
      return "building";
    case v1::AREA_LEVEL_UNIT:
      return "unit";
    default:
      return "unspecified";
  }
}

absl::Status ValidateAreaCode(absl::string_view field, absl::string_view code) {
  if (code.empty()) return absl::InvalidArgumentError(absl::StrCat(field, " is required"));
  // A code is exactly one segment of an area path.
  if (absl::StrContains(code, '.') || !common::IsValidAreaPath(code)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " must be 1 to 32 characters of a-z, 0-9 and '-'"));
  }
  return absl::OkStatus();
}

absl::Status ValidateAreaLevel(absl::string_view field, int level) {
  if (level == v1::AREA_LEVEL_UNSPECIFIED) {
    return absl::InvalidArgumentError(absl::StrCat(field, " is required"));
  }
  if (!v1::AreaLevel_IsValid(level)) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, " must be SUBDISTRICT, COMMUNITY, VILLAGE, COMPOUND, BUILDING or UNIT"));
  }
  return absl::OkStatus();
}

absl::string_view ParentPathOf(absl::string_view path) {
  const size_t dot = path.rfind('.');
  return dot == absl::string_view::npos ? absl::string_view() : path.substr(0, dot);
}

bool IsCityRoot(absl::string_view path) { return !path.empty() && !absl::StrContains(path, '.'); }

bool LevelFitsUnder(v1::AreaLevel level, v1::AreaLevel parent) {
  switch (level) {
    case v1::AREA_LEVEL_COMMUNITY:
    case v1::AREA_LEVEL_VILLAGE:
      return parent == v1::AREA_LEVEL_SUBDISTRICT;
    case v1::AREA_LEVEL_COMPOUND:
      return parent == v1::AREA_LEVEL_COMMUNITY || parent == v1::AREA_LEVEL_VILLAGE;
    case v1::AREA_LEVEL_BUILDING:
      return parent == v1::AREA_LEVEL_COMPOUND;
    case v1::AREA_LEVEL_UNIT:
      return parent == v1::AREA_LEVEL_BUILDING;
    default:  // a subdistrict sits under a city root, which is no stored level
      return false;
  }
}

absl::Status CheckPlacement(v1::AreaLevel level, absl::string_view parent_path,
                            const std::optional<AreaRow>& parent) {
  if (IsCityRoot(parent_path)) {
    if (level == v1::AREA_LEVEL_SUBDISTRICT) return absl::OkStatus();
    return absl::InvalidArgumentError(absl::StrCat(
        "a ", AreaLevelName(level), " cannot be placed directly under the city root \"",
        parent_path, "\"; its parent must be ", ExpectedParent(level)));
  }
  if (!parent) {
    if (level == v1::AREA_LEVEL_SUBDISTRICT) {
      return absl::InvalidArgumentError(absl::StrCat("a subdistrict must be placed under ",
                                                     ExpectedParent(level), ", not under \"",
                                                     parent_path, "\""));
    }
    return absl::FailedPreconditionError(
        absl::StrCat("parent area \"", parent_path, "\" does not exist; create the parent first"));
  }
  if (!LevelFitsUnder(level, LevelOf(*parent))) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a ", AreaLevelName(level), " cannot be placed under a ", AreaLevelName(LevelOf(*parent)),
        " (\"", parent_path, "\"); its parent must be ", ExpectedParent(level)));
  }
  return absl::OkStatus();
}

absl::Status RequireAreaAdmin(const common::CallContext& call, absl::string_view path,
                              v1::AreaLevel level) {
  if (absl::Status s = common::RequireScope(call, "path", path); !s.ok()) return s;
  if (call.principal.CoversArea(path, kSubdistrictAdmin)) return absl::OkStatus();
  if (call.principal.CoversArea(path, kCommunityAdmin) && BelowCommunity(level)) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(
      absl::StrCat("community_admin manages only compounds, buildings and units; a ",
                   AreaLevelName(level), " needs subdistrict_admin"));
}

absl::Status CheckMove(const MovePlan& plan) {
  if (absl::Status s = CheckPlacement(LevelOf(plan.area), plan.new_parent_path, plan.new_parent);
      !s.ok()) {
    return s;
  }
  if (plan.residents > 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(plan.residents, plan.residents == 1 ? " resident lives" : " residents live",
                     " in this area or below it; move them to other areas first"));
  }
  if (plan.households > 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        plan.households, " households are registered in this area or below it; move them first"));
  }
  if (plan.staff > 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(plan.staff,
                     " staff accounts or role grants name this area or one below it; move the "
                     "accounts and revoke the grants first"));
  }
  const int64_t growth =
      static_cast<int64_t>(plan.new_parent_path.size() + 1 + plan.area.code.size()) -
      static_cast<int64_t>(plan.area.path.size());
  if (plan.longest_path + growth > static_cast<int64_t>(kMaxPathChars)) {
    return absl::InvalidArgumentError(
        absl::StrCat("new_parent_path: moving there would make paths below this area longer than ",
                     kMaxPathChars, " characters"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::vector<std::string>>> VisibleChildCodes(
    const common::CallContext& call, absl::string_view parent_path) {
  if (call.InScope(parent_path)) return std::optional<std::vector<std::string>>();
  std::set<std::string> codes;
  for (const common::Grant& g : call.principal.grants) {
    const bool role_ok = call.roles.empty() || std::find(call.roles.begin(), call.roles.end(),
                                                         g.role) != call.roles.end();
    // Not in scope, so a grant within the parent lies strictly below it.
    if (!role_ok || !common::AreaWithin(g.area, parent_path)) continue;
    const absl::string_view below = absl::string_view(g.area).substr(parent_path.size() + 1);
    codes.insert(std::string(below.substr(0, below.find('.'))));
  }
  if (codes.empty()) return absl::PermissionDeniedError("this area is outside your area scope");
  return std::optional<std::vector<std::string>>(
      std::vector<std::string>(codes.begin(), codes.end()));
}

bool IsAreaCode(absl::string_view code) { return ValidateAreaCode("", code).ok(); }

absl::StatusOr<v1::Area> Areas::Create(const common::CallContext& call,
                                       const v1::CreateAreaRequest& request) {
  const std::string& parent_path = request.parent_path();
  if (auto s = common::RequireAreaPath("parent_path", parent_path); !s.ok()) return s;
  if (auto s = ValidateAreaCode("code", request.code()); !s.ok()) return s;
  if (auto s = common::RequireText("name", request.name(), 64); !s.ok()) return s;
  if (auto s = ValidateAreaLevel("level", request.level()); !s.ok()) return s;
  AreaRow row;
  row.path = absl::StrCat(parent_path, ".", request.code());
  if (row.path.size() > kMaxPathChars) {
    return absl::InvalidArgumentError(absl::StrCat("parent_path and code make a path longer than ",
                                                   kMaxPathChars, " characters"));
  }
  const v1::AreaLevel level = request.level();
  if (auto s = RequireAreaAdmin(call, row.path, level); !s.ok()) return s;

  row.parent_path = parent_path;
  row.code = request.code();
  row.name = request.name();
  row.level = level;
  row.created_by = call.principal.subject;
  return AreaOrStatus(store_.Insert(row, [&](const std::optional<AreaRow>& parent) {
    return CheckPlacement(level, parent_path, parent);
  }));
}

absl::StatusOr<v1::Area> Areas::Rename(const common::CallContext& call,
                                       const v1::RenameAreaRequest& request) {
  if (auto s = common::RequireAreaPath("path", request.path()); !s.ok()) return s;
  if (auto s = common::RequireText("name", request.name(), 64); !s.ok()) return s;
  // Scope first, on the path alone: outside it, the caller learns nothing of the area.
  if (auto s = common::RequireScope(call, "path", request.path()); !s.ok()) return s;
  absl::StatusOr<AreaRow> current = store_.Get(request.path());
  if (!current.ok()) return current.status();
  if (auto s = RequireAreaAdmin(call, request.path(), LevelOf(*current)); !s.ok()) return s;
  return AreaOrStatus(store_.Rename(request.path(), request.name()));
}

absl::StatusOr<v1::Area> Areas::Move(const common::CallContext& call,
                                     const v1::MoveAreaRequest& request) {
  const std::string& path = request.path();
  const std::string& new_parent = request.new_parent_path();
  if (auto s = common::RequireAreaPath("path", path); !s.ok()) return s;
  if (auto s = common::RequireAreaPath("new_parent_path", new_parent); !s.ok()) return s;
  if (IsCityRoot(path)) {
    return absl::InvalidArgumentError("path: a city root is not a stored area and cannot move");
  }
  const absl::string_view old_parent = ParentPathOf(path);
  if (new_parent == old_parent) {
    return absl::InvalidArgumentError("new_parent_path is already the parent of this area");
  }
  if (common::AreaWithin(new_parent, path)) {
    return absl::InvalidArgumentError("new_parent_path lies inside the area being moved");
  }
  if (auto s = common::RequireScope(call, "path (its current parent)", old_parent); !s.ok()) {
    return s;
  }
  if (auto s = common::RequireScope(call, "new_parent_path", new_parent); !s.ok()) return s;
  return AreaOrStatus(store_.Move(path, new_parent, CheckMove));
}

absl::StatusOr<v1::ListChildAreasResponse> Areas::ListChildren(
    const common::CallContext& call, const v1::ListChildAreasRequest& request) {
  if (auto s = common::RequireAreaPath("parent_path", request.parent_path()); !s.ok()) return s;
  absl::StatusOr<int> page_size =
      common::PageSize(request.page_size(), kDefaultAreaPageSize, kMaxAreaPageSize);
  if (!page_size.ok()) return page_size.status();
  absl::StatusOr<std::string> after = common::DecodePageToken(request.page_token(), IsAreaCode);
  if (!after.ok()) return after.status();
  auto visible = VisibleChildCodes(call, request.parent_path());
  if (!visible.ok()) return visible.status();
  // One row more than the page tells whether another page follows.
  absl::StatusOr<std::vector<AreaRow>> rows =
      store_.ListChildren(request.parent_path(), *after, *page_size + 1, *visible);
  if (!rows.ok()) return rows.status();
  v1::ListChildAreasResponse out;
  const size_t shown = common::TakePage(
      *rows, *page_size, [](const AreaRow& last) { return common::EncodePageToken(last.code); },
      out.mutable_next_page_token());
  for (size_t i = 0; i < shown; ++i) *out.add_areas() = ToProto((*rows)[i]);
  return out;
}

absl::StatusOr<v1::Area> Areas::Get(const common::CallContext& call,
                                    const v1::GetAreaRequest& request) {
  const std::string& path = request.path();
  if (auto s = common::RequireAreaPath("path", path); !s.ok()) return s;
  // Outside the scope is indistinguishable from missing: no existence leak.
  if (!call.InScope(path)) return NoSuchArea();
  // The area and its stored ancestors (every prefix of two or more segments) at once.
  std::vector<std::string> chain;
  for (size_t dot = path.find('.'); dot != std::string::npos; dot = path.find('.', dot + 1)) {
    const size_t next = path.find('.', dot + 1);
    chain.push_back(path.substr(0, next));
  }
  absl::StatusOr<std::vector<AreaRow>> rows = store_.GetMany(chain);
  if (!rows.ok()) return rows.status();
  if (rows->empty() || rows->back().path != path) return NoSuchArea();
  v1::Area out = ToProto(rows->back());
  for (size_t i = 0; i + 1 < rows->size(); ++i) {
    v1::AreaAncestor* a = out.add_ancestors();
    a->set_path((*rows)[i].path);
    a->set_name((*rows)[i].name);
    a->set_level(LevelOf((*rows)[i]));
  }
  return out;
}

}  // namespace fangxian::identity
