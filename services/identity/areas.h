// The area tree's business rules, independent of gRPC: where each level may be placed,
// who may change which part of the tree, paging, and the operations themselves.
#ifndef FANGXIAN_SERVICES_IDENTITY_AREAS_H_
#define FANGXIAN_SERVICES_IDENTITY_AREAS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/rpc.h"
#include "fangxian/identity/v1/areas.pb.h"
#include "services/identity/area_store.h"

namespace fangxian::identity {

// ListChildAreas page sizes: 0 asks for the default; more than the maximum is refused.
inline constexpr int kDefaultAreaPageSize = 100;
inline constexpr int kMaxAreaPageSize = 500;

// "subdistrict", "community", ... ("unspecified" for anything else).
absl::string_view AreaLevelName(v1::AreaLevel level);

// INVALID_ARGUMENT unless `code` is 1..32 characters of a-z, 0-9 and '-'.
absl::Status ValidateAreaCode(absl::string_view field, absl::string_view code);

// INVALID_ARGUMENT unless `level` is one of the six defined levels.
absl::Status ValidateAreaLevel(absl::string_view field, int level);

// The path without its last segment; empty for a one-segment path (a city root).
absl::string_view ParentPathOf(absl::string_view path);

// True for a one-segment path such as "gongyi": a city root, which is never stored.
bool IsCityRoot(absl::string_view path);

// Whether an area of `level` may sit directly under an area of `parent` level.
bool LevelFitsUnder(v1::AreaLevel level, v1::AreaLevel parent);

// Judges where an area of `level` is placed: under a city root only a subdistrict; under
// a stored area only the levels that fit (INVALID_ARGUMENT naming both levels); under a
// missing area, FAILED_PRECONDITION (create the parent first).
absl::Status CheckPlacement(v1::AreaLevel level, absl::string_view parent_path,
                            const std::optional<AreaRow>& parent);

// PERMISSION_DENIED unless the caller may create or rename an area of `level` at
// `path`: a subdistrict_admin grant covering it, or a community_admin grant covering it
// when the level is below community/village.
absl::Status RequireAreaAdmin(const common::CallContext& call, absl::string_view path,
                              v1::AreaLevel level);

// Judges a move read under the store's locks: the new parent must fit the level and
// exist, the subtree must hold no residents and every moved path must stay within 128
// characters.
absl::Status CheckMove(const MovePlan& plan);

// Which children of `parent_path` the caller may list: std::nullopt when its scope covers
// the parent (all of them); otherwise the codes of the children that lead to the caller's
// grants below the parent. PERMISSION_DENIED when it has no grant at, above or below it.
absl::StatusOr<std::optional<std::vector<std::string>>> VisibleChildCodes(
    const common::CallContext& call, absl::string_view parent_path);

// Whether `code` is a valid area code (ValidateAreaCode): the position a ListChildAreas
// page token holds (the last code of the page; common/paging.h).
bool IsAreaCode(absl::string_view code);

class Areas {
 public:
  explicit Areas(AreaStore& store) : store_(store) {}

  absl::StatusOr<v1::Area> Create(const common::CallContext& call,
                                  const v1::CreateAreaRequest& request);
  absl::StatusOr<v1::Area> Rename(const common::CallContext& call,
                                  const v1::RenameAreaRequest& request);
  absl::StatusOr<v1::Area> Move(const common::CallContext& call,
                                const v1::MoveAreaRequest& request);
  absl::StatusOr<v1::ListChildAreasResponse> ListChildren(const common::CallContext& call,
                                                          const v1::ListChildAreasRequest& request);
  absl::StatusOr<v1::Area> Get(const common::CallContext& call, const v1::GetAreaRequest& request);

 private:
  AreaStore& store_;
};

}  // namespace fangxian::identity

#endif  // FANGXIAN_SERVICES_IDENTITY_AREAS_H_
