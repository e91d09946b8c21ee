// Storage of alerts behind a small interface; PgAlertStore is the one that ships. Alerts
// are written by InsertAlerts (alert_writer.h) inside the raising transaction; this store
// reads and acknowledges them.
#ifndef FANGXIAN_SERVICES_CHECKPOINT_ALERT_STORE_H_
#define FANGXIAN_SERVICES_CHECKPOINT_ALERT_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/paging.h"
#include "common/pg.h"

namespace fangxian::checkpoint {

struct AlertRow {
  std::string alert_id;
  int kind = 0;  // proto number of v1::AlertKind
  std::string checkpoint_id;
  std::vector<std::string> area_codes;
  std::string passage_id;   // "" when none
  std::string resident_id;  // "" when none
  std::optional<double> temperature_celsius;
  std::string detail;
  int64_t raised_at_micros = 0;
  int64_t acknowledged_at_micros = 0;  // 0: not acknowledged
  std::string acknowledged_by;
  std::string note;
};

struct AlertQuery {
  // Alerts with at least one area at or below one of these (never empty).
  std::vector<std::string> areas;
  std::vector<int> kinds;  // empty: every kind
  bool unacknowledged_only = false;
  std::optional<int64_t> since_micros;  // raised at or after
  // Keyset page: only alerts after this (raised_at micros, alert_id) in newest-first order.
  std::optional<common::TimeIdPosition> before;
  int limit = 100;
};

class AlertStore {
 public:
  virtual ~AlertStore() = default;
  // Newest first (raised_at, then alert_id, descending).
  virtual absl::StatusOr<std::vector<AlertRow>> List(const AlertQuery& query) = 0;
  // NOT_FOUND when absent.
  virtual absl::StatusOr<AlertRow> Get(const std::string& alert_id) = 0;
  // Records the acknowledgement if nobody has yet and returns the row after it.
  // FAILED_PRECONDITION naming who acknowledged it and when if someone already has;
  // NOT_FOUND when absent.
  virtual absl::StatusOr<AlertRow> Acknowledge(const std::string& alert_id, const std::string& by,
                                               const std::string& note, absl::Time now) = 0;
  // Alerts raised strictly after `after_micros` with an area at or below one of `areas`,
  // oldest first, at most `limit`.
  virtual absl::StatusOr<std::vector<AlertRow>> RaisedAfter(const std::vector<std::string>& areas,
                                                            int64_t after_micros, int limit) = 0;
};

class PgAlertStore final : public AlertStore {
 public:
  explicit PgAlertStore(common::PgPool& pool) : pool_(pool) {}
  absl::StatusOr<std::vector<AlertRow>> List(const AlertQuery& query) override;
  absl::StatusOr<AlertRow> Get(const std::string& alert_id) override;
  absl::StatusOr<AlertRow> Acknowledge(const std::string& alert_id, const std::string& by,
                                       const std::string& note, absl::Time now) override;
  absl::StatusOr<std::vector<AlertRow>> RaisedAfter(const std::vector<std::string>& areas,
                                                    int64_t after_micros, int limit) override;

 private:
  common::PgPool& pool_;
};

}  // namespace fangxian::checkpoint

#endif  // FANGXIAN_SERVICES_CHECKPOINT_ALERT_STORE_H_
