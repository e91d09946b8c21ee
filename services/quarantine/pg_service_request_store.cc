#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/time_text.h"
#include "google/protobuf/util/time_util.h"
#include "services/quarantine/service_request_store.h"

namespace fangxian::quarantine {
namespace {

using google::protobuf::Timestamp;
using google::protobuf::util::TimeUtil;

// Every column RequestFrom reads, in order.
constexpr char kColumns[] =
    "request_id, household_id, order_id, area_code, kind, items, contact_name, "
    "delivery_address, phone, status, created_by, "
    "(extract(epoch from created_at) * 1000000)::int8, COALESCE(volunteer, ''), "
    "(extract(epoch from assigned_at) * 1000000)::int8, "
    "(extract(epoch from started_at) * 1000000)::int8, "
    "(extract(epoch from delivered_at) * 1000000)::int8, delivery_note, "
    "COALESCE(confirmed_by, ''), (extract(epoch from confirmed_at) * 1000000)::int8, "
    "COALESCE(cancelled_by, ''), (extract(epoch from cancelled_at) * 1000000)::int8, "
    "cancel_reason, COALESCE(assigned_by, '')";

void SetTime(const common::PgResult& r, int i, int col, Timestamp* out) {
  int64_t micros = 0;
  if (!r.IsNull(i, col) && absl::SimpleAtoi(r.Get(i, col), &micros)) {
    *out = TimeUtil::MicrosecondsToTimestamp(micros);
  }
}

v1::ServiceRequest RequestFrom(const common::PgResult& r, int i) {
  v1::ServiceRequest out;
  out.set_request_id(std::string(r.Get(i, 0)));
  out.set_household_id(std::string(r.Get(i, 1)));
  out.set_order_id(std::string(r.Get(i, 2)));
  out.set_area_code(std::string(r.Get(i, 3)));
  int number = 0;
  (void)absl::SimpleAtoi(r.Get(i, 4), &number);
  out.set_kind(static_cast<v1::ServiceRequestKind>(number));
  out.set_items(std::string(r.Get(i, 5)));
  out.set_contact_name(std::string(r.Get(i, 6)));
  out.set_delivery_address(std::string(r.Get(i, 7)));
  out.set_phone(std::string(r.Get(i, 8)));
  (void)absl::SimpleAtoi(r.Get(i, 9), &number);
  out.set_status(static_cast<v1::ServiceRequestStatus>(number));
  out.set_created_by(std::string(r.Get(i, 10)));
  SetTime(r, i, 11, out.mutable_create_time());
  out.set_volunteer_id(std::string(r.Get(i, 12)));
  if (!r.IsNull(i, 13)) SetTime(r, i, 13, out.mutable_assign_time());
  if (!r.IsNull(i, 14)) SetTime(r, i, 14, out.mutable_start_time());
  if (!r.IsNull(i, 15)) SetTime(r, i, 15, out.mutable_deliver_time());
  out.set_delivery_note(std::string(r.Get(i, 16)));
  out.set_confirmed_by(std::string(r.Get(i, 17)));
  if (!r.IsNull(i, 18)) SetTime(r, i, 18, out.mutable_confirm_time());
  out.set_cancelled_by(std::string(r.Get(i, 19)));
  if (!r.IsNull(i, 20)) SetTime(r, i, 20, out.mutable_cancel_time());
  out.set_cancel_reason(std::string(r.Get(i, 21)));
  out.set_assigned_by(std::string(r.Get(i, 22)));
  return out;
}

// A timestamptz parameter, NULL when the field is unset.
std::optional<std::string> TimeParam(bool has, const Timestamp& t) {
  if (!has) return std::nullopt;
  return common::Rfc3339Micros(absl::FromUnixMicros(TimeUtil::TimestampToMicroseconds(t)));
}

common::PgParam Param(const std::optional<std::string>& s) {
  return s ? common::PgParam(*s) : common::PgParam();
}

common::PgParam NullIfEmpty(const std::string& s) {
  return s.empty() ? common::PgParam() : common::PgParam(s);
}

}  // namespace

absl::StatusOr<std::optional<HouseholdOrder>> PgServiceRequestStore::ActiveOrderOf(
    const std::string& household_id, absl::CivilDay today) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  auto r = conn->Exec(
      "SELECT order_id, area_code FROM quarantine.isolation_orders "
      "WHERE household_id = $1 AND released_at IS NULL AND start_date <= $2::date",
      {household_id, common::IsoDate(today)});
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return std::nullopt;
  return HouseholdOrder{std::string(r->Get(0, 0)), std::string(r->Get(0, 1))};
}

absl::StatusOr<std::optional<MemberOrder>> PgServiceRequestStore::ActiveOrderOfMember(
    const std::string& resident_id, absl::CivilDay today) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  return quarantine::ActiveOrderOfMember(*conn, resident_id, today);
}

absl::StatusOr<bool> PgServiceRequestStore::IsMember(const std::string& order_id,
                                                     const std::string& resident_id) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  auto r = conn->Exec(
      "SELECT 1 FROM quarantine.isolation_order_members WHERE order_id = $1 AND resident_id = $2",
      {order_id, resident_id});
  if (!r.ok()) return r.status();
  return r->rows() > 0;
}

absl::StatusOr<v1::ServiceRequest> PgServiceRequestStore::Insert(const v1::ServiceRequest& in) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  const std::optional<std::string> created = TimeParam(true, in.create_time());
  auto r = conn->Exec(
      absl::StrCat("INSERT INTO quarantine.service_requests (request_id, household_id, order_id, "
                   "area_code, kind, items, contact_name, delivery_address, phone, status, "
                   "created_by, created_at) VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, "
                   "$7, $8, $9, $10, $11::timestamptz) RETURNING ",
                   kColumns),
      {in.household_id(), in.order_id(), in.area_code(), std::to_string(in.kind()), in.items(),
       in.contact_name(), in.delivery_address(), in.phone(), std::to_string(in.status()),
       in.created_by(), Param(created)});
  if (!r.ok()) return r.status();
  return RequestFrom(*r, 0);
}

absl::StatusOr<v1::ServiceRequest> PgServiceRequestStore::Get(const std::string& request_id) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  auto r = conn->Exec(
      absl::StrCat("SELECT ", kColumns, " FROM quarantine.service_requests WHERE request_id = $1"),
      {request_id});
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return absl::NotFoundError("no service request with this request_id");
  return RequestFrom(*r, 0);
}

absl::StatusOr<v1::ServiceRequest> PgServiceRequestStore::Update(
    const std::string& request_id,
    const std::function<absl::StatusOr<v1::ServiceRequest>(const v1::ServiceRequest&)>& change) {
  v1::ServiceRequest out;
  absl::Status s = pool_.Transaction([&](common::PgConn& c) -> absl::Status {
    auto cur = c.Exec(absl::StrCat("SELECT ", kColumns,
                                   " FROM quarantine.service_requests WHERE request_id = $1 "
                                   "FOR UPDATE"),
                      {request_id});
    if (!cur.ok()) return cur.status();
    if (cur->rows() == 0) return absl::NotFoundError("no service request with this request_id");
    absl::StatusOr<v1::ServiceRequest> next = change(RequestFrom(*cur, 0));
    if (!next.ok()) return next.status();
    const v1::ServiceRequest& n = *next;
    const auto assigned = TimeParam(n.has_assign_time(), n.assign_time());
    const auto started = TimeParam(n.has_start_time(), n.start_time());
    const auto delivered = TimeParam(n.has_deliver_time(), n.deliver_time());
    const auto confirmed = TimeParam(n.has_confirm_time(), n.confirm_time());
    const auto cancelled = TimeParam(n.has_cancel_time(), n.cancel_time());
    auto r = c.Exec(
        absl::StrCat("UPDATE quarantine.service_requests SET status = $2, volunteer = $3, "
                     "assigned_at = $4::timestamptz, started_at = $5::timestamptz, "
                     "delivered_at = $6::timestamptz, delivery_note = $7, confirmed_by = $8, "
                     "confirmed_at = $9::timestamptz, cancelled_by = $10, "
                     "cancelled_at = $11::timestamptz, cancel_reason = $12, assigned_by = $13 "
                     "WHERE request_id = $1 RETURNING ",
                     kColumns),
        {request_id, std::to_string(n.status()), NullIfEmpty(n.volunteer_id()), Param(assigned),
         Param(started), Param(delivered), n.delivery_note(), NullIfEmpty(n.confirmed_by()),
         Param(confirmed), NullIfEmpty(n.cancelled_by()), Param(cancelled), n.cancel_reason(),
         NullIfEmpty(n.assigned_by())});
    if (!r.ok()) return r.status();
    out = RequestFrom(*r, 0);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<std::vector<v1::ServiceRequest>> PgServiceRequestStore::List(
    const ServiceRequestFilter& f, const std::optional<common::TimeIdPosition>& after, int limit) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  const std::optional<std::string> after_time =
      after ? std::optional<std::string>(common::Rfc3339Micros(absl::FromUnixMicros(after->micros)))
            : std::nullopt;
  const std::string status = std::to_string(f.status);
  const std::string areas = common::PgTextArray(f.any_of_areas);
  // Area codes hold only [a-z0-9.-], so the LIKE pattern needs no escaping.
  auto r = conn->Exec(
      absl::StrCat("SELECT ", kColumns,
                   " FROM quarantine.service_requests "
                   "WHERE ($1::text IS NULL OR area_code = $1 OR area_code LIKE $1 || '.%') "
                   "  AND ($2::uuid IS NULL OR order_id IN (SELECT order_id FROM "
                   "       quarantine.isolation_order_members WHERE resident_id = $2)) "
                   "  AND ($3::uuid IS NULL OR household_id = $3) "
                   "  AND ($4::text IS NULL OR volunteer = $4) "
                   "  AND ($5::int = 0 OR status = $5) "
                   "  AND ($6::timestamptz IS NULL OR (created_at, request_id) < ($6, $7::uuid)) "
                   "  AND ($9::text[] IS NULL OR EXISTS (SELECT 1 FROM unnest($9::text[]) s "
                   "       WHERE area_code = s OR area_code LIKE s || '.%')) "
                   "ORDER BY created_at DESC, request_id DESC LIMIT $8"),
      {NullIfEmpty(f.area_code), NullIfEmpty(f.member), NullIfEmpty(f.household_id),
       NullIfEmpty(f.volunteer), status, Param(after_time),
       after ? common::PgParam(after->id) : common::PgParam(), std::to_string(limit),
       f.any_of_areas.empty() ? common::PgParam() : common::PgParam(areas)});
  if (!r.ok()) return r.status();
  std::vector<v1::ServiceRequest> out;
  for (int i = 0; i < r->rows(); ++i) out.push_back(RequestFrom(*r, i));
  return out;
}

}  // namespace fangxian::quarantine
