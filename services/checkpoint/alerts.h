// Alerts: listing, reading and acknowledging them, and who sees what (scope filtering and
// the health-data rule), shared by the unary RPCs and the live stream. Independent of
// gRPC: takes plain values and the caller's identity.
#ifndef FANGXIAN_SERVICES_CHECKPOINT_ALERTS_H_
#define FANGXIAN_SERVICES_CHECKPOINT_ALERTS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/rpc.h"
#include "fangxian/checkpoint/v1/alerts.pb.h"
#include "services/checkpoint/alert_store.h"

namespace fangxian::checkpoint {

inline constexpr int kDefaultAlertPageSize = 100;
inline constexpr int kMaxAlertPageSize = 500;
inline constexpr size_t kMaxAlertNoteChars = 500;
// How far back StreamAlerts may replay, and how many alerts at most.
inline constexpr absl::Duration kMaxAlertReplay = absl::Hours(1);
inline constexpr int kMaxAlertReplayCount = 5000;
// A StreamAlerts replay starts this long before the request's `since`: alerts are
// published in commit order, not raise_time order (a transaction raising an alert may
// commit, and its outbox row be relayed, after a later alert was already streamed), so a
// client resuming from the raise_time of the last alert it received could otherwise miss
// one raised just before it. Clients dedupe the overlap by alert_id.
inline constexpr absl::Duration kAlertReplayMargin = absl::Seconds(60);

// Grants of these roles over one of an alert's areas see its temperature (health data).
extern const std::vector<absl::string_view> kAlertHealthDataRoles;

// Which alerts one caller receives: those with an area at or below one of `areas`
// (the request's area_code, or every scope area of the caller's grants).
struct AlertAudience {
  std::vector<std::string> areas;

  template <typename Areas>
  bool Matches(const Areas& alert_areas) const {
    for (const auto& a : alert_areas) {
      for (const std::string& s : areas) {
        if (common::AreaWithin(a, s)) return true;
      }
    }
    return false;
  }
};

// The audience for `area_code` ("" = the caller's whole scope), as common::ScopeAreas:
// INVALID_ARGUMENT when it is malformed, PERMISSION_DENIED when outside the caller's scope.
absl::StatusOr<AlertAudience> AudienceFor(const common::CallContext& call,
                                          absl::string_view area_code);

// True when the caller may see the health data (temperature) of an alert in these areas.
bool MaySeeHealthData(const common::CallContext& call,
                      const google::protobuf::RepeatedPtrField<std::string>& area_codes);

// The alert as `call` may see it (temperature cleared unless MaySeeHealthData).
v1::Alert RedactFor(const common::CallContext& call, v1::Alert alert);

// An alert from its published event (AlertEvent JSON, as InsertAlerts writes it); not
// acknowledged. INVALID_ARGUMENT when the payload is not such JSON.
absl::StatusOr<v1::Alert> AlertFromEventJson(absl::string_view payload);

v1::Alert AlertToProto(const AlertRow& row);

class Alerts {
 public:
  explicit Alerts(AlertStore& store) : store_(store) {}

  absl::StatusOr<v1::ListAlertsResponse> List(const common::CallContext& call,
                                              const v1::ListAlertsRequest& request);
  // NOT_FOUND also for alerts outside the caller's scope.
  absl::StatusOr<v1::Alert> Get(const common::CallContext& call, const std::string& alert_id);
  absl::StatusOr<v1::Alert> Acknowledge(const common::CallContext& call,
                                        const v1::AcknowledgeAlertRequest& request, absl::Time now);

  // StreamAlerts' checks before anything is sent: the audience, and `since` (unset, or
  // within kMaxAlertReplay before `now` and not after it).
  absl::StatusOr<AlertAudience> StartStream(const common::CallContext& call,
                                            const v1::StreamAlertsRequest& request, absl::Time now);
  // The stored alerts raised after `since` - kAlertReplayMargin for the audience, oldest
  // first, redacted for `call`. OUT_OF_RANGE when there are more than kMaxAlertReplayCount.
  absl::StatusOr<std::vector<v1::Alert>> Replay(const common::CallContext& call,
                                                const AlertAudience& audience, absl::Time since);

 private:
  // The alert if the caller's scope covers one of its areas, else NOT_FOUND.
  absl::StatusOr<AlertRow> GetInScope(const common::CallContext& call, const std::string& alert_id);

  AlertStore& store_;
};

}  // namespace fangxian::checkpoint

#endif  // FANGXIAN_SERVICES_CHECKPOINT_ALERTS_H_
