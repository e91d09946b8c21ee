#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/identity/staff_store.h"

namespace fangxian::identity {
namespace {

constexpr char kAccountColumns[] =
    "account_id, username, display_name, kind, area_code, password_hash, disabled, "
    "coalesce(extract(epoch from locked_until)::int8, 0), "
    "(extract(epoch from created_at) * 1000000)::int8, created_by, "
    "coalesce(resident_id::text, '')";

std::string Seconds(absl::Time t) { return std::to_string(absl::ToUnixSeconds(t)); }

StaffRow AccountFrom(const common::PgResult& r, int i) {
  StaffRow row;
  row.account_id = std::string(r.Get(i, 0));
  row.username = std::string(r.Get(i, 1));
  row.display_name = std::string(r.Get(i, 2));
  (void)absl::SimpleAtoi(r.Get(i, 3), &row.kind);
  row.area_code = std::string(r.Get(i, 4));
  row.password_hash = std::string(r.Get(i, 5));
  row.disabled = r.Get(i, 6) == "t";
  int64_t locked = 0;
  (void)absl::SimpleAtoi(r.Get(i, 7), &locked);
  row.locked_until = locked == 0 ? absl::InfinitePast() : absl::FromUnixSeconds(locked);
  (void)absl::SimpleAtoi(r.Get(i, 8), &row.created_at_micros);
  row.created_by = std::string(r.Get(i, 9));
  row.resident_id = std::string(r.Get(i, 10));
  return row;
}

absl::StatusOr<std::vector<std::string>> Ids(absl::StatusOr<common::PgResult> r) {
  if (!r.ok()) return r.status();
  std::vector<std::string> ids;
  for (int i = 0; i < r->rows(); ++i) ids.emplace_back(r->Get(i, 0));
  return ids;
}

}  // namespace

absl::StatusOr<StaffRow> PgStaffStore::Insert(const StaffRow& row, AuditEntry audit) {
  StaffRow stored;
  absl::Status st = pool_.Transaction([&](common::PgConn& conn) -> absl::Status {
    auto r =
        conn.Exec(absl::StrCat("INSERT INTO identity.staff_accounts (username, display_name, "
                               "kind, area_code, password_hash, created_by, resident_id) "
                               "VALUES ($1, $2, $3, $4, $5, $6, $7::uuid) RETURNING ",
                               kAccountColumns),
                  {row.username, row.display_name, std::to_string(row.kind), row.area_code,
                   row.password_hash, row.created_by,
                   row.resident_id.empty() ? common::PgParam() : common::PgParam(row.resident_id)});
    if (!r.ok()) return r.status();
    stored = AccountFrom(*r, 0);
    audit.subject_id = stored.account_id;
    return AppendAudit(conn, audit);
  });
  if (absl::IsAlreadyExists(st)) {
    return absl::AlreadyExistsError(absl::StrContains(st.message(), "one_per_resident")
                                        ? "this resident already has an account"
                                        : "this username is taken");
  }
  if (!st.ok()) return st;
  return stored;
}

absl::StatusOr<StaffRow> PgStaffStore::Find(const std::string& where_column,
                                            const std::string& value) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  // where_column is one of two literals chosen by our own callers, never input.
  auto r = conn->Exec(absl::StrCat("SELECT ", kAccountColumns,
                                   " FROM identity.staff_accounts WHERE ", where_column, " = $1"),
                      {value});
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return absl::NotFoundError("no such staff account");
  StaffRow row = AccountFrom(*r, 0);
  auto g = conn->Exec(
      "SELECT role, area_code FROM identity.staff_grants WHERE account_id = $1 "
      "ORDER BY role, area_code",
      {row.account_id});
  if (!g.ok()) return g.status();
  for (int i = 0; i < g->rows(); ++i) {
    row.grants.push_back(GrantRow{std::string(g->Get(i, 0)), std::string(g->Get(i, 1))});
  }
  return row;
}

absl::StatusOr<StaffRow> PgStaffStore::Get(const std::string& account_id) {
  return Find("account_id", account_id);
}

absl::StatusOr<StaffRow> PgStaffStore::FindByUsername(const std::string& username) {
  return Find("username", username);
}

absl::StatusOr<int64_t> PgStaffStore::CountAccounts() {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  auto r = conn->Exec("SELECT count(*) FROM identity.staff_accounts");
  if (!r.ok()) return r.status();
  int64_t n = 0;
  (void)absl::SimpleAtoi(r->Get(0, 0), &n);
  return n;
}

absl::Status PgStaffStore::SetDisabled(const std::string& account_id, bool disabled,
                                       const AuditEntry& audit) {
  return pool_.Transaction([&](common::PgConn& conn) -> absl::Status {
    auto r = conn.Exec("UPDATE identity.staff_accounts SET disabled = $2 WHERE account_id = $1",
                       {account_id, disabled ? "true" : "false"});
    if (!r.ok()) return r.status();
    if (r->affected() != 1) return absl::NotFoundError("no such staff account");
    return AppendAudit(conn, audit);
  });
}

absl::Status PgStaffStore::AddGrant(const std::string& account_id, const GrantRow& grant,
                                    const AuditEntry& audit) {
  absl::Status st = pool_.Transaction([&](common::PgConn& conn) -> absl::Status {
    auto r = conn.Exec(
        "INSERT INTO identity.staff_grants (account_id, role, area_code, granted_by) "
        "VALUES ($1, $2, $3, $4)",
        {account_id, grant.role, grant.area_code, audit.actor});
    if (!r.ok()) return r.status();
    return AppendAudit(conn, audit);
  });
  if (absl::IsAlreadyExists(st))
    return absl::AlreadyExistsError("the account already has this grant");
  return st;
}

absl::Status PgStaffStore::RemoveGrant(const std::string& account_id, const GrantRow& grant,
                                       const AuditEntry& audit) {
  return pool_.Transaction([&](common::PgConn& conn) -> absl::Status {
    auto r = conn.Exec(
        "DELETE FROM identity.staff_grants WHERE account_id = $1 AND role = $2 AND area_code = $3",
        {account_id, grant.role, grant.area_code});
    if (!r.ok()) return r.status();
    if (r->affected() != 1) return absl::NotFoundError("the account has no such grant");
    return AppendAudit(conn, audit);
  });
}

absl::Status PgStaffStore::RecordLoginFailure(const std::string& account_id, int max_failures,
                                              absl::Duration lock_for) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  return conn
      ->Exec(
          "UPDATE identity.staff_accounts SET "
          "  locked_until = CASE WHEN failed_logins + 1 >= $2 "
          "    THEN now() + make_interval(secs => $3) ELSE locked_until END, "
          "  failed_logins = CASE WHEN failed_logins + 1 >= $2 THEN 0 ELSE failed_logins + 1 END "
          "WHERE account_id = $1",
          {account_id, std::to_string(max_failures),
           std::to_string(absl::ToInt64Seconds(lock_for))})
      .status();
}

absl::Status PgStaffStore::ResetLoginFailures(const std::string& account_id) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  return conn
      ->Exec(
          "UPDATE identity.staff_accounts SET failed_logins = 0, locked_until = NULL "
          "WHERE account_id = $1 AND (failed_logins <> 0 OR locked_until IS NOT NULL)",
          {account_id})
      .status();
}

absl::StatusOr<std::string> PgStaffStore::CreateSession(const std::string& account_id,
                                                        const std::string& refresh_hash,
                                                        absl::Time expires_at) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  auto r = conn->Exec(
      "INSERT INTO identity.sessions (account_id, refresh_hash, expires_at) "
      "VALUES ($1, $2, to_timestamp($3)) RETURNING session_id",
      {account_id, common::PgBytea(refresh_hash), Seconds(expires_at)});
  if (!r.ok()) return r.status();
  return std::string(r->Get(0, 0));
}

absl::StatusOr<SessionRow> PgStaffStore::GetSession(const std::string& session_id) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  auto r = conn->Exec(
      "SELECT session_id, account_id, refresh_hash, extract(epoch from expires_at)::int8, "
      "ended_at IS NOT NULL FROM identity.sessions WHERE session_id = $1",
      {session_id});
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return absl::NotFoundError("no such session");
  SessionRow row;
  row.session_id = std::string(r->Get(0, 0));
  row.account_id = std::string(r->Get(0, 1));
  row.refresh_hash = r->GetBytes(0, 2);
  int64_t expires = 0;
  (void)absl::SimpleAtoi(r->Get(0, 3), &expires);
  row.expires_at = absl::FromUnixSeconds(expires);
  row.ended = r->Get(0, 4) == "t";
  return row;
}

absl::StatusOr<bool> PgStaffStore::RotateRefresh(const std::string& session_id,
                                                 const std::string& old_hash,
                                                 const std::string& new_hash,
                                                 absl::Time expires_at) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  auto r = conn->Exec(
      "UPDATE identity.sessions SET refresh_hash = $3, refreshed_at = now(), "
      "expires_at = to_timestamp($4) "
      "WHERE session_id = $1 AND refresh_hash = $2 AND ended_at IS NULL AND expires_at > now()",
      {session_id, common::PgBytea(old_hash), common::PgBytea(new_hash), Seconds(expires_at)});
  if (!r.ok()) return r.status();
  return r->affected() == 1;
}

absl::StatusOr<std::vector<std::string>> PgStaffStore::EndSession(const std::string& session_id,
                                                                  const std::string& reason) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  return Ids(
      conn->Exec("UPDATE identity.sessions SET ended_at = now(), end_reason = $2 "
                 "WHERE session_id = $1 AND ended_at IS NULL RETURNING session_id",
                 {session_id, reason}));
}

absl::StatusOr<std::vector<std::string>> PgStaffStore::EndAllSessions(const std::string& account_id,
                                                                      const std::string& reason) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  return Ids(
      conn->Exec("UPDATE identity.sessions SET ended_at = now(), end_reason = $2 "
                 "WHERE account_id = $1 AND ended_at IS NULL RETURNING session_id",
                 {account_id, reason}));
}

}  // namespace fangxian::identity
