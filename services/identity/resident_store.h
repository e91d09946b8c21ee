// Storage of residents behind a small interface; PgResidentStore is the one that ships.
#ifndef FANGXIAN_SERVICES_IDENTITY_RESIDENT_STORE_H_
#define FANGXIAN_SERVICES_IDENTITY_RESIDENT_STORE_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "common/pg.h"
#include "services/identity/audit.h"

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
  uint32_t pass_version = 0;
};

class ResidentStore {
 public:
  virtual ~ResidentStore() = default;
  // Inserts and returns the stored row (id and time filled), with `audit` (its subject
  // id filled in) in the same transaction. ALREADY_EXISTS when the ID number is taken.
  virtual absl::StatusOr<ResidentRow> Insert(const ResidentRow& row, AuditEntry audit) = 0;
  // By the keyed hash of the ID number. NOT_FOUND when absent.
  virtual absl::StatusOr<ResidentRow> FindByIdHash(const std::string& id_number_hash) = 0;
  // Increments the pass version (invalidating earlier passes) with `audit`, and returns
  // the new version. NOT_FOUND when absent.
  virtual absl::StatusOr<uint32_t> BumpPassVersion(const std::string& resident_id,
                                                   const AuditEntry& audit) = 0;
  // Writes an audit row on its own (unmasked reads).
  virtual absl::Status RecordAccess(const AuditEntry& audit) = 0;
  // NOT_FOUND when absent.
  virtual absl::StatusOr<ResidentRow> Get(const std::string& resident_id) = 0;
};

class PgResidentStore final : public ResidentStore {
 public:
  explicit PgResidentStore(common::PgPool& pool) : pool_(pool) {}
  absl::StatusOr<ResidentRow> Insert(const ResidentRow& row, AuditEntry audit) override;
  absl::Status RecordAccess(const AuditEntry& audit) override;
  absl::StatusOr<ResidentRow> FindByIdHash(const std::string& id_number_hash) override;
  absl::StatusOr<uint32_t> BumpPassVersion(const std::string& resident_id,
                                           const AuditEntry& audit) override;
  absl::StatusOr<ResidentRow> Get(const std::string& resident_id) override;

 private:
  common::PgPool& pool_;
};

}  // namespace fangxian::identity

#endif  // FANGXIAN_SERVICES_IDENTITY_RESIDENT_STORE_H_
