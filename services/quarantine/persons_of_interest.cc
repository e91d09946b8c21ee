#include "services/quarantine/persons_of_interest.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/paging.h"
#include "common/rpc.h"
#include "common/time_text.h"
#include "common/validate.h"
#include "google/protobuf/util/time_util.h"

namespace fangxian::quarantine {
namespace {

using google::protobuf::util::TimeUtil;

// A required or optional past-or-today day written YYYY-MM-DD.
absl::Status ValidatePastDate(absl::string_view field, const std::string& value, bool required,
                              absl::Time now) {
  if (value.empty()) {
    if (!required) return absl::OkStatus();
    return absl::InvalidArgumentError(absl::StrCat(field, " is required (YYYY-MM-DD)"));
  }
  absl::CivilDay day;
  if (!common::ParseIsoDate(value, &day)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " must be a calendar date written YYYY-MM-DD"));
  }
  const absl::CivilDay today = common::ChinaToday(now);
  if (day > today) {
    return absl::InvalidArgumentError(absl::StrCat(field, " is in the future (today is ",
                                                   absl::FormatCivilTime(today),
                                                   " China Standard Time)"));
  }
  return absl::OkStatus();
}

absl::Status RefuseSet(bool set, absl::string_view field, absl::string_view who) {
  if (!set) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(field, " applies to ", who, " only; leave it empty"));
}

bool IsOpen(const PersonRow& row) { return !row.closed_at_micros.has_value(); }

// What a caller is told of a person of interest that is absent or outside their scope (the same
// words for both: common::VisibleOrNotFound).
constexpr char kPersonNotFound[] = "no person of interest with this person_id in your area scope";

}  // namespace

absl::Status ValidateNewPersonOfInterest(const v1::PersonOfInterest& in, absl::Time now) {
  if (auto s = common::RequireUuid("person.resident_id", in.resident_id()); !s.ok()) return s;
  if (in.category() == v1::CATEGORY_UNSPECIFIED) {
    return absl::InvalidArgumentError("person.category is required");
  }
  // proto3 enums are open: an unknown number arrives intact and must be refused here.
  if (!v1::Category_IsValid(in.category())) {
    return absl::InvalidArgumentError(
        absl::StrCat("person.category ", in.category(), " is not a known Category"));
  }
  if (in.category() == v1::CATEGORY_FEVER_REFERRAL) {
    // One path per referral: the consumer of checkpoint fever alerts records it, once per
    // alert, with the checkpoint and the reading.
    return absl::InvalidArgumentError(
        "person.category FEVER_REFERRAL is recorded only from checkpoint fever alerts; "
        "use RETURNEE or CLOSE_CONTACT");
  }
  if (in.source() == v1::SOURCE_UNSPECIFIED) {
    return absl::InvalidArgumentError("person.source is required");
  }
  if (!v1::Source_IsValid(in.source())) {
    return absl::InvalidArgumentError(
        absl::StrCat("person.source ", in.source(), " is not a known Source"));
  }
  if (!in.area_code().empty()) {
    if (auto s = common::RequireAreaPath("person.area_code", in.area_code()); !s.ok()) return s;
  }
  if (!v1::RiskLevel_IsValid(in.risk_level())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "person.risk_level ", in.risk_level(), " is not a known RiskLevel (LOW, MEDIUM, HIGH)"));
  }
  if (auto s = common::RequireText("person.origin_region", in.origin_region(),
                                   kMaxOriginRegionChars, /*required=*/false);
      !s.ok()) {
    return s;
  }
  if (auto s = common::RequireText("person.note", in.note(), kMaxPersonNoteChars,
                                   /*required=*/false);
      !s.ok()) {
    return s;
  }
  const bool returnee = in.category() == v1::CATEGORY_RETURNEE;
  const bool contact = in.category() == v1::CATEGORY_CLOSE_CONTACT;
  if (returnee) {
    if (auto s = ValidatePastDate("person.arrival_date", in.arrival_date(), true, now); !s.ok()) {
      return s;
    }
    if (!v1::TravelMode_IsValid(in.travel_mode())) {
      return absl::InvalidArgumentError(
          absl::StrCat("person.travel_mode ", in.travel_mode(), " is not a known TravelMode"));
    }
  } else {
    if (auto s = RefuseSet(!in.arrival_date().empty(), "person.arrival_date", "returnees");
        !s.ok()) {
      return s;
    }
    if (auto s = RefuseSet(in.travel_mode() != v1::TRAVEL_MODE_UNSPECIFIED, "person.travel_mode",
                           "returnees");
        !s.ok()) {
      return s;
    }
  }
  if (contact) {
    if (auto s = ValidatePastDate("person.contact_date", in.contact_date(), true, now); !s.ok()) {
      return s;
    }
    if (auto s = common::RequireText("person.contact_of", in.contact_of(), kMaxContactOfChars,
                                     /*required=*/false);
        !s.ok()) {
      return s;
    }
  } else {
    if (auto s = RefuseSet(!in.contact_of().empty(), "person.contact_of", "close contacts");
        !s.ok()) {
      return s;
    }
    if (auto s = RefuseSet(!in.contact_date().empty(), "person.contact_date", "close contacts");
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateCloseNote(absl::string_view note) {
  return common::RequireText("note", note, kMaxPersonNoteChars);
}

v1::PersonOfInterest PersonToProto(const PersonRow& row) {
  v1::PersonOfInterest out;
  out.set_person_id(row.person_id);
  out.set_resident_id(row.resident_id);
  out.set_category(static_cast<v1::Category>(row.category));
  out.set_source(static_cast<v1::Source>(row.source));
  out.set_area_code(row.area_code);
  out.set_origin_region(row.origin_region);
  out.set_arrival_date(row.arrival_date);
  *out.mutable_create_time() = TimeUtil::MicrosecondsToTimestamp(row.created_at_micros);
  out.set_risk_level(static_cast<v1::RiskLevel>(row.risk_level));
  out.set_travel_mode(static_cast<v1::TravelMode>(row.travel_mode));
  out.set_contact_of(row.contact_of);
  out.set_contact_date(row.contact_date);
  out.set_note(row.note);
  out.set_grid_worker(row.grid_worker);
  out.set_created_by(row.created_by);
  out.set_state(IsOpen(row) ? v1::EPISODE_STATE_OPEN : v1::EPISODE_STATE_CLOSED);
  if (row.closed_at_micros) {
    *out.mutable_close_time() = TimeUtil::MicrosecondsToTimestamp(*row.closed_at_micros);
    out.set_closed_by(row.closed_by);
    out.set_close_note(row.close_note);
  }
  if (!row.referral_alert_id.empty()) {
    v1::FeverReferral* referral = out.mutable_referral();
    referral->set_alert_id(row.referral_alert_id);
    referral->set_checkpoint_id(row.referral_checkpoint_id);
    if (row.referral_temperature) referral->set_temperature_celsius(*row.referral_temperature);
    if (row.referred_at_micros) {
      *referral->mutable_refer_time() = TimeUtil::MicrosecondsToTimestamp(*row.referred_at_micros);
    }
  }
  return out;
}

absl::StatusOr<v1::PersonOfInterest> PersonsOfInterest::CreateIn(common::PgConn& tx,
                                                                 const common::CallContext& call,
                                                                 const v1::PersonOfInterest& in,
                                                                 absl::Time now) {
  if (auto s = ValidateNewPersonOfInterest(in, now); !s.ok()) return s;
  if (in.area_code().empty()) {
    return absl::InternalError("a person of interest was written without its resident's area");
  }
  if (auto s = common::RequireScope(call, "person.area_code", in.area_code()); !s.ok()) {
    return s;
  }
  PersonRow row;
  row.resident_id = in.resident_id();
  row.category = in.category();
  row.source = in.source();
  row.area_code = in.area_code();
  row.origin_region = in.origin_region();
  row.arrival_date = in.arrival_date();
  row.created_by = call.principal.subject;
  row.risk_level =
      in.risk_level() == v1::RISK_LEVEL_UNSPECIFIED ? v1::RISK_LEVEL_LOW : in.risk_level();
  row.travel_mode = in.travel_mode();
  row.contact_of = in.contact_of();
  row.contact_date = in.contact_date();
  row.note = in.note();
  absl::StatusOr<PersonRow> stored = store_.Insert(tx, row, now);
  if (absl::IsAlreadyExists(stored.status())) {
    absl::StatusOr<std::optional<PersonRow>> open =
        store_.FindOpen(tx, row.resident_id, row.category);
    if (!open.ok()) return open.status();
    if (!open->has_value()) {
      // The open record was closed between the two statements.
      return absl::AbortedError("the resident's open record of this category changed; retry");
    }
    // Name the open record only to a caller who may read it.
    if (!call.InScope((*open)->area_code)) return stored.status();
    return absl::AlreadyExistsError(absl::StrCat(
        "this resident already has an open person of interest record of this category: "
        "person_id ",
        (*open)->person_id, " (close it before opening a new episode)"));
  }
  if (!stored.ok()) return stored.status();
  return PersonToProto(*stored);
}

absl::StatusOr<v1::PersonOfInterest> PersonsOfInterest::Create(
    const common::CallContext& call, const v1::CreatePersonOfInterestRequest& req) {
  const absl::Time now = clock_();
  // Bad input costs no call to identity.
  if (auto s = ValidateNewPersonOfInterest(req.person(), now); !s.ok()) return s;
  // The record belongs to the resident's registered area, asked of identity before the
  // transaction so no connection is held while waiting for it.
  absl::StatusOr<std::string> area =
      ResidentRecordArea(residents_, call, "person.resident_id", req.person().resident_id(),
                         "person.area_code", req.person().area_code());
  if (!area.ok()) return area.status();
  v1::PersonOfInterest in = req.person();
  in.set_area_code(*std::move(area));
  v1::PersonOfInterest created;
  std::vector<PassChange> changes;
  absl::Status s = pg_.Transaction([&](common::PgConn& tx) -> absl::Status {
    absl::StatusOr<v1::PersonOfInterest> person = CreateIn(tx, call, in, now);
    if (!person.ok()) return person.status();
    created = *std::move(person);
    absl::StatusOr<std::vector<PassChange>> ch =
        colours_.Recompute(tx, {created.resident_id()}, now);
    if (!ch.ok()) return ch.status();
    changes = *std::move(ch);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  colours_.Published(changes);
  return created;
}

absl::StatusOr<v1::PersonOfInterest> PersonsOfInterest::Get(
    const common::CallContext& call, const v1::GetPersonOfInterestRequest& req) {
  if (auto s = common::RequireUuid("person_id", req.person_id()); !s.ok()) return s;
  absl::StatusOr<common::PgConn> conn = pg_.Acquire();
  if (!conn.ok()) return conn.status();
  absl::StatusOr<PersonRow> row = common::VisibleOrNotFound(
      call, store_.Get(*conn, req.person_id(), /*lock=*/false), kPersonNotFound);
  if (!row.ok()) return row.status();
  return PersonToProto(*row);
}

absl::StatusOr<v1::ListPersonsOfInterestResponse> PersonsOfInterest::List(
    const common::CallContext& call, const v1::ListPersonsOfInterestRequest& req) {
  PersonQuery query;
  absl::StatusOr<std::vector<std::string>> areas =
      common::ScopeAreas(call, "area_code", req.area_code());
  if (!areas.ok()) return areas.status();
  query.areas = *std::move(areas);
  if (!v1::Category_IsValid(req.category())) {
    return absl::InvalidArgumentError(
        absl::StrCat("category ", req.category(), " is not a known Category"));
  }
  query.category = req.category();
  switch (req.state()) {
    case v1::EPISODE_STATE_UNSPECIFIED:
      break;
    case v1::EPISODE_STATE_OPEN:
      query.open = true;
      break;
    case v1::EPISODE_STATE_CLOSED:
      query.open = false;
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("state ", req.state(), " is not a known EpisodeState (OPEN, CLOSED)"));
  }
  if (!req.grid_worker().empty()) {
    if (auto s = common::RequireUuid("grid_worker", req.grid_worker()); !s.ok()) return s;
    query.grid_worker = req.grid_worker();
  }
  absl::StatusOr<int> page_size =
      common::PageSize(req.page_size(), kDefaultPersonPageSize, kMaxPersonPageSize);
  if (!page_size.ok()) return page_size.status();
  absl::StatusOr<std::optional<common::TimeIdPosition>> after =
      common::DecodeTimeIdPageToken(req.page_token());
  if (!after.ok()) return after.status();
  query.after = *std::move(after);
  query.limit = *page_size + 1;

  absl::StatusOr<common::PgConn> conn = pg_.Acquire();
  if (!conn.ok()) return conn.status();
  absl::StatusOr<std::vector<PersonRow>> rows = store_.List(*conn, query);
  if (!rows.ok()) return rows.status();
  v1::ListPersonsOfInterestResponse out;
  const size_t shown = common::TakePage(
      *rows, *page_size,
      [](const PersonRow& last) {
        return common::EncodeTimeIdPageToken(last.created_at_micros, last.person_id);
      },
      out.mutable_next_page_token());
  for (size_t i = 0; i < shown; ++i) *out.add_persons() = PersonToProto((*rows)[i]);
  return out;
}

absl::StatusOr<v1::PersonOfInterest> PersonsOfInterest::ChangeOpen(
    const common::CallContext& call, const std::string& person_id, bool recompute,
    const std::function<absl::StatusOr<PersonRow>(common::PgConn&, absl::Time)>& change) {
  const absl::Time now = clock_();
  PersonRow changed;
  std::vector<PassChange> changes;
  absl::Status s = pg_.Transaction([&](common::PgConn& tx) -> absl::Status {
    absl::StatusOr<PersonRow> row =
        common::VisibleOrNotFound(call, store_.Get(tx, person_id, /*lock=*/true), kPersonNotFound);
    if (!row.ok()) return row.status();
    if (!IsOpen(*row)) {
      return absl::FailedPreconditionError(
          absl::StrCat("this person of interest was already closed at ",
                       common::Rfc3339Micros(absl::FromUnixMicros(*row->closed_at_micros)),
                       "; a new episode is a new record"));
    }
    absl::StatusOr<PersonRow> after = change(tx, now);
    if (!after.ok()) return after.status();
    changed = *std::move(after);
    if (!recompute) return absl::OkStatus();
    absl::StatusOr<std::vector<PassChange>> ch = colours_.Recompute(tx, {changed.resident_id}, now);
    if (!ch.ok()) return ch.status();
    changes = *std::move(ch);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  if (recompute) colours_.Published(changes);
  return PersonToProto(changed);
}

absl::StatusOr<v1::PersonOfInterest> PersonsOfInterest::AssignGridWorker(
    const common::CallContext& call, const v1::AssignGridWorkerRequest& req) {
  if (auto s = common::RequireUuid("person_id", req.person_id()); !s.ok()) return s;
  if (!req.grid_worker().empty()) {
    if (auto s = common::RequireUuid("grid_worker", req.grid_worker()); !s.ok()) return s;
  }
  return ChangeOpen(call, req.person_id(), /*recompute=*/false,
                    [&](common::PgConn& tx, absl::Time) {
                      return store_.SetGridWorker(tx, req.person_id(), req.grid_worker());
                    });
}

absl::StatusOr<v1::PersonOfInterest> PersonsOfInterest::SetRiskLevel(
    const common::CallContext& call, const v1::SetRiskLevelRequest& req) {
  if (auto s = common::RequireUuid("person_id", req.person_id()); !s.ok()) return s;
  if (req.risk_level() == v1::RISK_LEVEL_UNSPECIFIED || !v1::RiskLevel_IsValid(req.risk_level())) {
    return absl::InvalidArgumentError("risk_level must be LOW, MEDIUM or HIGH");
  }
  return ChangeOpen(call, req.person_id(), /*recompute=*/false,
                    [&](common::PgConn& tx, absl::Time) {
                      return store_.SetRiskLevel(tx, req.person_id(), req.risk_level());
                    });
}

absl::StatusOr<v1::PersonOfInterest> PersonsOfInterest::Close(
    const common::CallContext& call, const v1::ClosePersonOfInterestRequest& req) {
  if (auto s = common::RequireUuid("person_id", req.person_id()); !s.ok()) return s;
  if (auto s = ValidateCloseNote(req.note()); !s.ok()) return s;
  return ChangeOpen(
      call, req.person_id(), /*recompute=*/true, [&](common::PgConn& tx, absl::Time now) {
        return store_.Close(tx, req.person_id(), call.principal.subject, req.note(), now);
      });
}

}  // namespace fangxian::quarantine
