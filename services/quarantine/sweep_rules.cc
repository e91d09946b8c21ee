#include "services/quarantine/sweep_rules.h"

#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/auth.h"
#include "common/validate.h"
#include "services/quarantine/persons_of_interest.h"

namespace fangxian::quarantine {
namespace {

absl::Status CheckTeam(const v1::SweepTeam& team, int index) {
  const std::string field = absl::StrCat("sweep.teams[", index, "]");
  if (auto s = common::RequireText(field + ".name", team.name(), kMaxTeamNameChars); !s.ok()) {
    return s;
  }
  if (team.member_subjects_size() > kMaxTeamMembers) {
    return absl::InvalidArgumentError(absl::StrCat(field, ".member_subjects has ",
                                                   team.member_subjects_size(),
                                                   " entries; at most ", kMaxTeamMembers));
  }
  std::set<std::string> seen;
  for (int i = 0; i < team.member_subjects_size(); ++i) {
    const std::string member_field = absl::StrCat(field, ".member_subjects[", i, "]");
    if (auto s = common::RequireText(member_field, team.member_subjects(i), kMaxSubjectChars);
        !s.ok()) {
      return s;
    }
    if (!seen.insert(team.member_subjects(i)).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(member_field, " repeats a member of the team; list each once"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateNewSweep(const v1::Sweep& sweep) {
  if (auto s = common::RequireText("sweep.name", sweep.name(), kMaxSweepNameChars); !s.ok()) {
    return s;
  }
  if (auto s = common::RequireAreaPath("sweep.area_code", sweep.area_code()); !s.ok()) return s;
  if (sweep.teams_size() == 0) {
    return absl::InvalidArgumentError("sweep.teams is required: at least one team");
  }
  if (sweep.teams_size() > kMaxSweepTeams) {
    return absl::InvalidArgumentError(
        absl::StrCat("sweep.teams has ", sweep.teams_size(), " teams; at most ", kMaxSweepTeams));
  }
  std::set<std::string> names;
  for (int i = 0; i < sweep.teams_size(); ++i) {
    if (auto s = CheckTeam(sweep.teams(i), i); !s.ok()) return s;
    if (!names.insert(sweep.teams(i).name()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("sweep.teams[", i, "].name repeats another team's name; names are unique"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<int> RoundToOpen(int current_round, int requested) {
  if (requested < 0) {
    return absl::InvalidArgumentError("round must be positive, or 0 for the next round");
  }
  const int next = current_round + 1;
  if (requested == 0 || requested == next) return next;
  if (requested <= current_round) {
    return absl::AlreadyExistsError(absl::StrCat(
        "round ", requested, " was started already; the open round is ", current_round));
  }
  return absl::FailedPreconditionError(
      absl::StrCat("round ", requested, " cannot be started yet: the next round is ", next));
}

absl::Status CheckRoundOpen(int current_round, int round) {
  if (round == current_round) return absl::OkStatus();
  if (current_round == 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("round ", round, " is not open: no round is started yet (StartRound)"));
  }
  if (round > current_round) {
    return absl::FailedPreconditionError(absl::StrCat(
        "round ", round, " is not open: it is not started; the open round is ", current_round));
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "round ", round, " is closed; record the visit in the open round ", current_round));
}

absl::StatusOr<int> RoundToRead(int current_round, int requested) {
  if (requested < 0) {
    return absl::InvalidArgumentError("round must be positive, or 0 for the open round");
  }
  if (current_round == 0) return absl::NotFoundError("this sweep has no round yet (StartRound)");
  if (requested == 0) return current_round;
  if (requested > current_round) {
    return absl::NotFoundError(
        absl::StrCat("round ", requested, " is not started; the open round is ", current_round));
  }
  return requested;
}

absl::Status ValidateVisit(const v1::RecordVisitRequest& request) {
  if (auto s = common::RequireUuid("sweep_id", request.sweep_id()); !s.ok()) return s;
  if (request.round() <= 0) {
    return absl::InvalidArgumentError("round is required: the open round's number (1, 2, ...)");
  }
  if (auto s = common::RequireUuid("household_id", request.household_id()); !s.ok()) return s;
  if (request.outcome() == v1::VISIT_OUTCOME_UNSPECIFIED) {
    return absl::InvalidArgumentError("outcome is required: VISITED, NOT_AT_HOME or REFUSED");
  }
  if (!v1::VisitOutcome_IsValid(request.outcome())) {
    return absl::InvalidArgumentError(
        absl::StrCat("outcome ", request.outcome(), " is not a known VisitOutcome"));
  }
  if (auto s = common::RequireText("note", request.note(), kMaxVisitNoteChars,
                                   /*required=*/false);
      !s.ok()) {
    return s;
  }
  if (request.team().empty()) {
    return absl::InvalidArgumentError("team is required: the name of the team that visited");
  }
  if (request.findings_size() > 0 && request.outcome() != v1::VISIT_OUTCOME_VISITED) {
    return absl::InvalidArgumentError(
        "findings are recorded only with outcome VISITED (nobody was met otherwise)");
  }
  if (request.findings_size() > kMaxFindingsPerVisit) {
    return absl::InvalidArgumentError(absl::StrCat("findings has ", request.findings_size(),
                                                   " entries; at most ", kMaxFindingsPerVisit,
                                                   " per visit"));
  }
  std::set<std::pair<std::string, int>> seen;
  for (int i = 0; i < request.findings_size(); ++i) {
    const v1::PersonOfInterest& p = request.findings(i).person();
    if (!seen.insert({absl::AsciiStrToLower(p.resident_id()), p.category()}).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("findings[", i,
                       "] repeats the resident and category of an earlier finding; give each "
                       "once"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateFinding(const v1::Finding& finding, int index, absl::Time now) {
  v1::PersonOfInterest person = finding.person();
  person.set_source(v1::SOURCE_SWEEP);
  // Any valid path: the household's area replaces it, and is a valid path itself.
  person.set_area_code("sweep");
  absl::Status s = ValidateNewPersonOfInterest(person, now);
  if (s.ok()) return s;
  // The person rules name their fields "person.<field>"; here they sit in findings[i].
  return absl::Status(
      s.code(), absl::StrReplaceAll(s.message(),
                                    {{"person.", absl::StrCat("findings[", index, "].person.")}}));
}

absl::Status ValidateRegistration(const v1::RecordRegistrationRequest& request, absl::Time now) {
  if (auto s = common::RequireUuid("sweep_id", request.sweep_id()); !s.ok()) return s;
  if (request.round() <= 0) {
    return absl::InvalidArgumentError("round is required: the round whose notice was answered");
  }
  if (auto s = common::RequireUuid("household_id", request.household_id()); !s.ok()) return s;
  if (auto s = common::RequireText("note", request.note(), kMaxVisitNoteChars,
                                   /*required=*/false);
      !s.ok()) {
    return s;
  }
  if (request.has_registered_time()) {
    absl::StatusOr<absl::Time> at =
        common::RequireTimestamp("registered_time", request.registered_time());
    if (!at.ok()) return at.status();
    if (absl::ToUnixMicros(*at) > absl::ToUnixMicros(now)) {
      return absl::InvalidArgumentError(
          "registered_time is in the future; give when the household came, or leave it unset "
          "for now");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckRegistration(const std::optional<LatestVisit>& latest,
                               int64_t registered_at_micros) {
  if (!latest) {
    return absl::FailedPreconditionError(
        "this household has no visit in the round; registration answers a not-at-home "
        "notice");
  }
  if (latest->outcome != v1::VISIT_OUTCOME_NOT_AT_HOME) {
    return absl::FailedPreconditionError(
        absl::StrCat("the household's latest outcome in the round is ",
                     v1::VisitOutcome_Name(static_cast<v1::VisitOutcome>(latest->outcome)),
                     "; registration answers a NOT_AT_HOME visit"));
  }
  if (registered_at_micros < latest->visited_at_micros) {
    return absl::InvalidArgumentError(
        "registered_time is before the visit that found nobody home; give when the household "
        "came");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> AreaWithinSweep(absl::string_view sweep_area,
                                            absl::string_view requested) {
  if (requested.empty()) return std::string(sweep_area);
  if (auto s = common::RequireAreaPath("area_code", requested); !s.ok()) return s;
  if (!common::AreaWithin(requested, sweep_area)) {
    return absl::InvalidArgumentError(
        absl::StrCat("area_code must lie within the sweep's area ", sweep_area));
  }
  return std::string(requested);
}

v1::CoverageFigures CoverageFiguresOf(const CoverageCounts& counts) {
  v1::CoverageFigures out;
  out.set_area_code(counts.area_code);
  out.set_households(counts.households);
  const int covered = counts.visited + counts.not_at_home + counts.refused;
  out.set_covered(covered);
  out.set_visited(counts.visited);
  out.set_not_at_home(counts.not_at_home);
  out.set_refused(counts.refused);
  out.set_registered(counts.registered);
  out.set_pending(counts.households - covered);
  out.set_coverage(counts.households == 0 ? 0.0 : static_cast<double>(covered) / counts.households);
  return out;
}

void AddCounts(const CoverageCounts& more, CoverageCounts* total) {
  total->households += more.households;
  total->visited += more.visited;
  total->not_at_home += more.not_at_home;
  total->refused += more.refused;
  total->registered += more.registered;
}

bool IsListPosition(absl::string_view text) {
  int position = 0;
  return !text.empty() && text.size() <= 9 && absl::ascii_isdigit(text[0]) &&
         absl::SimpleAtoi(text, &position) && position >= 0 && absl::StrCat(position) == text;
}

}  // namespace fangxian::quarantine
