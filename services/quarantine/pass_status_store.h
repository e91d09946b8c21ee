// Storage of pass colours behind a small interface; PgPassStatusStore is the one that
// ships.
#ifndef FANGXIAN_SERVICES_QUARANTINE_PASS_STATUS_STORE_H_
#define FANGXIAN_SERVICES_QUARANTINE_PASS_STATUS_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/pg.h"

namespace fangxian::quarantine {

struct PassStatusRow {
  std::string resident_id;
  int colour = 0;                                            // proto number of v1::PassColour
  std::vector<std::pair<std::string, std::string>> reasons;  // (code, detail), in order
  std::string area_code;                                     // "" when unknown
  int64_t updated_at_micros = 0;                             // when the colour last changed
};

class PassStatusStore {
 public:
  virtual ~PassStatusStore() = default;
  // The stored row, or std::nullopt when the person has none (GREEN by default).
  virtual absl::StatusOr<std::optional<PassStatusRow>> Get(const std::string& resident_id) = 0;
  // Inserts or replaces the person's row and returns it as stored. updated_at becomes
  // `now` for a new row or a changed colour and is kept otherwise.
  virtual absl::StatusOr<PassStatusRow> Put(const PassStatusRow& row, absl::Time now) = 0;
};

class PgPassStatusStore final : public PassStatusStore {
 public:
  explicit PgPassStatusStore(common::PgPool& pool) : pool_(pool) {}
  absl::StatusOr<std::optional<PassStatusRow>> Get(const std::string& resident_id) override;
  absl::StatusOr<PassStatusRow> Put(const PassStatusRow& row, absl::Time now) override;

 private:
  common::PgPool& pool_;
};

}  // namespace fangxian::quarantine

#endif  // FANGXIAN_SERVICES_QUARANTINE_PASS_STATUS_STORE_H_
