// Storage of persons of interest behind a small interface; PgPersonStore is the one that
// ships.
#ifndef FANGXIAN_SERVICES_QUARANTINE_PERSON_STORE_H_
#define FANGXIAN_SERVICES_QUARANTINE_PERSON_STORE_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "common/pg.h"

namespace fangxian::quarantine {

struct PersonRow {
  std::string person_id;
  std::string resident_id;
  int category = 0;  // proto number of v1::Category
  int source = 0;    // proto number of v1::Source
  std::string area_code;
  std::string origin_region;
  std::string arrival_date;  // YYYY-MM-DD, empty when unknown (SQL NULL)
  std::string created_by;
  int64_t created_at_micros = 0;
};

class PersonStore {
 public:
  virtual ~PersonStore() = default;
  // Inserts and returns the stored row (id and time filled).
  virtual absl::StatusOr<PersonRow> Insert(const PersonRow& row) = 0;
  // NOT_FOUND when absent.
  virtual absl::StatusOr<PersonRow> Get(const std::string& person_id) = 0;
};

class PgPersonStore final : public PersonStore {
 public:
  explicit PgPersonStore(common::PgPool& pool) : pool_(pool) {}
  absl::StatusOr<PersonRow> Insert(const PersonRow& row) override;
  absl::StatusOr<PersonRow> Get(const std::string& person_id) override;

 private:
  common::PgPool& pool_;
};

}  // namespace fangxian::quarantine

#endif  // FANGXIAN_SERVICES_QUARANTINE_PERSON_STORE_H_
