#include "services/quarantine/sweeps.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/auth.h"
#include "common/paging.h"
#include "common/validate.h"
#include "google/protobuf/util/time_util.h"

namespace fangxian::quarantine {
namespace {

using google::protobuf::util::TimeUtil;

v1::Round RoundToProto(const std::string& sweep_id, const RoundRow& row) {
  v1::Round out;
  out.set_sweep_id(sweep_id);
  out.set_round(row.round);
  out.set_households(row.households);
  out.set_open(!row.closed_at_micros.has_value());
  *out.mutable_open_time() = TimeUtil::MicrosecondsToTimestamp(row.opened_at_micros);
  out.set_opened_by(row.opened_by);
  if (row.closed_at_micros) {
    *out.mutable_close_time() = TimeUtil::MicrosecondsToTimestamp(*row.closed_at_micros);
  }
  return out;
}

v1::Sweep SweepToProto(const SweepRow& row) {
  v1::Sweep out;
  out.set_sweep_id(row.sweep_id);
  out.set_name(row.name);
  out.set_area_code(row.area_code);
  for (const SweepTeamRow& t : row.teams) {
    v1::SweepTeam* team = out.add_teams();
    team->set_name(t.name);
    for (const std::string& m : t.member_subjects) team->add_member_subjects(m);
  }
  out.set_current_round(row.current_round);
  for (const RoundRow& r : row.rounds) *out.add_rounds() = RoundToProto(row.sweep_id, r);
  *out.mutable_create_time() = TimeUtil::MicrosecondsToTimestamp(row.created_at_micros);
  out.set_created_by(row.created_by);
  return out;
}

v1::Visit VisitToProto(const VisitRow& row) {
  v1::Visit out;
  out.set_visit_id(row.visit_id);
  out.set_sweep_id(row.sweep_id);
  out.set_round(row.round);
  out.set_household_id(row.household_id);
  out.set_outcome(static_cast<v1::VisitOutcome>(row.outcome));
  out.set_notice_left(row.notice_left);
  out.set_note(row.note);
  out.set_team(row.team);
  out.set_recorded_by(row.recorded_by);
  *out.mutable_visit_time() = TimeUtil::MicrosecondsToTimestamp(row.visited_at_micros);
  return out;
}

absl::Status HouseholdNotInRound(int round) {
  return absl::NotFoundError(
      absl::StrCat("household_id: this household is not in round ", round,
                   "'s list of the sweep (households registered since join the next round)"));
}

bool IsMember(const AreaHousehold& household, const std::string& resident_id) {
  return std::find(household.member_ids.begin(), household.member_ids.end(), resident_id) !=
         household.member_ids.end();
}

}  // namespace

absl::StatusOr<SweepRow> Sweeps::VisibleSweep(const common::CallContext& call,
                                              const std::string& sweep_id) {
  if (auto s = common::RequireUuid("sweep_id", sweep_id); !s.ok()) return s;
  absl::StatusOr<common::PgConn> conn = pg_.Acquire();
  if (!conn.ok()) return conn.status();
  absl::StatusOr<SweepRow> row = store_.GetSweep(*conn, sweep_id);
  if (!row.ok()) return row.status();
  if (!common::ScopeOverlaps(call, row->area_code)) {
    return absl::PermissionDeniedError("this sweep is outside your area scope");
  }
  return row;
}

absl::StatusOr<v1::Sweep> Sweeps::Create(const common::CallContext& call,
                                         const v1::CreateSweepRequest& request) {
  const v1::Sweep& in = request.sweep();
  if (auto s = ValidateNewSweep(in); !s.ok()) return s;
  if (auto s = common::RequireScope(call, "sweep.area_code", in.area_code()); !s.ok()) return s;
  SweepRow row;
  row.name = in.name();
  row.area_code = in.area_code();
  row.created_by = call.principal.subject;
  for (const v1::SweepTeam& t : in.teams()) {
    row.teams.push_back({t.name(), {t.member_subjects().begin(), t.member_subjects().end()}});
  }
  const absl::Time now = clock_();
  SweepRow stored;
  absl::Status s = pg_.Transaction([&](common::PgConn& tx) -> absl::Status {
    absl::StatusOr<SweepRow> r = store_.InsertSweep(tx, row, now);
    if (!r.ok()) return r.status();
    stored = *std::move(r);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return SweepToProto(stored);
}

absl::StatusOr<v1::Sweep> Sweeps::Get(const common::CallContext& call,
                                      const v1::GetSweepRequest& request) {
  absl::StatusOr<SweepRow> row = VisibleSweep(call, request.sweep_id());
  if (!row.ok()) return row.status();
  return SweepToProto(*row);
}

absl::StatusOr<v1::ListSweepsResponse> Sweeps::List(const common::CallContext& call,
                                                    const v1::ListSweepsRequest& request) {
  if (auto s = common::RequireAreaPath("area_code", request.area_code()); !s.ok()) return s;
  absl::StatusOr<int> page_size =
      common::PageSize(request.page_size(), kDefaultSweepPageSize, kMaxSweepPageSize);
  if (!page_size.ok()) return page_size.status();
  auto after = common::DecodeTimeIdPageToken(request.page_token());
  if (!after.ok()) return after.status();
  if (auto s = common::RequireScope(call, "area_code", request.area_code()); !s.ok()) return s;
  absl::StatusOr<common::PgConn> conn = pg_.Acquire();
  if (!conn.ok()) return conn.status();
  absl::StatusOr<std::vector<SweepRow>> rows =
      store_.ListSweeps(*conn, request.area_code(), *after, *page_size + 1);
  if (!rows.ok()) return rows.status();
  v1::ListSweepsResponse out;
  const size_t shown = common::TakePage(
      *rows, *page_size,
      [](const SweepRow& last) {
        return common::EncodeTimeIdPageToken(last.created_at_micros, last.sweep_id);
      },
      out.mutable_next_page_token());
  for (size_t i = 0; i < shown; ++i) *out.add_sweeps() = SweepToProto((*rows)[i]);
  return out;
}

absl::StatusOr<v1::Round> Sweeps::StartRound(const common::CallContext& call,
                                             const v1::StartRoundRequest& request) {
  if (auto s = common::RequireUuid("sweep_id", request.sweep_id()); !s.ok()) return s;
  if (request.round() < 0) {
    return absl::InvalidArgumentError("round must be positive, or 0 for the next round");
  }
  absl::StatusOr<SweepRow> sweep = VisibleSweep(call, request.sweep_id());
  if (!sweep.ok()) return sweep.status();
  if (auto s = common::RequireScope(call, "the sweep's area", sweep->area_code); !s.ok()) return s;
  // Refuse a round that cannot open before asking identity (checked again under the lock).
  if (auto next = RoundToOpen(sweep->current_round, request.round()); !next.ok()) {
    return next.status();
  }
  // Outside the transaction: no row is locked while identity answers.
  absl::StatusOr<std::vector<AreaHousehold>> households =
      households_.ListArea(call, sweep->area_code, kMaxRoundHouseholds);
  if (!households.ok()) return households.status();
  const absl::Time now = clock_();
  RoundRow opened;
  absl::Status s = pg_.Transaction([&](common::PgConn& tx) -> absl::Status {
    absl::StatusOr<int> current = store_.LockSweep(tx, sweep->sweep_id, /*exclusive=*/true);
    if (!current.ok()) return current.status();
    absl::StatusOr<int> round = RoundToOpen(*current, request.round());
    if (!round.ok()) return round.status();
    absl::StatusOr<RoundRow> r =
        store_.OpenRound(tx, sweep->sweep_id, *round, *households, call.principal.subject, now);
    if (!r.ok()) return r.status();
    opened = *std::move(r);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return RoundToProto(sweep->sweep_id, opened);
}

absl::StatusOr<v1::RecordVisitResponse> Sweeps::RecordVisit(const common::CallContext& call,
                                                            const v1::RecordVisitRequest& request) {
  if (auto s = ValidateVisit(request); !s.ok()) return s;
  const absl::Time now = clock_();
  for (int i = 0; i < request.findings_size(); ++i) {
    if (auto s = ValidateFinding(request.findings(i), i, now); !s.ok()) return s;
  }
  absl::StatusOr<SweepRow> sweep = VisibleSweep(call, request.sweep_id());
  if (!sweep.ok()) return sweep.status();
  if (std::none_of(sweep->teams.begin(), sweep->teams.end(),
                   [&](const SweepTeamRow& t) { return t.name == request.team(); })) {
    return absl::InvalidArgumentError("team: the sweep has no team of this name");
  }
  v1::RecordVisitResponse out;
  std::vector<PassChange> changes;
  absl::Status s = pg_.Transaction([&](common::PgConn& tx) -> absl::Status {
    out.Clear();
    // Shared: visits go on side by side; StartRound (exclusive) waits for them.
    absl::StatusOr<int> current = store_.LockSweep(tx, sweep->sweep_id, /*exclusive=*/false);
    if (!current.ok()) return current.status();
    if (auto st = CheckRoundOpen(*current, request.round()); !st.ok()) return st;
    auto household = store_.FindHousehold(tx, sweep->sweep_id, request.round(),
                                          request.household_id(), /*lock=*/true);
    if (!household.ok()) return household.status();
    if (!household->has_value()) return HouseholdNotInRound(request.round());
    const AreaHousehold& h = **household;
    if (auto st = common::RequireScope(call, "household_id (its area)", h.area_code); !st.ok()) {
      return st;
    }
    for (int i = 0; i < request.findings_size(); ++i) {
      if (!IsMember(h, request.findings(i).person().resident_id())) {
        return absl::FailedPreconditionError(absl::StrCat(
            "findings[", i, "].person.resident_id is not a member of this household in round ",
            request.round(),
            "'s list; add them to the household in identity first (or record them with "
            "CreatePersonOfInterest)"));
      }
    }
    VisitRow visit;
    visit.sweep_id = sweep->sweep_id;
    visit.round = request.round();
    visit.household_id = h.household_id;
    visit.outcome = request.outcome();
    visit.notice_left = request.notice_left();
    visit.note = request.note();
    visit.team = request.team();
    visit.recorded_by = call.principal.subject;
    absl::StatusOr<VisitRow> stored = store_.InsertVisit(tx, visit, now);
    if (!stored.ok()) return stored.status();
    *out.mutable_visit() = VisitToProto(*stored);
    std::vector<std::string> created_residents;
    for (const v1::Finding& finding : request.findings()) {
      v1::PersonOfInterest person = finding.person();
      person.set_source(v1::SOURCE_SWEEP);
      person.set_area_code(h.area_code);
      v1::FindingResult* result = out.add_findings();
      *result->mutable_finding() = finding;
      absl::StatusOr<v1::PersonOfInterest> created = persons_.CreateIn(tx, call, person, now);
      if (created.ok()) {
        result->set_person_id(created->person_id());
        result->set_created(true);
        created_residents.push_back(created->resident_id());
      } else if (absl::IsAlreadyExists(created.status())) {
        // An open episode of this category: reported, not an error for the visit.
        absl::StatusOr<std::string> open =
            store_.OpenPersonId(tx, person.resident_id(), person.category());
        if (!open.ok()) return open.status();
        result->set_person_id(*open);
      } else {
        return created.status();
      }
      if (auto st = store_.InsertFinding(tx, stored->visit_id, person.resident_id(),
                                         person.category(), result->person_id(), result->created());
          !st.ok()) {
        return st;
      }
    }
    changes.clear();
    if (!created_residents.empty()) {
      absl::StatusOr<std::vector<PassChange>> ch =
          colours_.Recompute(tx, std::move(created_residents), now);
      if (!ch.ok()) return ch.status();
      changes = *std::move(ch);
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  colours_.Published(changes);
  return out;
}

absl::StatusOr<v1::Registration> Sweeps::RecordRegistration(
    const common::CallContext& call, const v1::RecordRegistrationRequest& request) {
  const absl::Time now = clock_();
  if (auto s = ValidateRegistration(request, now); !s.ok()) return s;
  absl::StatusOr<SweepRow> sweep = VisibleSweep(call, request.sweep_id());
  if (!sweep.ok()) return sweep.status();
  if (request.round() > sweep->current_round) {
    return absl::NotFoundError(absl::StrCat("round ", request.round(), " is not started"));
  }
  RegistrationRow row;
  row.sweep_id = sweep->sweep_id;
  row.round = request.round();
  row.household_id = request.household_id();
  row.registered_at_micros = request.has_registered_time()
                                 ? TimeUtil::TimestampToMicroseconds(request.registered_time())
                                 : absl::ToUnixMicros(now);
  row.note = request.note();
  row.recorded_by = call.principal.subject;
  absl::Status s = pg_.Transaction([&](common::PgConn& tx) -> absl::Status {
    auto household = store_.FindHousehold(tx, row.sweep_id, row.round, row.household_id,
                                          /*lock=*/true);
    if (!household.ok()) return household.status();
    if (!household->has_value()) return HouseholdNotInRound(row.round);
    if (auto st = common::RequireScope(call, "household_id (its area)", (*household)->area_code);
        !st.ok()) {
      return st;
    }
    auto latest = store_.LatestVisitOf(tx, row.sweep_id, row.round, row.household_id);
    if (!latest.ok()) return latest.status();
    if (auto st = CheckRegistration(*latest, row.registered_at_micros); !st.ok()) return st;
    return store_.InsertRegistration(tx, row, now);
  });
  if (!s.ok()) return s;
  v1::Registration out;
  out.set_sweep_id(row.sweep_id);
  out.set_round(row.round);
  out.set_household_id(row.household_id);
  *out.mutable_registered_time() = TimeUtil::MicrosecondsToTimestamp(row.registered_at_micros);
  out.set_note(row.note);
  out.set_recorded_by(row.recorded_by);
  return out;
}

absl::StatusOr<v1::ListRevisitQueueResponse> Sweeps::ListRevisitQueue(
    const common::CallContext& call, const v1::ListRevisitQueueRequest& request) {
  if (auto s = common::RequireUuid("sweep_id", request.sweep_id()); !s.ok()) return s;
  absl::StatusOr<int> page_size =
      common::PageSize(request.page_size(), kDefaultRevisitPageSize, kMaxRevisitPageSize);
  if (!page_size.ok()) return page_size.status();
  absl::StatusOr<std::string> after = common::DecodePageToken(request.page_token(), IsListPosition);
  if (!after.ok()) return after.status();
  absl::StatusOr<SweepRow> sweep = VisibleSweep(call, request.sweep_id());
  if (!sweep.ok()) return sweep.status();
  absl::StatusOr<int> round = RoundToRead(sweep->current_round, request.round());
  if (!round.ok()) return round.status();
  absl::StatusOr<std::string> area = AreaWithinSweep(sweep->area_code, request.area_code());
  if (!area.ok()) return area.status();
  if (auto s = common::RequireScope(call, "area_code", *area); !s.ok()) return s;
  int after_position = -1;
  if (!after->empty()) (void)absl::SimpleAtoi(*after, &after_position);
  absl::StatusOr<common::PgConn> conn = pg_.Acquire();
  if (!conn.ok()) return conn.status();
  absl::StatusOr<std::vector<RevisitRow>> rows =
      store_.RevisitQueue(*conn, sweep->sweep_id, *round, *area, after_position, *page_size + 1);
  if (!rows.ok()) return rows.status();
  v1::ListRevisitQueueResponse out;
  out.set_round(*round);
  const size_t shown = common::TakePage(
      *rows, *page_size,
      [](const RevisitRow& last) { return common::EncodePageToken(absl::StrCat(last.position)); },
      out.mutable_next_page_token());
  for (size_t i = 0; i < shown; ++i) {
    const RevisitRow& row = (*rows)[i];
    v1::RevisitEntry* entry = out.add_entries();
    entry->set_household_id(row.household.household_id);
    entry->set_card_number(row.household.card_number);
    entry->set_area_code(row.household.area_code);
    entry->set_room(row.household.room);
    *entry->mutable_last_visit() = VisitToProto(row.last_visit);
  }
  return out;
}

absl::StatusOr<v1::Coverage> Sweeps::GetCoverage(const common::CallContext& call,
                                                 const v1::GetCoverageRequest& request) {
  if (auto s = common::RequireUuid("sweep_id", request.sweep_id()); !s.ok()) return s;
  absl::StatusOr<SweepRow> sweep = VisibleSweep(call, request.sweep_id());
  if (!sweep.ok()) return sweep.status();
  absl::StatusOr<int> round = RoundToRead(sweep->current_round, request.round());
  if (!round.ok()) return round.status();
  absl::StatusOr<std::string> area = AreaWithinSweep(sweep->area_code, request.area_code());
  if (!area.ok()) return area.status();
  if (auto s = common::RequireScope(call, "area_code", *area); !s.ok()) return s;
  absl::StatusOr<common::PgConn> conn = pg_.Acquire();
  if (!conn.ok()) return conn.status();
  absl::StatusOr<std::vector<CoverageCounts>> buildings =
      store_.Coverage(*conn, sweep->sweep_id, *round, *area);
  if (!buildings.ok()) return buildings.status();
  v1::Coverage out;
  out.set_sweep_id(sweep->sweep_id);
  out.set_round(*round);
  CoverageCounts total;
  total.area_code = *area;
  for (const CoverageCounts& b : *buildings) {
    AddCounts(b, &total);
    *out.add_buildings() = CoverageFiguresOf(b);
  }
  *out.mutable_total() = CoverageFiguresOf(total);
  return out;
}

}  // namespace fangxian::quarantine
