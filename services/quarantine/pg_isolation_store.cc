#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/time_text.h"
#include "common/validate.h"
#include "fangxian/quarantine/v1/service_requests.pb.h"
#include "services/quarantine/isolation_store.h"

namespace fangxian::quarantine {
namespace {

// SQL for the timestamptz of parameter $n, which holds Unix microseconds (an int8): exact
// to the microsecond, as page positions compare times.
std::string MicrosParam(int n) {
  return absl::StrCat("('epoch'::timestamptz + $", n, "::int8 * interval '1 microsecond')");
}

// A timestamptz column as Unix microseconds.
std::string Micros(absl::string_view column) {
  return absl::StrCat("(extract(epoch from ", column, ") * 1000000)::int8");
}

int64_t Int64At(const common::PgResult& r, int row, int col) {
  int64_t v = 0;
  (void)absl::SimpleAtoi(r.Get(row, col), &v);
  return v;
}

int IntAt(const common::PgResult& r, int row, int col) {
  int v = 0;
  (void)absl::SimpleAtoi(r.Get(row, col), &v);
  return v;
}

std::string OrderColumns() {
  return absl::StrCat(
      "o.order_id, o.household_id, o.area_code, o.start_date::text, o.period_days, "
      "o.checkins_per_day, o.reason, o.created_by, ",
      Micros("o.created_at"), ", ", Micros("o.released_at"),
      ", COALESCE(o.released_by, ''), COALESCE(o.release_reason, '')");
}

IsolationOrderRow OrderFrom(const common::PgResult& r, int i) {
  IsolationOrderRow row;
  row.order_id = std::string(r.Get(i, 0));
  row.household_id = std::string(r.Get(i, 1));
  row.area_code = std::string(r.Get(i, 2));
  (void)common::ParseIsoDate(r.Get(i, 3), &row.start_date);
  row.period_days = IntAt(r, i, 4);
  row.checkins_per_day = IntAt(r, i, 5);
  row.reason = std::string(r.Get(i, 6));
  row.created_by = std::string(r.Get(i, 7));
  row.created_at_micros = Int64At(r, i, 8);
  if (!r.IsNull(i, 9)) row.released_at_micros = Int64At(r, i, 9);
  row.released_by = std::string(r.Get(i, 10));
  row.release_reason = std::string(r.Get(i, 11));
  return row;
}

// Reads the orders of `r` with their members and changes (two more queries, whatever the
// number of orders).
absl::StatusOr<std::vector<IsolationOrderRow>> OrdersWithDetails(common::PgConn& conn,
                                                                 const common::PgResult& r) {
  std::vector<IsolationOrderRow> rows;
  std::vector<std::string> ids;
  for (int i = 0; i < r.rows(); ++i) {
    rows.push_back(OrderFrom(r, i));
    ids.push_back(rows.back().order_id);
  }
  if (rows.empty()) return rows;
  std::map<std::string, IsolationOrderRow*> by_id;
  for (IsolationOrderRow& row : rows) by_id[row.order_id] = &row;
  const std::string id_array = common::PgTextArray(ids);
  auto m = conn.Exec(
      "SELECT order_id, resident_id, name FROM quarantine.isolation_order_members "
      "WHERE order_id = ANY($1::uuid[]) ORDER BY order_id, name, resident_id",
      {id_array});
  if (!m.ok()) return m.status();
  for (int i = 0; i < m->rows(); ++i) {
    auto it = by_id.find(std::string(m->Get(i, 0)));
    if (it == by_id.end()) continue;
    it->second->members.emplace_back(std::string(m->Get(i, 1)), std::string(m->Get(i, 2)));
  }
  auto c = conn.Exec(absl::StrCat("SELECT order_id, old_period_days, new_period_days, reason, "
                                  "changed_by, ",
                                  Micros("changed_at"),
                                  " FROM quarantine.isolation_order_changes "
                                  "WHERE order_id = ANY($1::uuid[]) "
                                  "ORDER BY order_id, changed_at, change_id"),
                     {id_array});
  if (!c.ok()) return c.status();
  for (int i = 0; i < c->rows(); ++i) {
    auto it = by_id.find(std::string(c->Get(i, 0)));
    if (it == by_id.end()) continue;
    it->second->changes.push_back({IntAt(*c, i, 1), IntAt(*c, i, 2), std::string(c->Get(i, 3)),
                                   std::string(c->Get(i, 4)), Int64At(*c, i, 5)});
  }
  return rows;
}

absl::StatusOr<std::optional<IsolationOrderRow>> GetOrder(common::PgConn& conn,
                                                          const std::string& order_id) {
  auto r = conn.Exec(absl::StrCat("SELECT ", OrderColumns(),
                                  " FROM quarantine.isolation_orders o WHERE o.order_id = $1"),
                     {order_id});
  if (!r.ok()) return r.status();
  absl::StatusOr<std::vector<IsolationOrderRow>> rows = OrdersWithDetails(conn, *r);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::nullopt;
  return std::move(rows->front());
}

// Locks an unreleased order for a change. NOT_FOUND or FAILED_PRECONDITION (released,
// `what` names the refused change); returns its period.
absl::StatusOr<int> LockOpenOrder(common::PgConn& conn, const std::string& order_id,
                                  absl::string_view what) {
  auto r = conn.Exec(
      "SELECT period_days, released_at IS NOT NULL, COALESCE(released_at::date::text, '') "
      "FROM quarantine.isolation_orders WHERE order_id = $1 FOR UPDATE",
      {order_id});
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return absl::NotFoundError("no isolation order with this order_id");
  if (r->Get(0, 1) == "t") {
    return absl::FailedPreconditionError(
        absl::StrCat("the order was released already; ", what,
                     " a released order is not possible (make a new order instead)"));
  }
  return IntAt(*r, 0, 0);
}

// Recomputes the colours of the order's members inside the transaction.
absl::StatusOr<std::vector<PassChange>> RecomputeMembers(common::PgConn& conn,
                                                         const PassColourEngine& colours,
                                                         const std::string& order_id,
                                                         absl::Time now) {
  auto m = conn.Exec(
      "SELECT resident_id FROM quarantine.isolation_order_members WHERE order_id = $1", {order_id});
  if (!m.ok()) return m.status();
  std::vector<std::string> ids;
  for (int i = 0; i < m->rows(); ++i) ids.emplace_back(m->Get(i, 0));
  return colours.Recompute(conn, std::move(ids), now);
}

constexpr char kInArea[] = "(o.area_code = $1 OR o.area_code LIKE $1 || '.%')";

// ALREADY_EXISTS naming the household's unreleased order (committed by another
// transaction: this statement's snapshot sees it).
absl::Status OpenOrderExists(common::PgConn& conn, const std::string& household_id) {
  auto open = conn.Exec(
      "SELECT order_id FROM quarantine.isolation_orders "
      "WHERE household_id = $1 AND released_at IS NULL",
      {household_id});
  if (!open.ok()) return open.status();
  return absl::AlreadyExistsError(
      absl::StrCat("household_id: the household already has an unreleased isolation order",
                   open->rows() > 0 ? absl::StrCat(" (", open->Get(0, 0), ")") : "",
                   "; change its period or release it first"));
}

}  // namespace

absl::StatusOr<IsolationOrderRow> PgIsolationStore::Insert(const IsolationOrderRow& row,
                                                           absl::Time now) {
  std::string order_id;
  std::vector<PassChange> changes;
  absl::Status s = pool_.Transaction([&](common::PgConn& conn) -> absl::Status {
    // One unreleased order per household is the partial unique index's to enforce: a
    // concurrent create of the same household waits here for the other to commit, then
    // inserts nothing (no pre-check, which two transactions could both pass).
    auto r = conn.Exec(
        absl::StrCat("INSERT INTO quarantine.isolation_orders (order_id, household_id, "
                     "area_code, start_date, period_days, checkins_per_day, reason, created_by, "
                     "created_at) VALUES (gen_random_uuid(), $1, $2, $3::date, $4, $5, $6, $7, ",
                     MicrosParam(8),
                     ") ON CONFLICT (household_id) WHERE released_at IS NULL DO NOTHING "
                     "RETURNING order_id"),
        {row.household_id, row.area_code, common::IsoDate(row.start_date),
         std::to_string(row.period_days), std::to_string(row.checkins_per_day), row.reason,
         row.created_by, std::to_string(absl::ToUnixMicros(now))});
    if (!r.ok()) return r.status();
    if (r->rows() == 0) return OpenOrderExists(conn, row.household_id);
    order_id = std::string(r->Get(0, 0));
    std::vector<std::string> ids;
    std::vector<std::string> names;
    for (const auto& [id, name] : row.members) {
      ids.push_back(id);
      names.push_back(name);
    }
    auto m = conn.Exec(
        "INSERT INTO quarantine.isolation_order_members (order_id, resident_id, name) "
        "SELECT $1, m.id::uuid, m.name FROM unnest($2::text[], $3::text[]) AS m(id, name) "
        "ON CONFLICT DO NOTHING",
        {order_id, common::PgTextArray(ids), common::PgTextArray(names)});
    if (!m.ok()) return m.status();
    auto ch = colours_.Recompute(conn, ids, now);
    if (!ch.ok()) return ch.status();
    changes = *std::move(ch);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  colours_.Published(changes);
  absl::StatusOr<std::optional<IsolationOrderRow>> stored = Get(order_id);
  if (!stored.ok()) return stored.status();
  if (!*stored) return absl::InternalError("the isolation order vanished after it was written");
  return **std::move(stored);
}

absl::StatusOr<std::optional<IsolationOrderRow>> PgIsolationStore::Get(
    const std::string& order_id) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  return GetOrder(*conn, order_id);
}

absl::StatusOr<IsolationOrderRow> PgIsolationStore::ChangePeriod(const std::string& order_id,
                                                                 int period_days,
                                                                 const std::string& reason,
                                                                 const std::string& by,
                                                                 absl::Time now) {
  std::vector<PassChange> changes;
  std::optional<IsolationOrderRow> stored;
  absl::Status s = pool_.Transaction([&](common::PgConn& conn) -> absl::Status {
    absl::StatusOr<int> old_period = LockOpenOrder(conn, order_id, "changing the period of");
    if (!old_period.ok()) return old_period.status();
    if (*old_period != period_days) {
      const std::string days = std::to_string(period_days);
      auto u =
          conn.Exec("UPDATE quarantine.isolation_orders SET period_days = $2 WHERE order_id = $1",
                    {order_id, days});
      if (!u.ok()) return u.status();
      auto h = conn.Exec(
          absl::StrCat("INSERT INTO quarantine.isolation_order_changes (order_id, "
                       "old_period_days, new_period_days, reason, changed_by, changed_at) "
                       "VALUES ($1, $2, $3, $4, $5, ",
                       MicrosParam(6), ")"),
          {order_id, std::to_string(*old_period), days, reason, by,
           std::to_string(absl::ToUnixMicros(now))});
      if (!h.ok()) return h.status();
      auto ch = RecomputeMembers(conn, colours_, order_id, now);
      if (!ch.ok()) return ch.status();
      changes = *std::move(ch);
    }
    absl::StatusOr<std::optional<IsolationOrderRow>> row = GetOrder(conn, order_id);
    if (!row.ok()) return row.status();
    stored = *std::move(row);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  colours_.Published(changes);
  if (!stored) return absl::InternalError("the isolation order vanished after it was changed");
  return *std::move(stored);
}

absl::StatusOr<IsolationOrderRow> PgIsolationStore::Release(const std::string& order_id,
                                                            const std::string& reason,
                                                            const std::string& by, absl::Time now) {
  std::vector<PassChange> changes;
  std::optional<IsolationOrderRow> stored;
  absl::Status s = pool_.Transaction([&](common::PgConn& conn) -> absl::Status {
    absl::StatusOr<int> period = LockOpenOrder(conn, order_id, "releasing");
    if (!period.ok()) return period.status();
    auto u = conn.Exec(
        absl::StrCat("UPDATE quarantine.isolation_orders SET released_at = ", MicrosParam(2),
                     ", released_by = $3, release_reason = $4 "
                     "WHERE order_id = $1"),
        {order_id, std::to_string(absl::ToUnixMicros(now)), by, reason});
    if (!u.ok()) return u.status();
    // Love-knocking requests not yet delivered end with the isolation: no volunteer
    // keeps working on (or seeing the phone of) a household that is no longer isolated.
    auto cancelled = conn.Exec(
        absl::StrCat("UPDATE quarantine.service_requests SET status = $2, cancelled_by = $3, "
                     "cancelled_at = ",
                     MicrosParam(4), ", cancel_reason = $5 WHERE order_id = $1 AND status IN (",
                     v1::SERVICE_REQUEST_STATUS_OPEN, ", ", v1::SERVICE_REQUEST_STATUS_ASSIGNED,
                     ", ", v1::SERVICE_REQUEST_STATUS_IN_PROGRESS, ")"),
        {order_id, std::to_string(v1::SERVICE_REQUEST_STATUS_CANCELLED), by,
         std::to_string(absl::ToUnixMicros(now)), kReleaseCancelReason});
    if (!cancelled.ok()) return cancelled.status();
    auto ch = RecomputeMembers(conn, colours_, order_id, now);
    if (!ch.ok()) return ch.status();
    changes = *std::move(ch);
    absl::StatusOr<std::optional<IsolationOrderRow>> row = GetOrder(conn, order_id);
    if (!row.ok()) return row.status();
    stored = *std::move(row);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  colours_.Published(changes);
  if (!stored) return absl::InternalError("the isolation order vanished after it was released");
  return *std::move(stored);
}

absl::StatusOr<std::vector<IsolationOrderRow>> PgIsolationStore::List(
    const std::string& area_code, int state, absl::CivilDay today,
    const std::optional<common::TimeIdPosition>& after, int limit) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  const std::string after_micros = after ? std::to_string(after->micros) : "";
  auto r = conn->Exec(
      absl::StrCat("SELECT ", OrderColumns(), " FROM quarantine.isolation_orders o WHERE ", kInArea,
                   " AND CASE $2::int WHEN 0 THEN true "
                   "WHEN 1 THEN o.released_at IS NULL AND o.start_date > $3::date "
                   "WHEN 2 THEN o.released_at IS NULL AND o.start_date <= $3::date "
                   "  AND o.end_date > $3::date "
                   "WHEN 3 THEN o.released_at IS NULL AND o.end_date <= $3::date "
                   "ELSE o.released_at IS NOT NULL END "
                   "AND ($4::int8 IS NULL OR (o.created_at, o.order_id) < (",
                   MicrosParam(4),
                   ", $5::uuid)) ORDER BY o.created_at DESC, o.order_id DESC LIMIT $6"),
      {area_code, std::to_string(state), common::IsoDate(today),
       after ? common::PgParam(after_micros) : common::PgParam(),
       after ? common::PgParam(after->id) : common::PgParam(), std::to_string(limit)});
  if (!r.ok()) return r.status();
  return OrdersWithDetails(*conn, *r);
}

absl::StatusOr<std::vector<IsolationOrderRow>> PgIsolationStore::ListDue(
    const std::string& area_code, absl::CivilDay due_on, const std::optional<DuePosition>& after,
    int limit) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  const std::string after_day = after ? common::IsoDate(after->end_date) : "";
  auto r = conn->Exec(
      absl::StrCat("SELECT ", OrderColumns(), " FROM quarantine.isolation_orders o WHERE ", kInArea,
                   " AND o.released_at IS NULL AND o.end_date <= $2::date "
                   "AND ($3::date IS NULL OR (o.end_date, o.order_id) > ($3::date, $4::uuid)) "
                   "ORDER BY o.end_date, o.order_id LIMIT $5"),
      {area_code, common::IsoDate(due_on), after ? common::PgParam(after_day) : common::PgParam(),
       after ? common::PgParam(after->order_id) : common::PgParam(), std::to_string(limit)});
  if (!r.ok()) return r.status();
  return OrdersWithDetails(*conn, *r);
}

// Letters.

namespace {

std::string TemplateColumns() {
  return absl::StrCat(
      "t.template_id, t.area_code, v.version, t.latest_version, v.title, v.body, "
      "v.change_note, v.created_by, ",
      Micros("v.created_at"), ", ", Micros("t.created_at"));
}

LetterTemplateRow TemplateFrom(const common::PgResult& r, int i) {
  LetterTemplateRow row;
  row.template_id = std::string(r.Get(i, 0));
  row.area_code = std::string(r.Get(i, 1));
  row.version = IntAt(r, i, 2);
  row.latest_version = IntAt(r, i, 3);
  row.title = std::string(r.Get(i, 4));
  row.body = std::string(r.Get(i, 5));
  row.change_note = std::string(r.Get(i, 6));
  row.created_by = std::string(r.Get(i, 7));
  row.created_at_micros = Int64At(r, i, 8);
  row.template_created_micros = Int64At(r, i, 9);
  return row;
}

std::string SigningColumns() {
  return absl::StrCat(
      "signing_id, household_id, area_code, COALESCE(order_id::text, ''), template_id, "
      "template_version, signer_name, ",
      Micros("signed_at"), ", delivery, third_party_name, recorded_by, ", Micros("recorded_at"));
}

LetterSigningRow SigningFrom(const common::PgResult& r, int i) {
  LetterSigningRow row;
  row.signing_id = std::string(r.Get(i, 0));
  row.household_id = std::string(r.Get(i, 1));
  row.area_code = std::string(r.Get(i, 2));
  row.order_id = std::string(r.Get(i, 3));
  row.template_id = std::string(r.Get(i, 4));
  row.template_version = IntAt(r, i, 5);
  row.signer_name = std::string(r.Get(i, 6));
  row.signed_at_micros = Int64At(r, i, 7);
  row.delivery = IntAt(r, i, 8);
  row.third_party_name = std::string(r.Get(i, 9));
  row.recorded_by = std::string(r.Get(i, 10));
  row.recorded_at_micros = Int64At(r, i, 11);
  return row;
}

}  // namespace

absl::StatusOr<LetterTemplateRow> PgLetterStore::InsertTemplate(const LetterTemplateRow& row,
                                                                absl::Time now) {
  std::string template_id;
  const std::string at = std::to_string(absl::ToUnixMicros(now));
  absl::Status s = pool_.Transaction([&](common::PgConn& conn) -> absl::Status {
    auto r = conn.Exec(absl::StrCat("INSERT INTO quarantine.letter_templates (area_code, "
                                    "latest_version, created_by, created_at) VALUES ($1, 1, $2, ",
                                    MicrosParam(3), ") RETURNING template_id"),
                       {row.area_code, row.created_by, at});
    if (!r.ok()) return r.status();
    template_id = std::string(r->Get(0, 0));
    auto v = conn.Exec(absl::StrCat("INSERT INTO quarantine.letter_template_versions "
                                    "(template_id, version, title, body, change_note, "
                                    "created_by, created_at) VALUES ($1, 1, $2, $3, '', $4, ",
                                    MicrosParam(5), ")"),
                       {template_id, row.title, row.body, row.created_by, at});
    return v.status();
  });
  if (!s.ok()) return s;
  absl::StatusOr<std::optional<LetterTemplateRow>> stored = GetTemplate(template_id, 1);
  if (!stored.ok()) return stored.status();
  if (!*stored) return absl::InternalError("the template vanished after it was written");
  return **std::move(stored);
}

absl::StatusOr<LetterTemplateRow> PgLetterStore::Revise(const std::string& template_id,
                                                        int base_version, const std::string& title,
                                                        const std::string& body,
                                                        const std::string& change_note,
                                                        const std::string& by, absl::Time now) {
  int version = 0;
  absl::Status s = pool_.Transaction([&](common::PgConn& conn) -> absl::Status {
    auto r = conn.Exec(
        "SELECT t.latest_version, v.title FROM quarantine.letter_templates t "
        "JOIN quarantine.letter_template_versions v ON v.template_id = t.template_id "
        "AND v.version = t.latest_version WHERE t.template_id = $1 FOR UPDATE OF t",
        {template_id});
    if (!r.ok()) return r.status();
    if (r->rows() == 0) return absl::NotFoundError("no letter template with this template_id");
    const int latest = IntAt(*r, 0, 0);
    if (base_version > 0 && base_version != latest) {
      return absl::FailedPreconditionError(
          absl::StrCat("base_version ", base_version, " is not the latest version (", latest,
                       "); read version ", latest, " and revise that"));
    }
    version = latest + 1;
    const std::string v_text = std::to_string(version);
    auto u = conn.Exec(
        "UPDATE quarantine.letter_templates SET latest_version = $2 WHERE template_id = $1",
        {template_id, v_text});
    if (!u.ok()) return u.status();
    const std::string kept_title = title.empty() ? std::string(r->Get(0, 1)) : title;
    auto v = conn.Exec(absl::StrCat("INSERT INTO quarantine.letter_template_versions "
                                    "(template_id, version, title, body, change_note, "
                                    "created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, ",
                                    MicrosParam(7), ")"),
                       {template_id, v_text, kept_title, body, change_note, by,
                        std::to_string(absl::ToUnixMicros(now))});
    return v.status();
  });
  if (!s.ok()) return s;
  absl::StatusOr<std::optional<LetterTemplateRow>> stored = GetTemplate(template_id, version);
  if (!stored.ok()) return stored.status();
  if (!*stored) return absl::InternalError("the template version vanished after it was written");
  return **std::move(stored);
}

absl::StatusOr<std::optional<LetterTemplateRow>> PgLetterStore::GetTemplate(
    const std::string& template_id, int version) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  auto r = conn->Exec(
      absl::StrCat("SELECT ", TemplateColumns(),
                   " FROM quarantine.letter_templates t "
                   "JOIN quarantine.letter_template_versions v ON v.template_id = t.template_id "
                   "AND v.version = CASE WHEN $2::int = 0 THEN t.latest_version ELSE $2::int END "
                   "WHERE t.template_id = $1"),
      {template_id, std::to_string(version)});
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return std::nullopt;
  return TemplateFrom(*r, 0);
}

absl::StatusOr<std::vector<LetterTemplateRow>> PgLetterStore::ListTemplates(
    const std::string& area_code, const std::optional<common::TimeIdPosition>& after, int limit) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  const std::string after_micros = after ? std::to_string(after->micros) : "";
  // Area codes hold only [a-z0-9.-], so the LIKE patterns need no escaping.
  auto r = conn->Exec(
      absl::StrCat("SELECT ", TemplateColumns(),
                   " FROM quarantine.letter_templates t "
                   "JOIN quarantine.letter_template_versions v ON v.template_id = t.template_id "
                   "AND v.version = t.latest_version "
                   "WHERE (t.area_code = $1 OR t.area_code LIKE $1 || '.%' "
                   "  OR $1 LIKE t.area_code || '.%') "
                   "AND ($2::int8 IS NULL OR (t.created_at, t.template_id) < (",
                   MicrosParam(2),
                   ", $3::uuid)) ORDER BY t.created_at DESC, t.template_id DESC LIMIT $4"),
      {area_code, after ? common::PgParam(after_micros) : common::PgParam(),
       after ? common::PgParam(after->id) : common::PgParam(), std::to_string(limit)});
  if (!r.ok()) return r.status();
  std::vector<LetterTemplateRow> rows;
  for (int i = 0; i < r->rows(); ++i) rows.push_back(TemplateFrom(*r, i));
  return rows;
}

absl::StatusOr<LetterSigningRow> PgLetterStore::InsertSigning(const LetterSigningRow& row,
                                                              absl::Time now) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  auto r = conn->Exec(
      absl::StrCat("INSERT INTO quarantine.letter_signings (household_id, area_code, order_id, "
                   "template_id, template_version, signer_name, signed_at, delivery, "
                   "third_party_name, recorded_by, recorded_at) VALUES ($1, $2, $3::uuid, $4, "
                   "$5, $6, ",
                   MicrosParam(7), ", $8, $9, $10, ", MicrosParam(11), ") RETURNING ",
                   SigningColumns()),
      {row.household_id, row.area_code,
       row.order_id.empty() ? common::PgParam() : common::PgParam(row.order_id), row.template_id,
       std::to_string(row.template_version), row.signer_name, std::to_string(row.signed_at_micros),
       std::to_string(row.delivery), row.third_party_name, row.recorded_by,
       std::to_string(absl::ToUnixMicros(now))});
  if (!r.ok()) return r.status();
  return SigningFrom(*r, 0);
}

absl::StatusOr<std::vector<LetterSigningRow>> PgLetterStore::ListSignings(
    const std::string& household_id, const std::optional<common::TimeIdPosition>& after,
    int limit) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  const std::string after_micros = after ? std::to_string(after->micros) : "";
  auto r =
      conn->Exec(absl::StrCat("SELECT ", SigningColumns(),
                              " FROM quarantine.letter_signings WHERE household_id = $1 "
                              "AND ($2::int8 IS NULL OR (signed_at, signing_id) < (",
                              MicrosParam(2),
                              ", $3::uuid)) ORDER BY signed_at DESC, signing_id DESC LIMIT $4"),
                 {household_id, after ? common::PgParam(after_micros) : common::PgParam(),
                  after ? common::PgParam(after->id) : common::PgParam(), std::to_string(limit)});
  if (!r.ok()) return r.status();
  std::vector<LetterSigningRow> rows;
  for (int i = 0; i < r->rows(); ++i) rows.push_back(SigningFrom(*r, i));
  return rows;
}

}  // namespace fangxian::quarantine
