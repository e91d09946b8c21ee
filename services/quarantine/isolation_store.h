// Storage of isolation orders (with their members and period changes) and of commitment
// letter templates and signings, behind small interfaces; the Pg implementations ship.
// Every write to an order recomputes its members' pass colours inside the same
// transaction (PassColourEngine::Recompute) and wakes the outbox relay after COMMIT.
#ifndef FANGXIAN_SERVICES_QUARANTINE_ISOLATION_STORE_H_
#define FANGXIAN_SERVICES_QUARANTINE_ISOLATION_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/paging.h"
#include "common/pg.h"
#include "services/quarantine/pass_colour_engine.h"

namespace fangxian::quarantine {

// The cancel_reason of service requests ended by the release of their order.
inline constexpr char kReleaseCancelReason[] = "isolation released";

struct PeriodChangeRow {
  int old_period_days = 0;
  int new_period_days = 0;
  std::string reason;
  std::string changed_by;
  int64_t changed_at_micros = 0;
};

struct IsolationOrderRow {
  std::string order_id;
  std::string household_id;
  std::string area_code;
  absl::CivilDay start_date;
  int period_days = 0;
  int checkins_per_day = 0;
  std::string reason;
  std::string created_by;
  int64_t created_at_micros = 0;
  std::optional<int64_t> released_at_micros;
  std::string released_by;
  std::string release_reason;
  std::vector<std::pair<std::string, std::string>> members;  // (resident_id, name), by name
  std::vector<PeriodChangeRow> changes;                      // oldest first

  absl::CivilDay end_date() const { return start_date + period_days; }
};

// Where a page of ListOrdersDueForRelease ends: its last order's end_date and id.
struct DuePosition {
  absl::CivilDay end_date;
  std::string order_id;
};

class IsolationStore {
 public:
  virtual ~IsolationStore() = default;
  // Inserts the order (order_id and created_at are assigned; created at `now`) with its
  // members and recomputes their colours. ALREADY_EXISTS naming the open order when the
  // household has an unreleased one.
  virtual absl::StatusOr<IsolationOrderRow> Insert(const IsolationOrderRow& row,
                                                   absl::Time now) = 0;
  // std::nullopt when there is no such order.
  virtual absl::StatusOr<std::optional<IsolationOrderRow>> Get(const std::string& order_id) = 0;
  // Sets the period (locking the order) and records the change, unless the period is
  // already `period_days` (then nothing is written). FAILED_PRECONDITION when released,
  // NOT_FOUND when missing.
  virtual absl::StatusOr<IsolationOrderRow> ChangePeriod(const std::string& order_id,
                                                         int period_days, const std::string& reason,
                                                         const std::string& by, absl::Time now) = 0;
  // Releases the order (locking it) and, in the same transaction, cancels its service
  // requests not yet DELIVERED, CONFIRMED or CANCELLED (by `by`, reason
  // kReleaseCancelReason). FAILED_PRECONDITION when released already, NOT_FOUND when
  // missing.
  virtual absl::StatusOr<IsolationOrderRow> Release(const std::string& order_id,
                                                    const std::string& reason,
                                                    const std::string& by, absl::Time now) = 0;
  // Orders of households in `area_code` or below it, in `state` on `today` (UNSPECIFIED:
  // all), newest first, after `after`, at most `limit`.
  virtual absl::StatusOr<std::vector<IsolationOrderRow>> List(
      const std::string& area_code, int state, absl::CivilDay today,
      const std::optional<common::TimeIdPosition>& after, int limit) = 0;
  // Unreleased orders in `area_code` or below it with end_date <= `due_on`, by end_date
  // then id, after `after`, at most `limit`.
  virtual absl::StatusOr<std::vector<IsolationOrderRow>> ListDue(
      const std::string& area_code, absl::CivilDay due_on, const std::optional<DuePosition>& after,
      int limit) = 0;
};

class PgIsolationStore final : public IsolationStore {
 public:
  PgIsolationStore(common::PgPool& pool, const PassColourEngine& colours)
      : pool_(pool), colours_(colours) {}
  absl::StatusOr<IsolationOrderRow> Insert(const IsolationOrderRow& row, absl::Time now) override;
  absl::StatusOr<std::optional<IsolationOrderRow>> Get(const std::string& order_id) override;
  absl::StatusOr<IsolationOrderRow> ChangePeriod(const std::string& order_id, int period_days,
                                                 const std::string& reason, const std::string& by,
                                                 absl::Time now) override;
  absl::StatusOr<IsolationOrderRow> Release(const std::string& order_id, const std::string& reason,
                                            const std::string& by, absl::Time now) override;
  absl::StatusOr<std::vector<IsolationOrderRow>> List(
      const std::string& area_code, int state, absl::CivilDay today,
      const std::optional<common::TimeIdPosition>& after, int limit) override;
  absl::StatusOr<std::vector<IsolationOrderRow>> ListDue(const std::string& area_code,
                                                         absl::CivilDay due_on,
                                                         const std::optional<DuePosition>& after,
                                                         int limit) override;

 private:
  common::PgPool& pool_;
  const PassColourEngine& colours_;
};

struct LetterTemplateRow {
  std::string template_id;
  std::string area_code;
  int version = 0;
  int latest_version = 0;
  std::string title;
  std::string body;
  std::string change_note;
  std::string created_by;               // of this version
  int64_t created_at_micros = 0;        // of this version
  int64_t template_created_micros = 0;  // of version 1 (list order)
};

struct LetterSigningRow {
  std::string signing_id;
  std::string household_id;
  std::string area_code;
  std::string order_id;  // "" when none
  std::string template_id;
  int template_version = 0;
  std::string signer_name;
  int64_t signed_at_micros = 0;
  int delivery = 0;  // proto number of v1::LetterDelivery
  std::string third_party_name;
  std::string recorded_by;
  int64_t recorded_at_micros = 0;
};

class LetterStore {
 public:
  virtual ~LetterStore() = default;
  // Version 1 of a new template, written at `now`.
  virtual absl::StatusOr<LetterTemplateRow> InsertTemplate(const LetterTemplateRow& row,
                                                           absl::Time now) = 0;
  // Version latest+1 (title "" keeps the latest title). FAILED_PRECONDITION when
  // `base_version` > 0 and is not the latest; NOT_FOUND when missing.
  virtual absl::StatusOr<LetterTemplateRow> Revise(const std::string& template_id, int base_version,
                                                   const std::string& title,
                                                   const std::string& body,
                                                   const std::string& change_note,
                                                   const std::string& by, absl::Time now) = 0;
  // The template at `version` (0: latest); std::nullopt when there is no such template or
  // version.
  virtual absl::StatusOr<std::optional<LetterTemplateRow>> GetTemplate(
      const std::string& template_id, int version) = 0;
  // Templates of `area_code`, its ancestors and the areas below it, at their latest
  // versions, newest template first, after `after`, at most `limit`.
  virtual absl::StatusOr<std::vector<LetterTemplateRow>> ListTemplates(
      const std::string& area_code, const std::optional<common::TimeIdPosition>& after,
      int limit) = 0;
  // signing_id and recorded_at (`now`) are assigned.
  virtual absl::StatusOr<LetterSigningRow> InsertSigning(const LetterSigningRow& row,
                                                         absl::Time now) = 0;
  // A household's signings, newest signed_at first, after `after`, at most `limit`.
  virtual absl::StatusOr<std::vector<LetterSigningRow>> ListSignings(
      const std::string& household_id, const std::optional<common::TimeIdPosition>& after,
      int limit) = 0;
};

class PgLetterStore final : public LetterStore {
 public:
  explicit PgLetterStore(common::PgPool& pool) : pool_(pool) {}
  absl::StatusOr<LetterTemplateRow> InsertTemplate(const LetterTemplateRow& row,
                                                   absl::Time now) override;
  absl::StatusOr<LetterTemplateRow> Revise(const std::string& template_id, int base_version,
                                           const std::string& title, const std::string& body,
                                           const std::string& change_note, const std::string& by,
                                           absl::Time now) override;
  absl::StatusOr<std::optional<LetterTemplateRow>> GetTemplate(const std::string& template_id,
                                                               int version) override;
  absl::StatusOr<std::vector<LetterTemplateRow>> ListTemplates(
      const std::string& area_code, const std::optional<common::TimeIdPosition>& after,
      int limit) override;
  absl::StatusOr<LetterSigningRow> InsertSigning(const LetterSigningRow& row,
                                                 absl::Time now) override;
  absl::StatusOr<std::vector<LetterSigningRow>> ListSignings(
      const std::string& household_id, const std::optional<common::TimeIdPosition>& after,
      int limit) override;

 private:
  common::PgPool& pool_;
};

}  // namespace fangxian::quarantine

#endif  // FANGXIAN_SERVICES_QUARANTINE_ISOLATION_STORE_H_
