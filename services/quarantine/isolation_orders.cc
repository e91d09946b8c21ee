#include "services/quarantine/isolation_orders.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/auth.h"
#include "common/paging.h"
#include "common/time_text.h"
#include "common/validate.h"
#include "google/protobuf/util/time_util.h"
#include "services/quarantine/access.h"

namespace fangxian::quarantine {
namespace {

using google::protobuf::util::TimeUtil;

v1::LetterTemplate TemplateToProto(const LetterTemplateRow& row) {
  v1::LetterTemplate out;
  out.set_template_id(row.template_id);
  out.set_area_code(row.area_code);
  out.set_version(row.version);
  out.set_latest_version(row.latest_version);
  out.set_title(row.title);
  out.set_body(row.body);
  out.set_change_note(row.change_note);
  out.set_created_by(row.created_by);
  *out.mutable_create_time() = TimeUtil::MicrosecondsToTimestamp(row.created_at_micros);
  return out;
}

v1::LetterSigning SigningToProto(const LetterSigningRow& row) {
  v1::LetterSigning out;
  out.set_signing_id(row.signing_id);
  out.set_household_id(row.household_id);
  out.set_area_code(row.area_code);
  out.set_order_id(row.order_id);
  out.set_template_id(row.template_id);
  out.set_template_version(row.template_version);
  out.set_signer_name(row.signer_name);
  *out.mutable_signed_at() = TimeUtil::MicrosecondsToTimestamp(row.signed_at_micros);
  out.set_delivery(static_cast<v1::LetterDelivery>(row.delivery));
  out.set_third_party_name(row.third_party_name);
  out.set_recorded_by(row.recorded_by);
  *out.mutable_record_time() = TimeUtil::MicrosecondsToTimestamp(row.recorded_at_micros);
  return out;
}

// Page positions of ListOrdersDueForRelease: "YYYY-MM-DD/<order uuid>".
bool ParseDuePosition(absl::string_view position, DuePosition* out) {
  std::vector<absl::string_view> parts = absl::StrSplit(position, '/');
  return parts.size() == 2 && common::ParseIsoDate(parts[0], &out->end_date) &&
         common::IsUuid(parts[1]) && (out->order_id = std::string(parts[1]), true);
}

bool ValidDuePosition(absl::string_view position) {
  DuePosition ignored;
  return ParseDuePosition(position, &ignored);
}

absl::StatusOr<int> PageSizeOf(int requested) {
  return common::PageSize(requested, kDefaultIsolationPageSize, kMaxIsolationPageSize);
}

}  // namespace

v1::IsolationOrder OrderToProto(const IsolationOrderRow& row, absl::CivilDay today) {
  v1::IsolationOrder out;
  out.set_order_id(row.order_id);
  out.set_household_id(row.household_id);
  out.set_area_code(row.area_code);
  out.set_start_date(common::IsoDate(row.start_date));
  out.set_period_days(row.period_days);
  out.set_end_date(common::IsoDate(row.end_date()));
  out.set_checkins_per_day(row.checkins_per_day);
  out.set_reason(row.reason);
  out.set_state(
      OrderState(row.start_date, row.end_date(), row.released_at_micros.has_value(), today));
  for (const auto& [id, name] : row.members) {
    v1::IsolationOrderMember* m = out.add_members();
    m->set_resident_id(id);
    m->set_name(name);
  }
  for (const PeriodChangeRow& c : row.changes) {
    v1::IsolationPeriodChange* ch = out.add_changes();
    ch->set_old_period_days(c.old_period_days);
    ch->set_new_period_days(c.new_period_days);
    ch->set_new_end_date(common::IsoDate(row.start_date + c.new_period_days));
    ch->set_reason(c.reason);
    ch->set_changed_by(c.changed_by);
    *ch->mutable_change_time() = TimeUtil::MicrosecondsToTimestamp(c.changed_at_micros);
  }
  out.set_created_by(row.created_by);
  *out.mutable_create_time() = TimeUtil::MicrosecondsToTimestamp(row.created_at_micros);
  if (row.released_at_micros) {
    *out.mutable_release_time() = TimeUtil::MicrosecondsToTimestamp(*row.released_at_micros);
    out.set_released_by(row.released_by);
    out.set_release_reason(row.release_reason);
  }
  return out;
}

absl::StatusOr<v1::IsolationOrder> IsolationOrders::Create(
    const common::CallContext& call, const v1::CreateIsolationOrderRequest& req) {
  const absl::Time now = clock_();
  absl::StatusOr<NewOrder> order = ValidateNewOrder(req, defaults_, common::ChinaToday(now));
  if (!order.ok()) return order.status();
  absl::StatusOr<HouseholdInfo> household = households_.Get(call, order->household_id);
  if (!household.ok()) return household.status();
  if (auto s = common::RequireScope(call, "household_id", household->area_code); !s.ok()) return s;
  if (household->members.empty()) {
    return absl::FailedPreconditionError("household_id: the household has no members to isolate");
  }
  IsolationOrderRow row;
  row.household_id = order->household_id;
  row.area_code = household->area_code;
  row.start_date = order->start_date;
  row.period_days = order->period_days;
  row.checkins_per_day = order->checkins_per_day;
  row.reason = order->reason;
  row.created_by = call.principal.subject;
  for (const HouseholdInfo::Member& m : household->members) {
    row.members.emplace_back(m.resident_id, m.name);
  }
  absl::StatusOr<IsolationOrderRow> stored = store_.Insert(row, now);
  if (!stored.ok()) return stored.status();
  return OrderToProto(*stored, common::ChinaToday(now));
}

absl::StatusOr<IsolationOrderRow> IsolationOrders::Visible(const common::CallContext& call,
                                                           const std::string& order_id) {
  if (auto s = common::RequireUuid("order_id", order_id); !s.ok()) return s;
  absl::StatusOr<std::optional<IsolationOrderRow>> row = store_.Get(order_id);
  if (!row.ok()) return row.status();
  const absl::Status not_found =
      absl::NotFoundError("no isolation order with this order_id in your area scope");
  if (!*row) return not_found;
  if (call.principal.kind == "resident") {
    const bool member =
        std::any_of((*row)->members.begin(), (*row)->members.end(),
                    [&](const auto& m) { return m.first == call.principal.subject; });
    if (!member) return not_found;
  } else if (!call.principal.CoversArea((*row)->area_code, StaffRoles(call))) {
    return not_found;
  }
  return **std::move(row);
}

absl::StatusOr<v1::IsolationOrder> IsolationOrders::Get(const common::CallContext& call,
                                                        const v1::GetIsolationOrderRequest& req) {
  absl::StatusOr<IsolationOrderRow> row = Visible(call, req.order_id());
  if (!row.ok()) return row.status();
  return OrderToProto(*row, common::ChinaToday(clock_()));
}

absl::StatusOr<v1::ListIsolationOrdersResponse> IsolationOrders::List(
    const common::CallContext& call, const v1::ListIsolationOrdersRequest& req) {
  if (auto s = common::RequireAreaPath("area_code", req.area_code()); !s.ok()) return s;
  if (!v1::IsolationOrderState_IsValid(req.state())) {
    return absl::InvalidArgumentError(
        "state must be SCHEDULED, ACTIVE, DUE_FOR_RELEASE, RELEASED or unspecified (all)");
  }
  absl::StatusOr<int> page_size = PageSizeOf(req.page_size());
  if (!page_size.ok()) return page_size.status();
  absl::StatusOr<std::optional<common::TimeIdPosition>> after =
      common::DecodeTimeIdPageToken(req.page_token());
  if (!after.ok()) return after.status();
  if (auto s = common::RequireScope(call, "area_code", req.area_code()); !s.ok()) return s;
  const absl::CivilDay today = common::ChinaToday(clock_());
  absl::StatusOr<std::vector<IsolationOrderRow>> rows =
      store_.List(req.area_code(), req.state(), today, *after, *page_size + 1);
  if (!rows.ok()) return rows.status();
  v1::ListIsolationOrdersResponse out;
  const size_t shown = common::TakePage(
      *rows, *page_size,
      [](const IsolationOrderRow& last) {
        return common::EncodeTimeIdPageToken(last.created_at_micros, last.order_id);
      },
      out.mutable_next_page_token());
  for (size_t i = 0; i < shown; ++i) *out.add_orders() = OrderToProto((*rows)[i], today);
  return out;
}

absl::StatusOr<v1::ListIsolationOrdersResponse> IsolationOrders::ListDue(
    const common::CallContext& call, const v1::ListOrdersDueForReleaseRequest& req) {
  if (auto s = common::RequireAreaPath("area_code", req.area_code()); !s.ok()) return s;
  const absl::CivilDay today = common::ChinaToday(clock_());
  absl::CivilDay due_on = today;
  if (!req.due_on().empty() && !common::ParseIsoDate(req.due_on(), &due_on)) {
    return absl::InvalidArgumentError("due_on must be a real day as YYYY-MM-DD (empty: today)");
  }
  absl::StatusOr<int> page_size = PageSizeOf(req.page_size());
  if (!page_size.ok()) return page_size.status();
  absl::StatusOr<std::string> position =
      common::DecodePageToken(req.page_token(), ValidDuePosition);
  if (!position.ok()) return position.status();
  std::optional<DuePosition> after;
  if (!position->empty()) {
    after.emplace();
    (void)ParseDuePosition(*position, &*after);
  }
  if (auto s = common::RequireScope(call, "area_code", req.area_code()); !s.ok()) return s;
  absl::StatusOr<std::vector<IsolationOrderRow>> rows =
      store_.ListDue(req.area_code(), due_on, after, *page_size + 1);
  if (!rows.ok()) return rows.status();
  v1::ListIsolationOrdersResponse out;
  const size_t shown = common::TakePage(
      *rows, *page_size,
      [](const IsolationOrderRow& last) {
        return common::EncodePageToken(
            absl::StrCat(common::IsoDate(last.end_date()), "/", last.order_id));
      },
      out.mutable_next_page_token());
  for (size_t i = 0; i < shown; ++i) *out.add_orders() = OrderToProto((*rows)[i], today);
  return out;
}

absl::StatusOr<v1::IsolationOrder> IsolationOrders::ChangePeriod(
    const common::CallContext& call, const v1::ChangeIsolationPeriodRequest& req) {
  if (auto s = common::RequireUuid("order_id", req.order_id()); !s.ok()) return s;
  // Area and start_date never change, so checks made on this read cannot go stale; the
  // store locks the order for the rest.
  absl::StatusOr<IsolationOrderRow> order = Visible(call, req.order_id());
  if (!order.ok()) return order.status();
  absl::StatusOr<int> period = RequestedPeriod(req, order->start_date);
  if (!period.ok()) return period.status();
  const absl::Time now = clock_();
  absl::StatusOr<IsolationOrderRow> stored =
      store_.ChangePeriod(req.order_id(), *period, req.reason(), call.principal.subject, now);
  if (!stored.ok()) return stored.status();
  return OrderToProto(*stored, common::ChinaToday(now));
}

absl::StatusOr<v1::IsolationOrder> IsolationOrders::Release(
    const common::CallContext& call, const v1::ReleaseIsolationOrderRequest& req) {
  if (auto s = common::RequireUuid("order_id", req.order_id()); !s.ok()) return s;
  if (auto s = ValidateReason(req.reason()); !s.ok()) return s;
  absl::StatusOr<IsolationOrderRow> order = Visible(call, req.order_id());
  if (!order.ok()) return order.status();
  const absl::Time now = clock_();
  absl::StatusOr<IsolationOrderRow> stored =
      store_.Release(req.order_id(), req.reason(), call.principal.subject, now);
  if (!stored.ok()) return stored.status();
  return OrderToProto(*stored, common::ChinaToday(now));
}

absl::StatusOr<v1::LetterTemplate> CommitmentLetters::CreateTemplate(
    const common::CallContext& call, const v1::CreateLetterTemplateRequest& req) {
  if (auto s = ValidateNewTemplate(req); !s.ok()) return s;
  if (auto s = common::RequireScope(call, "area_code", req.area_code()); !s.ok()) return s;
  LetterTemplateRow row;
  row.area_code = req.area_code();
  row.title = req.title();
  row.body = req.body();
  row.created_by = call.principal.subject;
  absl::StatusOr<LetterTemplateRow> stored = store_.InsertTemplate(row, clock_());
  if (!stored.ok()) return stored.status();
  return TemplateToProto(*stored);
}

absl::StatusOr<v1::LetterTemplate> CommitmentLetters::ReviseTemplate(
    const common::CallContext& call, const v1::ReviseLetterTemplateRequest& req) {
  if (auto s = ValidateRevision(req); !s.ok()) return s;
  absl::StatusOr<std::optional<LetterTemplateRow>> current =
      store_.GetTemplate(req.template_id(), 0);
  if (!current.ok()) return current.status();
  // Revising needs scope over the template's own area (its area never changes).
  if (!*current || !call.InScope((*current)->area_code)) {
    return absl::NotFoundError("no letter template with this template_id in your area scope");
  }
  absl::StatusOr<LetterTemplateRow> stored =
      store_.Revise(req.template_id(), req.base_version(), req.title(), req.body(),
                    req.change_note(), call.principal.subject, clock_());
  if (!stored.ok()) return stored.status();
  return TemplateToProto(*stored);
}

absl::StatusOr<v1::LetterTemplate> CommitmentLetters::GetTemplate(
    const common::CallContext& call, const v1::GetLetterTemplateRequest& req) {
  if (auto s = common::RequireUuid("template_id", req.template_id()); !s.ok()) return s;
  if (req.version() < 0) {
    return absl::InvalidArgumentError("version must be 1 or more (0 means the latest)");
  }
  absl::StatusOr<std::optional<LetterTemplateRow>> row =
      store_.GetTemplate(req.template_id(), req.version());
  if (!row.ok()) return row.status();
  // Visible from its area, above and below it: the subdistrict's letter is used in every
  // community.
  if (!*row || !common::ScopeOverlaps(call, (*row)->area_code)) {
    return absl::NotFoundError(
        "no letter template with this template_id and version visible in your area scope");
  }
  return TemplateToProto(**row);
}

absl::StatusOr<v1::ListLetterTemplatesResponse> CommitmentLetters::ListTemplates(
    const common::CallContext& call, const v1::ListLetterTemplatesRequest& req) {
  if (auto s = common::RequireAreaPath("area_code", req.area_code()); !s.ok()) return s;
  absl::StatusOr<int> page_size = PageSizeOf(req.page_size());
  if (!page_size.ok()) return page_size.status();
  absl::StatusOr<std::optional<common::TimeIdPosition>> after =
      common::DecodeTimeIdPageToken(req.page_token());
  if (!after.ok()) return after.status();
  if (auto s = common::RequireScope(call, "area_code", req.area_code()); !s.ok()) return s;
  absl::StatusOr<std::vector<LetterTemplateRow>> rows =
      store_.ListTemplates(req.area_code(), *after, *page_size + 1);
  if (!rows.ok()) return rows.status();
  v1::ListLetterTemplatesResponse out;
  const size_t shown = common::TakePage(
      *rows, *page_size,
      [](const LetterTemplateRow& last) {
        return common::EncodeTimeIdPageToken(last.template_created_micros, last.template_id);
      },
      out.mutable_next_page_token());
  for (size_t i = 0; i < shown; ++i) *out.add_templates() = TemplateToProto((*rows)[i]);
  return out;
}

absl::StatusOr<v1::LetterSigning> CommitmentLetters::RecordSigning(
    const common::CallContext& call, const v1::RecordLetterSigningRequest& req) {
  const absl::Time now = clock_();
  if (auto s = ValidateSigning(req, now); !s.ok()) return s;
  absl::StatusOr<HouseholdInfo> household = households_.Get(call, req.household_id());
  if (!household.ok()) return household.status();
  if (auto s = common::RequireScope(call, "household_id", household->area_code); !s.ok()) return s;
  absl::StatusOr<std::optional<LetterTemplateRow>> tmpl =
      store_.GetTemplate(req.template_id(), req.template_version());
  if (!tmpl.ok()) return tmpl.status();
  if (!*tmpl) {
    return absl::FailedPreconditionError(absl::StrCat(
        "template_id: no letter template with this id at version ", req.template_version()));
  }
  if (!common::AreaWithin(household->area_code, (*tmpl)->area_code)) {
    return absl::FailedPreconditionError(
        "template_id: the template belongs to another area and does not apply to this "
        "household; use one of its own area or above");
  }
  if (!req.order_id().empty()) {
    absl::StatusOr<std::optional<IsolationOrderRow>> order = orders_.Get(req.order_id());
    if (!order.ok()) return order.status();
    if (!*order) return absl::FailedPreconditionError("order_id: no isolation order with this id");
    if ((*order)->household_id != req.household_id()) {
      return absl::InvalidArgumentError(
          "order_id is an order of another household; give this household's order or none");
    }
  }
  LetterSigningRow row;
  row.household_id = req.household_id();
  row.area_code = household->area_code;
  row.order_id = req.order_id();
  row.template_id = req.template_id();
  row.template_version = req.template_version();
  row.signer_name = req.signer_name();
  row.signed_at_micros = TimeUtil::TimestampToMicroseconds(req.signed_at());
  row.delivery = req.delivery();
  row.third_party_name = req.third_party_name();
  row.recorded_by = call.principal.subject;
  absl::StatusOr<LetterSigningRow> stored = store_.InsertSigning(row, now);
  if (!stored.ok()) return stored.status();
  return SigningToProto(*stored);
}

absl::StatusOr<v1::ListLetterSigningsResponse> CommitmentLetters::ListSignings(
    const common::CallContext& call, const v1::ListLetterSigningsRequest& req) {
  if (auto s = common::RequireUuid("household_id", req.household_id()); !s.ok()) return s;
  absl::StatusOr<int> page_size = PageSizeOf(req.page_size());
  if (!page_size.ok()) return page_size.status();
  absl::StatusOr<std::optional<common::TimeIdPosition>> after =
      common::DecodeTimeIdPageToken(req.page_token());
  if (!after.ok()) return after.status();
  absl::StatusOr<std::vector<LetterSigningRow>> rows =
      store_.ListSignings(req.household_id(), *after, *page_size + 1);
  if (!rows.ok()) return rows.status();
  // A household's signings all carry its area (households do not move): the caller must
  // cover it. Nothing is told about a household without signings.
  std::vector<std::string> areas;
  for (const LetterSigningRow& r : *rows) areas.push_back(r.area_code);
  if (!areas.empty()) {
    if (auto s = common::RequireScopeAny(call, "this household", areas); !s.ok()) return s;
  }
  v1::ListLetterSigningsResponse out;
  const size_t shown = common::TakePage(
      *rows, *page_size,
      [](const LetterSigningRow& last) {
        return common::EncodeTimeIdPageToken(last.signed_at_micros, last.signing_id);
      },
      out.mutable_next_page_token());
  for (size_t i = 0; i < shown; ++i) *out.add_signings() = SigningToProto((*rows)[i]);
  return out;
}

}  // namespace fangxian::quarantine
