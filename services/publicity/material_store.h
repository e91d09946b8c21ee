// Storage of the materials inventory behind a small interface; PgMaterialStore is the one
// that ships.
#ifndef FANGXIAN_SERVICES_PUBLICITY_MATERIAL_STORE_H_
#define FANGXIAN_SERVICES_PUBLICITY_MATERIAL_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/paging.h"
#include "common/pg.h"
#include "fangxian/publicity/v1/materials.pb.h"
#include "services/publicity/material_rules.h"

namespace fangxian::publicity {

// Which materials a list returns.
struct MaterialFilter {
  std::vector<std::string> areas;        // at or below one of these (at least one)
  int kind = 0;                          // v1::MaterialKind number; 0: any
  int condition = 0;                     // v1::MaterialCondition number; 0: any
  std::optional<absl::CivilDay> due_by;  // only those needing replacement by that day
  bool include_removed = false;
};

class MaterialStore {
 public:
  virtual ~MaterialStore() = default;
  // Inserts `in` (created_by set by the caller; updated_by becomes the same) at version 1
  // and returns it with its id and times.
  virtual absl::StatusOr<v1::Material> Insert(const v1::Material& in) = 0;
  // NOT_FOUND when absent.
  virtual absl::StatusOr<v1::Material> Get(const std::string& material_id) = 0;
  // Writes the changeable fields of `next` (kind, description, area, checkpoint, place,
  // quantity, condition, replace_by, updated_by and the removal fields) when the stored
  // version is still `expected_version`, bumping it. NOT_FOUND when absent; ABORTED when
  // the version moved on.
  virtual absl::StatusOr<v1::Material> Update(const v1::Material& next, int expected_version) = 0;
  // Newest first (create time, then id, descending), after `after`, at most `limit`.
  virtual absl::StatusOr<std::vector<v1::Material>> List(
      const MaterialFilter& filter, const std::optional<common::TimeIdPosition>& after,
      int limit) = 0;
  // Materials in service on `today` (installed_on <= today, not removed) at or below
  // `area`, summed per group (see MaterialGroup): once for the whole area and once per
  // child area; replace_by reached as of `today`.
  virtual absl::StatusOr<std::vector<MaterialGroup>> Totals(const std::string& area,
                                                            absl::CivilDay today) = 0;
};

class PgMaterialStore final : public MaterialStore {
 public:
  explicit PgMaterialStore(common::PgPool& pool) : pool_(pool) {}
  absl::StatusOr<v1::Material> Insert(const v1::Material& in) override;
  absl::StatusOr<v1::Material> Get(const std::string& material_id) override;
  absl::StatusOr<v1::Material> Update(const v1::Material& next, int expected_version) override;
  absl::StatusOr<std::vector<v1::Material>> List(const MaterialFilter& filter,
                                                 const std::optional<common::TimeIdPosition>& after,
                                                 int limit) override;
  absl::StatusOr<std::vector<MaterialGroup>> Totals(const std::string& area,
                                                    absl::CivilDay today) override;

 private:
  common::PgPool& pool_;
};

}  // namespace fangxian::publicity

#endif  // FANGXIAN_SERVICES_PUBLICITY_MATERIAL_STORE_H_
