#include "services/checkpoint/alert_writer.h"

#include "absl/strings/str_cat.h"
#include "common/json.h"
#include "common/time_text.h"

namespace fangxian::checkpoint {
namespace {

// The event published for an alert (fangxian.checkpoint.v1.AlertEvent as JSON): ids,
// kind, where and when, the detail; the only health datum is the temperature of a fever
// alert, which quarantine needs for the referral.
std::string EventPayload(const NewAlert& a, absl::string_view alert_id) {
  std::string out = "{\"alert_id\":";
  common::AppendJsonString(out, alert_id);
  absl::StrAppend(&out, ",\"kind\":", static_cast<int>(a.kind), ",\"type\":");
  common::AppendJsonString(out, AlertEventType(a.kind));
  out += ",\"checkpoint_id\":";
  common::AppendJsonString(out, a.checkpoint_id);
  out += ",\"area_codes\":[";
  for (size_t i = 0; i < a.area_codes.size(); ++i) {
    if (i > 0) out += ',';
    common::AppendJsonString(out, a.area_codes[i]);
  }
  out += "],\"passage_id\":";
  common::AppendJsonString(out, a.passage_id);
  out += ",\"resident_id\":";
  common::AppendJsonString(out, a.resident_id);
  if (a.temperature_celsius) {
    absl::StrAppend(&out, ",\"temperature_celsius\":", *a.temperature_celsius);
  }
  out += ",\"raised_at\":";
  common::AppendJsonString(out, common::Rfc3339Micros(a.raised_at));
  out += ",\"detail\":";
  common::AppendJsonString(out, a.detail);
  out += '}';
  return out;
}

}  // namespace

const char* AlertEventType(AlertKind kind) {
  switch (kind) {
    case AlertKind::kFever:
      return "checkpoint.alert.fever";
    case AlertKind::kRedPass:
      return "checkpoint.alert.red_pass";
    case AlertKind::kOutsideVehicle:
      return "checkpoint.alert.outside_vehicle";
    case AlertKind::kUnknownPerson:
      return "checkpoint.alert.unknown_person";
    case AlertKind::kPostUnstaffed:
      return "checkpoint.alert.post_unstaffed";
  }
  return "checkpoint.alert.unknown";
}

absl::Status InsertAlerts(common::PgConn& conn, const std::vector<NewAlert>& alerts,
                          std::vector<std::string>* alert_ids) {
  if (alert_ids != nullptr) alert_ids->assign(alerts.size(), "");
  for (size_t i = 0; i < alerts.size(); ++i) {
    const NewAlert& a = alerts[i];
    const std::string kind = std::to_string(static_cast<int>(a.kind));
    const std::string temperature =
        a.temperature_celsius ? absl::StrCat(*a.temperature_celsius) : std::string();
    const std::string areas = common::PgTextArray(a.area_codes);
    const std::string raised = common::Rfc3339Micros(a.raised_at);
    auto r = conn.Exec(
        "INSERT INTO checkpoint.alerts (kind, checkpoint_id, area_codes, passage_id, "
        "resident_id, temperature_celsius, detail, dedupe_key, raised_at) "
        "VALUES ($1, $2, $3::text[], $4::uuid, $5::uuid, $6::numeric, $7, $8, $9) "
        "ON CONFLICT (dedupe_key) DO NOTHING RETURNING alert_id",
        {kind, a.checkpoint_id, areas,
         a.passage_id.empty() ? common::PgParam() : common::PgParam(a.passage_id),
         a.resident_id.empty() ? common::PgParam() : common::PgParam(a.resident_id),
         a.temperature_celsius ? common::PgParam(temperature) : common::PgParam(), a.detail,
         a.dedupe_key.empty() ? common::PgParam() : common::PgParam(a.dedupe_key), raised});
    if (!r.ok()) return r.status();
    if (r->rows() == 0) continue;  // deduplicated
    const std::string alert_id(r->Get(0, 0));
    if (alert_ids != nullptr) (*alert_ids)[i] = alert_id;
    auto o = conn.Exec("INSERT INTO checkpoint.outbox (event_type, payload) VALUES ($1, $2)",
                       {AlertEventType(a.kind), EventPayload(a, alert_id)});
    if (!o.ok()) return o.status();
  }
  return absl::OkStatus();
}

}  // namespace fangxian::checkpoint
