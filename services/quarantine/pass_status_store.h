// Reading stored pass colours behind a small interface; PgPassStatusStore is the one
// that ships. The colour engine writes them (pass_colour_engine.h).
#ifndef FANGXIAN_SERVICES_QUARANTINE_PASS_STATUS_STORE_H_
#define FANGXIAN_SERVICES_QUARANTINE_PASS_STATUS_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
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
  // Whether `member_id` and `resident_id` are both members of one active isolation order
  // (unreleased, started by `today`): a resident may read a fellow member's pass.
  virtual absl::StatusOr<bool> SharesActiveOrder(const std::string& member_id,
                                                 const std::string& resident_id,
                                                 absl::CivilDay today) = 0;
};

class PgPassStatusStore final : public PassStatusStore {
 public:
  explicit PgPassStatusStore(common::PgPool& pool) : pool_(pool) {}
  absl::StatusOr<std::optional<PassStatusRow>> Get(const std::string& resident_id) override;
  absl::StatusOr<bool> SharesActiveOrder(const std::string& member_id,
                                         const std::string& resident_id,
                                         absl::CivilDay today) override;

 private:
  common::PgPool& pool_;
};

}  // namespace fangxian::quarantine

#endif  // FANGXIAN_SERVICES_QUARANTINE_PASS_STATUS_STORE_H_
