// Raising alerts inside the caller's transaction: each alert row and its outbox event are
// written on the same connection, so an alert is published if and only if it committed.
// Used by the passage log (fever, red pass, outside vehicle, unknown person) and the roster
// watch (post unstaffed). Event format and stream: docs/checkpoint.md, "Events".
#ifndef FANGXIAN_SERVICES_CHECKPOINT_ALERT_WRITER_H_
#define FANGXIAN_SERVICES_CHECKPOINT_ALERT_WRITER_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/pg.h"

namespace fangxian::checkpoint {

// Where alert events go: the outbox table written with the alerts and the Redis Stream the
// relay (common/outbox_relay.h) publishes it to.
inline constexpr char kAlertOutboxTable[] = "checkpoint.outbox";
inline constexpr char kAlertStreamKey[] = "fx:checkpoint:v1:alerts";

// Proto numbers of fangxian.checkpoint.v1.AlertKind (also stored in alerts.kind).
enum class AlertKind : int {
  kFever = 1,
  kRedPass = 2,
  kOutsideVehicle = 3,
  kUnknownPerson = 4,
  kPostUnstaffed = 5,
};

// The event type an alert kind is published as ("checkpoint.alert.fever", ...).
const char* AlertEventType(AlertKind kind);

struct NewAlert {
  AlertKind kind = AlertKind::kFever;
  std::string checkpoint_id;
  std::vector<std::string> area_codes;  // the checkpoint's areas
  std::string passage_id;               // empty: not raised by a passage
  std::string resident_id;              // empty: nobody known
  std::optional<double> temperature_celsius;
  std::string detail;      // short, no personal data ("post 2 of shift 1 unstaffed")
  std::string dedupe_key;  // empty: none; otherwise a second alert with it is skipped
  absl::Time raised_at;
};

// Inserts the alerts and one outbox event per inserted alert, on `conn` (the caller holds
// the transaction). Alerts whose dedupe_key already exists are skipped. Fills `alert_ids`
// (when not null) with the ids of the inserted alerts, in input order, "" for skipped ones.
absl::Status InsertAlerts(common::PgConn& conn, const std::vector<NewAlert>& alerts,
                          std::vector<std::string>* alert_ids = nullptr);

}  // namespace fangxian::checkpoint

#endif  // FANGXIAN_SERVICES_CHECKPOINT_ALERT_WRITER_H_
