// The figures counted over passages, as SQL shared by the live counters' rebuild, the daily
// statistics and the roll-up, so the three can never disagree on what a "person" or a
// "fever" is (docs/checkpoint.md, "Statistics and live counters").
#ifndef FANGXIAN_SERVICES_CHECKPOINT_PASSAGE_FIGURES_H_
#define FANGXIAN_SERVICES_CHECKPOINT_PASSAGE_FIGURES_H_

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "services/checkpoint/passage_rules.h"

namespace fangxian::checkpoint {

// Six aggregates, in the order persons, vehicles, admitted, denied, referred, fevers: a
// person when a temperature was taken, a vehicle when a plate was read, a fever from
// 37.3 °C (passage_rules.h kFeverTenths).
inline constexpr char kFigureAggregates[] =
    "count(*) FILTER (WHERE temperature_celsius IS NOT NULL), "
    "count(*) FILTER (WHERE plate IS NOT NULL), count(*) FILTER (WHERE decision = 1), "
    "count(*) FILTER (WHERE decision = 2), count(*) FILTER (WHERE decision = 3), "
    "count(*) FILTER (WHERE temperature_celsius >= 37.3)";

// Passages whose client time is in [$from, $to) reached the server between $from minus the
// skew and $to plus the replay window: bounding recorded_at as well lets PostgreSQL skip
// every day partition that cannot hold them. `from` and `to` are parameter references
// ("$2"); `max_replay` is the configured replay window (FX_PASSAGE_MAX_REPLAY_H).
inline std::string ClientTimeWindow(const char* from, const char* to, absl::Duration max_replay) {
  return absl::StrCat("client_time >= ", from, "::timestamptz AND client_time < ", to,
                      "::timestamptz AND recorded_at >= ", from, "::timestamptz - interval '",
                      absl::ToInt64Seconds(kMaxClientSkew), " seconds' AND recorded_at < ", to,
                      "::timestamptz + interval '", absl::ToInt64Seconds(max_replay), " seconds'");
}

}  // namespace fangxian::checkpoint

#endif  // FANGXIAN_SERVICES_CHECKPOINT_PASSAGE_FIGURES_H_
