// Storage of residents behind a small interface; PgResidentStore is the one that ships.
#ifndef FANGXIAN_SERVICES_IDENTITY_RESIDENT_STORE_H_
#define FANGXIAN_SERVICES_IDENTITY_RESIDENT_STORE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

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
  int64_t moved_out_at_micros = 0;  // 0 while the resident lives here
  std::string moved_out_reason;
  bool visitor = false;
};

// A resident with the household it belongs to (empty strings for none): what a person
// summary shows, read in one query.
struct ResidentWithHousehold {
  ResidentRow row;
  std::string household_id;
  std::string household_card_number;
};

// Edits a locked row in place and returns the audit entries of the change, none when
// nothing changed (then nothing is written). An error aborts the transaction.
using ResidentChange = std::function<absl::StatusOr<std::vector<AuditEntry>>(ResidentRow&)>;

// SearchResidents' filters, already validated. Empty strings filter nothing.
struct ResidentQuery {
  std::string area_code;       // the area and everything below it
  std::string name_prefix;     // taken literally (no LIKE wildcards)
  std::string phone;           // exact
  std::string id_number_hash;  // exact (keyed hash)
  bool include_moved_out = false;
  std::string after_resident_id;  // keyset paging: ids greater than this
  int limit = 0;
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
  // The resident and its household in one query, by id or by the keyed hash of the ID
  // number (the lookups behind a person summary). NOT_FOUND when absent.
  virtual absl::StatusOr<ResidentWithHousehold> GetWithHousehold(
      const std::string& resident_id) = 0;
  virtual absl::StatusOr<ResidentWithHousehold> FindWithHouseholdByIdHash(
      const std::string& id_number_hash) = 0;
  // Inserts `rows` in one transaction, each with its audit entry (subject id filled in);
  // a row whose ID number is already registered (also earlier in `rows`) is skipped, not
  // an error. Returns, per row, whether it was created.
  // `household_ids[i]`, when not empty, is a household the created resident joins in
  // the same transaction (with a "household.member_add" audit row).
  virtual absl::StatusOr<std::vector<bool>> InsertBatch(
      const std::vector<ResidentRow>& rows, std::vector<AuditEntry> audits,
      const std::vector<std::string>& household_ids) = 0;
  // The household with this card number: (household id, area path). NOT_FOUND if none.
  virtual absl::StatusOr<std::pair<std::string, std::string>> FindHouseholdByCard(
      const std::string& card_number) = 0;
  // Writes an audit row on its own (unmasked reads).
  virtual absl::Status RecordAccess(const AuditEntry& audit) = 0;
  // NOT_FOUND when absent.
  virtual absl::StatusOr<ResidentRow> Get(const std::string& resident_id) = 0;
  // In one transaction: locks the row (FOR UPDATE), runs `change` on it, writes name,
  // phone, area_code and the move-out columns back with the audit row. Returns the stored
  // row. NOT_FOUND when absent; `change`'s error as is.
  virtual absl::StatusOr<ResidentRow> Modify(const std::string& resident_id,
                                             const ResidentChange& change) = 0;
  // Rows matching `query`, ordered by resident_id, at most query.limit.
  virtual absl::StatusOr<std::vector<ResidentRow>> Search(const ResidentQuery& query) = 0;
};

class PgResidentStore final : public ResidentStore {
 public:
  explicit PgResidentStore(common::PgPool& pool) : pool_(pool) {}
  absl::StatusOr<ResidentRow> Insert(const ResidentRow& row, AuditEntry audit) override;
  absl::Status RecordAccess(const AuditEntry& audit) override;
  absl::StatusOr<std::vector<bool>> InsertBatch(
      const std::vector<ResidentRow>& rows, std::vector<AuditEntry> audits,
      const std::vector<std::string>& household_ids) override;
  absl::StatusOr<std::pair<std::string, std::string>> FindHouseholdByCard(
      const std::string& card_number) override;
  absl::StatusOr<ResidentRow> FindByIdHash(const std::string& id_number_hash) override;
  absl::StatusOr<ResidentWithHousehold> GetWithHousehold(const std::string& resident_id) override;
  absl::StatusOr<ResidentWithHousehold> FindWithHouseholdByIdHash(
      const std::string& id_number_hash) override;
  absl::StatusOr<uint32_t> BumpPassVersion(const std::string& resident_id,
                                           const AuditEntry& audit) override;
  absl::StatusOr<ResidentRow> Get(const std::string& resident_id) override;
  absl::StatusOr<ResidentRow> Modify(const std::string& resident_id,
                                     const ResidentChange& change) override;
  absl::StatusOr<std::vector<ResidentRow>> Search(const ResidentQuery& query) override;

 private:
  common::PgPool& pool_;
};

}  // namespace fangxian::identity

#endif  // FANGXIAN_SERVICES_IDENTITY_RESIDENT_STORE_H_
