// Storage of residents behind a small interface; PgResidentStore is the one that ships.
#ifndef FANGXIAN_SERVICES_IDENTITY_RESIDENT_STORE_H_
#define FANGXIAN_SERVICES_IDENTITY_RESIDENT_STORE_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "common/pg.h"

namespace fangxian::identity {

struct ResidentRow {
  std::string resident_id;
  std::string name;
  std::string id_number_sealed;
  std::string id_number_hash;
  std::string id_number_masked;
  std::string phone;
  std::string area_code;
  std::string created_by;
  int64_t created_at_micros = 0;
};

class ResidentStore {
 public:
  virtual ~ResidentStore() = default;
  // Inserts and returns the stored row (id and time filled). ALREADY_EXISTS when the
  // ID number hash is taken.
  virtual absl::StatusOr<ResidentRow> Insert(const ResidentRow& row) = 0;
  // NOT_FOUND when absent.
  virtual absl::StatusOr<ResidentRow> Get(const std::string& resident_id) = 0;
};

class PgResidentStore final : public ResidentStore {
 public:
  explicit PgResidentStore(common::PgPool& pool) : pool_(pool) {}
  absl::StatusOr<ResidentRow> Insert(const ResidentRow& row) override;
  absl::StatusOr<ResidentRow> Get(const std::string& resident_id) override;

 private:
  common::PgPool& pool_;
};

}  // namespace fangxian::identity

#endif  // FANGXIAN_SERVICES_IDENTITY_RESIDENT_STORE_H_
