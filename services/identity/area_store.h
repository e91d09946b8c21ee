// Storage of the area tree behind a small interface; PgAreaStore is the one that ships.
// Checks that must see the same data as the write (the parent's level, residents under a
// subtree) run inside the store's transaction through a callback, so the rules stay in
// Areas and the write stays atomic.
#ifndef FANGXIAN_SERVICES_IDENTITY_AREA_STORE_H_
#define FANGXIAN_SERVICES_IDENTITY_AREA_STORE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/pg.h"

namespace fangxian::identity {

struct AreaRow {
  std::string path;
  std::string parent_path;
  std::string code;
  std::string name;
  int level = 0;  // v1::AreaLevel
  std::string created_by;
  int64_t created_at_micros = 0;
};

// What a move would do, read under the move's locks.
struct MovePlan {
  AreaRow area;                       // the area being moved
  std::string new_parent_path;        // as requested
  std::optional<AreaRow> new_parent;  // absent for a city root or a missing area
  int64_t residents = 0;              // residents living in the subtree
  int64_t staff = 0;                  // staff accounts and role grants in the subtree
  int64_t households = 0;             // households registered in the subtree
  int64_t longest_path = 0;           // longest path in the subtree, in characters
};

class AreaStore {
 public:
  // Runs inside the write's transaction; a failure rolls it back and is returned.
  using ParentCheck = std::function<absl::Status(const std::optional<AreaRow>& parent)>;
  using MoveCheck = std::function<absl::Status(const MovePlan& plan)>;

  virtual ~AreaStore() = default;

  // Reads the parent (locked against moves; absent when it is missing or a one-segment
  // city root), lets `check` judge it, then inserts `row` and returns it with its time.
  // ALREADY_EXISTS when the parent already has a child with this code.
  virtual absl::StatusOr<AreaRow> Insert(const AreaRow& row, const ParentCheck& check) = 0;
  // NOT_FOUND when absent.
  virtual absl::StatusOr<AreaRow> Get(const std::string& path) = 0;
  // The rows of those `paths` that exist, shortest path first.
  virtual absl::StatusOr<std::vector<AreaRow>> GetMany(const std::vector<std::string>& paths) = 0;
  // NOT_FOUND when absent.
  virtual absl::StatusOr<AreaRow> Rename(const std::string& path, const std::string& name) = 0;
  // Children of `parent_path` with code > `after_code`, by code, at most `limit`. When
  // `only_codes` is set, only children with those codes.
  virtual absl::StatusOr<std::vector<AreaRow>> ListChildren(
      const std::string& parent_path, const std::string& after_code, int limit,
      const std::optional<std::vector<std::string>>& only_codes) = 0;
  // In one transaction: locks the subtree of `path`, builds the MovePlan, lets `check`
  // judge it, then rewrites the paths of the area and all its descendants under
  // `new_parent_path`. Returns the moved area. NOT_FOUND when `path` is absent;
  // ALREADY_EXISTS when the new path is taken.
  virtual absl::StatusOr<AreaRow> Move(const std::string& path, const std::string& new_parent_path,
                                       const MoveCheck& check) = 0;
};

class PgAreaStore final : public AreaStore {
 public:
  explicit PgAreaStore(common::PgPool& pool) : pool_(pool) {}
  absl::StatusOr<AreaRow> Insert(const AreaRow& row, const ParentCheck& check) override;
  absl::StatusOr<AreaRow> Get(const std::string& path) override;
  absl::StatusOr<std::vector<AreaRow>> GetMany(const std::vector<std::string>& paths) override;
  absl::StatusOr<AreaRow> Rename(const std::string& path, const std::string& name) override;
  absl::StatusOr<std::vector<AreaRow>> ListChildren(
      const std::string& parent_path, const std::string& after_code, int limit,
      const std::optional<std::vector<std::string>>& only_codes) override;
  absl::StatusOr<AreaRow> Move(const std::string& path, const std::string& new_parent_path,
                               const MoveCheck& check) override;

 private:
  common::PgPool& pool_;
};

}  // namespace fangxian::identity

#endif  // FANGXIAN_SERVICES_IDENTITY_AREA_STORE_H_
