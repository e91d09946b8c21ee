#include "services/checkpoint/alerts.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/paging.h"
#include "common/validate.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"

namespace fangxian::checkpoint {

const std::vector<absl::string_view> kAlertHealthDataRoles = {"subdistrict_admin",
                                                              "community_admin", "shift_leader"};

namespace {

using google::protobuf::util::TimeUtil;

absl::Status NotFound() { return absl::NotFoundError("no alert with this alert_id"); }

// The request's `since` as a time, to the microsecond the rows are stored with;
// INVALID_ARGUMENT when out of the Timestamp range.
absl::StatusOr<absl::Time> SinceTime(const google::protobuf::Timestamp& ts) {
  absl::StatusOr<absl::Time> since = common::RequireTimestamp("since", ts);
  if (!since.ok()) return since.status();
  return absl::FromUnixMicros(absl::ToUnixMicros(*since));
}

}  // namespace

absl::StatusOr<AlertAudience> AudienceFor(const common::CallContext& call,
                                          absl::string_view area_code) {
  absl::StatusOr<std::vector<std::string>> areas = common::ScopeAreas(call, "area_code", area_code);
  if (!areas.ok()) return areas.status();
  return AlertAudience{*std::move(areas)};
}

bool MaySeeHealthData(const common::CallContext& call,
                      const google::protobuf::RepeatedPtrField<std::string>& area_codes) {
  return std::any_of(area_codes.begin(), area_codes.end(), [&](const std::string& area) {
    return call.principal.CoversArea(area, kAlertHealthDataRoles);
  });
}

v1::Alert RedactFor(const common::CallContext& call, v1::Alert alert) {
  if (alert.has_temperature_celsius() && !MaySeeHealthData(call, alert.area_codes())) {
    alert.clear_temperature_celsius();
  }
  return alert;
}

v1::Alert AlertToProto(const AlertRow& row) {
  v1::Alert out;
  out.set_alert_id(row.alert_id);
  out.set_kind(static_cast<v1::AlertKind>(row.kind));
  out.set_checkpoint_id(row.checkpoint_id);
  for (const std::string& area : row.area_codes) out.add_area_codes(area);
  out.set_passage_id(row.passage_id);
  out.set_resident_id(row.resident_id);
  if (row.temperature_celsius) out.set_temperature_celsius(*row.temperature_celsius);
  out.set_detail(row.detail);
  *out.mutable_raise_time() = TimeUtil::MicrosecondsToTimestamp(row.raised_at_micros);
  if (row.acknowledged_at_micros != 0) {
    *out.mutable_acknowledge_time() = TimeUtil::MicrosecondsToTimestamp(row.acknowledged_at_micros);
    out.set_acknowledged_by(row.acknowledged_by);
    out.set_note(row.note);
  }
  return out;
}

absl::StatusOr<v1::Alert> AlertFromEventJson(absl::string_view payload) {
  v1::AlertEvent event;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;  // the payload may grow
  if (!google::protobuf::util::JsonStringToMessage(
           google::protobuf::StringPiece(payload.data(), payload.size()), &event, options)
           .ok() ||
      !common::IsUuid(event.alert_id())) {
    return absl::InvalidArgumentError("the alert event payload is not AlertEvent JSON");
  }
  v1::Alert out;
  out.set_alert_id(event.alert_id());
  out.set_kind(static_cast<v1::AlertKind>(event.kind()));
  out.set_checkpoint_id(event.checkpoint_id());
  *out.mutable_area_codes() = event.area_codes();
  out.set_passage_id(event.passage_id());
  out.set_resident_id(event.resident_id());
  if (event.has_temperature_celsius()) {
    // As stored (numeric(4,1)), so the live and the stored alert agree.
    out.set_temperature_celsius(std::round(event.temperature_celsius() * 10) / 10);
  }
  out.set_detail(event.detail());
  *out.mutable_raise_time() = event.raised_at();
  return out;
}

absl::StatusOr<v1::ListAlertsResponse> Alerts::List(const common::CallContext& call,
                                                    const v1::ListAlertsRequest& request) {
  absl::StatusOr<AlertAudience> audience = AudienceFor(call, request.area_code());
  if (!audience.ok()) return audience.status();
  AlertQuery query;
  query.areas = audience->areas;
  for (int kind : request.kinds()) {
    if (kind == v1::ALERT_KIND_UNSPECIFIED || !v1::AlertKind_IsValid(kind)) {
      return absl::InvalidArgumentError(
          absl::StrCat("kinds: ", kind, " is not a known AlertKind (1..5)"));
    }
    query.kinds.push_back(kind);
  }
  query.unacknowledged_only = request.unacknowledged_only();
  if (request.has_since()) {
    absl::StatusOr<absl::Time> since = SinceTime(request.since());
    if (!since.ok()) return since.status();
    query.since_micros = absl::ToUnixMicros(*since);
  }
  absl::StatusOr<int> page_size =
      common::PageSize(request.page_size(), kDefaultAlertPageSize, kMaxAlertPageSize);
  if (!page_size.ok()) return page_size.status();
  absl::StatusOr<std::optional<common::TimeIdPosition>> before =
      common::DecodeTimeIdPageToken(request.page_token());
  if (!before.ok()) return before.status();
  query.before = *std::move(before);
  query.limit = *page_size + 1;  // one more tells whether there is a next page
  absl::StatusOr<std::vector<AlertRow>> rows = store_.List(query);
  if (!rows.ok()) return rows.status();
  v1::ListAlertsResponse out;
  const size_t shown = common::TakePage(
      *rows, *page_size,
      [](const AlertRow& last) {
        return common::EncodeTimeIdPageToken(last.raised_at_micros, last.alert_id);
      },
      out.mutable_next_page_token());
  for (size_t i = 0; i < shown; ++i) {
    *out.add_alerts() = RedactFor(call, AlertToProto((*rows)[i]));
  }
  return out;
}

absl::StatusOr<AlertRow> Alerts::GetInScope(const common::CallContext& call,
                                            const std::string& alert_id) {
  if (auto s = common::RequireUuid("alert_id", alert_id); !s.ok()) return s;
  absl::StatusOr<AlertRow> row = store_.Get(alert_id);
  if (!row.ok()) return row.status();
  // Outside the scope reads as absent: the caller learns nothing about other areas.
  if (!RequireScopeAny(call, "this alert", row->area_codes).ok()) return NotFound();
  return row;
}

absl::StatusOr<v1::Alert> Alerts::Get(const common::CallContext& call,
                                      const std::string& alert_id) {
  absl::StatusOr<AlertRow> row = GetInScope(call, alert_id);
  if (!row.ok()) return row.status();
  return RedactFor(call, AlertToProto(*row));
}

absl::StatusOr<v1::Alert> Alerts::Acknowledge(const common::CallContext& call,
                                              const v1::AcknowledgeAlertRequest& request,
                                              absl::Time now) {
  if (auto s = common::RequireUuid("alert_id", request.alert_id()); !s.ok()) return s;
  if (auto s = common::RequireText("note", request.note(), kMaxAlertNoteChars, /*required=*/false);
      !s.ok()) {
    return s;
  }
  absl::StatusOr<AlertRow> row = GetInScope(call, request.alert_id());
  if (!row.ok()) return row.status();
  absl::StatusOr<AlertRow> acked =
      store_.Acknowledge(request.alert_id(), call.principal.subject, request.note(), now);
  if (!acked.ok()) return acked.status();
  return RedactFor(call, AlertToProto(*acked));
}

absl::StatusOr<AlertAudience> Alerts::StartStream(const common::CallContext& call,
                                                  const v1::StreamAlertsRequest& request,
                                                  absl::Time now) {
  absl::StatusOr<AlertAudience> audience = AudienceFor(call, request.area_code());
  if (!audience.ok()) return audience.status();
  if (request.has_since()) {
    absl::StatusOr<absl::Time> since = SinceTime(request.since());
    if (!since.ok()) return since.status();
    if (*since < now - kMaxAlertReplay || *since > now) {
      return absl::InvalidArgumentError(
          "since must be within the last hour and not in the future; use ListAlerts for "
          "older alerts");
    }
  }
  return audience;
}

absl::StatusOr<std::vector<v1::Alert>> Alerts::Replay(const common::CallContext& call,
                                                      const AlertAudience& audience,
                                                      absl::Time since) {
  absl::StatusOr<std::vector<AlertRow>> rows = store_.RaisedAfter(
      audience.areas, absl::ToUnixMicros(since - kAlertReplayMargin), kMaxAlertReplayCount + 1);
  if (!rows.ok()) return rows.status();
  if (rows->size() > static_cast<size_t>(kMaxAlertReplayCount)) {
    return absl::OutOfRangeError(
        absl::StrCat("more than ", kMaxAlertReplayCount,
                     " alerts to replay; page through them with ListAlerts and pass a later "
                     "since"));
  }
  std::vector<v1::Alert> out;
  out.reserve(rows->size());
  for (const AlertRow& row : *rows) out.push_back(RedactFor(call, AlertToProto(row)));
  return out;
}

}  // namespace fangxian::checkpoint
