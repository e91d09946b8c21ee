// The rules of sweeps (全域排查) that need neither a database nor a caller: input
// validation, which round may be opened or written to, what a registration needs and how
// coverage is counted. Every failure names the field and what to do.
#ifndef FANGXIAN_SERVICES_QUARANTINE_SWEEP_RULES_H_
#define FANGXIAN_SERVICES_QUARANTINE_SWEEP_RULES_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "fangxian/quarantine/v1/sweeps.pb.h"

namespace fangxian::quarantine {

inline constexpr size_t kMaxSweepNameChars = 100;
inline constexpr int kMaxSweepTeams = 50;
inline constexpr size_t kMaxTeamNameChars = 50;
inline constexpr int kMaxTeamMembers = 50;
inline constexpr size_t kMaxSubjectChars = 128;
inline constexpr size_t kMaxVisitNoteChars = 500;
inline constexpr int kMaxFindingsPerVisit = 20;
// The most households one round lists: beyond it the sweep is split by area.
inline constexpr int kMaxRoundHouseholds = 20000;
inline constexpr int kDefaultSweepPageSize = 50;
inline constexpr int kMaxSweepPageSize = 200;
inline constexpr int kDefaultRevisitPageSize = 100;
inline constexpr int kMaxRevisitPageSize = 500;

// CreateSweep's input: name, area_code, 1..50 teams with unique names and members.
absl::Status ValidateNewSweep(const v1::Sweep& sweep);

// The round StartRound opens when the sweep's open round is `current_round` (0: none)
// and the caller asked for `requested` (0: the next one). INVALID_ARGUMENT for a negative
// request, ALREADY_EXISTS when it was opened already (a retried call), FAILED_PRECONDITION
// when it skips rounds.
absl::StatusOr<int> RoundToOpen(int current_round, int requested);

// Visits are recorded only in the open round: FAILED_PRECONDITION naming the open round
// (or saying none is) otherwise.
absl::Status CheckRoundOpen(int current_round, int round);

// The round a read means: `requested`, or the open round for 0. INVALID_ARGUMENT for a
// negative round, NOT_FOUND for a round not started (or none at all).
absl::StatusOr<int> RoundToRead(int current_round, int requested);

// RecordVisit's input apart from the findings' own fields (ValidateFinding) and what
// needs the sweep (the team, the round being open): ids, round, outcome, note, team
// given, findings only with VISITED, at most 20 of them, no (resident, category) twice.
absl::Status ValidateVisit(const v1::RecordVisitRequest& request);

// One finding, as CreatePersonOfInterest would judge it once source and area are set;
// messages name "findings[<index>].person.<field>".
absl::Status ValidateFinding(const v1::Finding& finding, int index, absl::Time now);

// RecordRegistration's input: ids, round, note, registered_time not after `now`.
absl::Status ValidateRegistration(const v1::RecordRegistrationRequest& request, absl::Time now);

// The household's latest visit in the round, as a registration needs it.
struct LatestVisit {
  int outcome = 0;  // v1::VisitOutcome
  int64_t visited_at_micros = 0;
};

// A registration answers a notice: FAILED_PRECONDITION unless the household's latest
// outcome in the round is NOT_AT_HOME; INVALID_ARGUMENT when it came before that visit.
absl::Status CheckRegistration(const std::optional<LatestVisit>& latest,
                               int64_t registered_at_micros);

// The area a coverage or revisit-queue read covers: `requested` (a dotted path within
// `sweep_area`) or, when empty, the sweep's area. INVALID_ARGUMENT otherwise.
absl::StatusOr<std::string> AreaWithinSweep(absl::string_view sweep_area,
                                            absl::string_view requested);

// Households of one area of a round, by their latest outcome.
struct CoverageCounts {
  std::string area_code;
  int households = 0;
  int visited = 0;
  int not_at_home = 0;
  int refused = 0;
  int registered = 0;  // of not_at_home
};

// The figures of `counts`: covered = any outcome, pending = the rest, coverage =
// covered / households (0 for an empty list).
v1::CoverageFigures CoverageFiguresOf(const CoverageCounts& counts);

// Adds `more` to `total` (area_code of `total` is kept).
void AddCounts(const CoverageCounts& more, CoverageCounts* total);

// Page positions of the revisit queue: a household's position in the round's list.
bool IsListPosition(absl::string_view text);

}  // namespace fangxian::quarantine

#endif  // FANGXIAN_SERVICES_QUARANTINE_SWEEP_RULES_H_
