// The passage log's rules that need neither a database nor another service: validating a
// RecordPassage request, and deciding ADMIT / DENY / REFER from what the lookups found.
// Pure functions of plain values, so every rule and combination is unit-tested.
// Rules: docs/checkpoint.md, "Passage log: decision rules".
#ifndef FANGXIAN_SERVICES_CHECKPOINT_PASSAGE_RULES_H_
#define FANGXIAN_SERVICES_CHECKPOINT_PASSAGE_RULES_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "fangxian/checkpoint/v1/passages.pb.h"
#include "services/checkpoint/alert_writer.h"

namespace fangxian::checkpoint {

// A reading at or above this is a fever (in tenths of a degree, compared after rounding
// the reading to one decimal).
inline constexpr int kFeverTenths = 373;
// Readings outside this range are measuring errors: measure again.
inline constexpr double kMinReadingCelsius = 34.0;
inline constexpr double kMaxReadingCelsius = 43.0;
// How far a device clock may run ahead of the server's.
inline constexpr absl::Duration kMaxClientSkew = absl::Minutes(5);
// Longest request_id, in characters of [A-Za-z0-9._:-].
inline constexpr size_t kMaxRequestIdChars = 64;

// What the person part of a request is.
enum class PersonKind { kNone, kPassToken, kIdNumber, kVisitor };

// A RecordPassage request after validation: normalised and rounded.
struct ValidPassage {
  PersonKind person = PersonKind::kNone;
  std::optional<int> temperature_tenths;  // rounded to 0.1 °C; set iff a person is present
  bool vehicle = false;
  std::string plate;  // normalised; may be empty only for an exempt vehicle
  v1::VehicleExemption exemption = v1::VEHICLE_EXEMPTION_UNSPECIFIED;
  absl::Time client_time;
};

// INVALID_ARGUMENT naming the field and what to do, or the validated passage. `now` is the
// server's time; `max_replay` how old client_time may be (offline replay window).
absl::StatusOr<ValidPassage> ValidateRecordPassage(const v1::RecordPassageRequest& request,
                                                   absl::Time now, absl::Duration max_replay);

// 1-64 characters of [A-Za-z0-9._:-].
bool IsValidPassageRequestId(absl::string_view request_id);

// What the lookups found out about the person.
enum class PersonOutcome {
  kNone,             // no person passed
  kKnown,            // resolved to a registered person (resident or visitor)
  kUnknownIdNumber,  // identity knows nobody with this ID number
  kInvalidPass,      // the pass was forged, expired or superseded
};

struct PassageFacts {
  v1::Direction direction = v1::DIRECTION_UNSPECIFIED;
  PersonOutcome person = PersonOutcome::kNone;
  bool visitor_registered = false;        // registered as a visitor with this passage
  std::optional<int> temperature_tenths;  // with a person
  // For a known person: the pass colour, UNSPECIFIED when it could not be checked.
  v1::PassColour colour = v1::PASS_COLOUR_UNSPECIFIED;
  bool vehicle = false;
  v1::VehicleExemption exemption = v1::VEHICLE_EXEMPTION_UNSPECIFIED;
  // Whether the vehicle is registered to a household of the checkpoint's areas (only
  // looked at for a vehicle coming in that is not exempt).
  bool vehicle_registered = false;
};

struct PassageDecision {
  v1::Decision decision = v1::DECISION_ADMIT;
  std::vector<v1::Reason> reasons;  // ascending, no duplicates
  std::vector<AlertKind> alerts;    // ascending, no duplicates
};

// Whether the vehicle registration must be looked up for these facts (a vehicle coming in
// that is not exempt).
bool NeedsVehicleCheck(v1::Direction direction, bool vehicle, v1::VehicleExemption exemption);

// The decision: the most severe outcome of every rule (DENY over REFER over ADMIT), with
// every reason and alert that applies.
PassageDecision Decide(const PassageFacts& facts);

}  // namespace fangxian::checkpoint

#endif  // FANGXIAN_SERVICES_CHECKPOINT_PASSAGE_RULES_H_
