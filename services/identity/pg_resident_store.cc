#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "services/identity/resident_store.h"
#include "services/identity/residents.h"

namespace fangxian::identity {
namespace {

constexpr char kColumns[] =
    "resident_id, name, id_number_sealed, id_number_hash, id_number_masked, phone, "
    "area_code, created_by, (extract(epoch from created_at) * 1000000)::int8, pass_version, "
    "(extract(epoch from moved_out_at) * 1000000)::int8, moved_out_reason, visitor";

ResidentRow RowFrom(const common::PgResult& r, int i) {
  ResidentRow row;
  row.resident_id = std::string(r.Get(i, 0));
  row.name = std::string(r.Get(i, 1));
  row.id_number_sealed = r.GetBytes(i, 2);
  row.id_number_hash = r.GetBytes(i, 3);
  row.id_number_masked = std::string(r.Get(i, 4));
  row.phone = std::string(r.Get(i, 5));
  row.area_code = std::string(r.Get(i, 6));
  row.created_by = std::string(r.Get(i, 7));
  (void)absl::SimpleAtoi(r.Get(i, 8), &row.created_at_micros);
  (void)absl::SimpleAtoi(r.Get(i, 9), &row.pass_version);
  if (!r.IsNull(i, 10)) (void)absl::SimpleAtoi(r.Get(i, 10), &row.moved_out_at_micros);
  row.moved_out_reason = std::string(r.Get(i, 11));
  row.visitor = r.Get(i, 12) == "t";
  return row;
}

}  // namespace

absl::StatusOr<ResidentRow> PgResidentStore::Insert(const ResidentRow& row, AuditEntry audit) {
  ResidentRow stored;
  absl::Status st = pool_.Transaction([&](common::PgConn& conn) -> absl::Status {
    auto r = conn.Exec(
        std::string("INSERT INTO identity.residents (name, id_number_sealed, id_number_hash, "
                    "id_number_masked, phone, area_code, created_by, visitor) "
                    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ") +
            kColumns,
        {row.name, common::PgBytea(row.id_number_sealed), common::PgBytea(row.id_number_hash),
         row.id_number_masked, row.phone, row.area_code, row.created_by,
         row.visitor ? "true" : "false"});
    if (!r.ok()) return r.status();
    stored = RowFrom(*r, 0);
    audit.subject_id = stored.resident_id;
    return AppendAudit(conn, audit);
  });
  if (absl::IsAlreadyExists(st)) {
    return absl::AlreadyExistsError("a person with this ID number is already registered");
  }
  if (!st.ok()) return st;
  return stored;
}

absl::StatusOr<std::pair<std::string, std::string>> PgResidentStore::FindHouseholdByCard(
    const std::string& card_number) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  auto r =
      conn->Exec("SELECT household_id, area_code FROM identity.households WHERE card_number = $1",
                 {card_number});
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return absl::NotFoundError("no household with this card number");
  return std::make_pair(std::string(r->Get(0, 0)), std::string(r->Get(0, 1)));
}

absl::StatusOr<std::vector<bool>> PgResidentStore::InsertBatch(
    const std::vector<ResidentRow>& rows, std::vector<AuditEntry> audits,
    const std::vector<std::string>& household_ids) {
  std::vector<bool> created(rows.size(), false);
  absl::Status st = pool_.Transaction([&](common::PgConn& conn) -> absl::Status {
    for (size_t i = 0; i < rows.size(); ++i) {
      const ResidentRow& row = rows[i];
      auto r = conn.Exec(
          "INSERT INTO identity.residents (name, id_number_sealed, id_number_hash, "
          "id_number_masked, phone, area_code, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7) "
          "ON CONFLICT ON CONSTRAINT residents_id_number_unique DO NOTHING RETURNING resident_id",
          {row.name, common::PgBytea(row.id_number_sealed), common::PgBytea(row.id_number_hash),
           row.id_number_masked, row.phone, row.area_code, row.created_by});
      if (!r.ok()) return r.status();
      if (r->rows() == 0) continue;  // already registered
      created[i] = true;
      audits[i].subject_id = std::string(r->Get(0, 0));
      if (auto a = AppendAudit(conn, audits[i]); !a.ok()) return a;
      if (i < household_ids.size() && !household_ids[i].empty()) {
        auto m = conn.Exec(
            "INSERT INTO identity.household_members (household_id, resident_id) VALUES ($1, $2)",
            {household_ids[i], audits[i].subject_id});
        if (!m.ok()) return m.status();
        AuditEntry joined = audits[i];
        joined.action = "household.member_add";
        joined.subject_type = "household";
        joined.subject_id = household_ids[i];
        joined.details =
            absl::StrCat("resident_id=", audits[i].subject_id, ", ", audits[i].details);
        if (auto a = AppendAudit(conn, joined); !a.ok()) return a;
      }
    }
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return created;
}

absl::Status PgResidentStore::RecordAccess(const AuditEntry& audit) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  return AppendAudit(*conn, audit);
}

absl::StatusOr<ResidentRow> PgResidentStore::Get(const std::string& resident_id) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  auto r = conn->Exec(
      std::string("SELECT ") + kColumns + " FROM identity.residents WHERE resident_id = $1",
      {resident_id});
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return ResidentNotFound();
  return RowFrom(*r, 0);
}

absl::StatusOr<ResidentRow> PgResidentStore::FindByIdHash(const std::string& id_number_hash) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  auto r = conn->Exec(
      std::string("SELECT ") + kColumns + " FROM identity.residents WHERE id_number_hash = $1",
      {common::PgBytea(id_number_hash)});
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return absl::NotFoundError("nobody is registered with this ID number");
  return RowFrom(*r, 0);
}

namespace {
// A resident row (kColumns) and its household's id and card number (NULL for none), for
// the condition `where` on identity.residents with one parameter.
std::string WithHouseholdSql(absl::string_view where) {
  return absl::StrCat(
      "SELECT ", kColumns,
      ", hh.household_id, hh.card_number FROM identity.residents "
      "LEFT JOIN LATERAL (SELECT h.household_id, h.card_number "
      "FROM identity.household_members m JOIN identity.households h "
      "ON h.household_id = m.household_id WHERE m.resident_id = residents.resident_id) hh "
      "ON true WHERE ",
      where);
}

absl::StatusOr<ResidentWithHousehold> ReadWithHousehold(common::PgPool& pool,
                                                        absl::string_view statement,
                                                        absl::string_view sql,
                                                        const std::string& param,
                                                        absl::Status not_found) {
  auto conn = pool.Acquire();
  if (!conn.ok()) return conn.status();
  auto r = conn->ExecPrepared(statement, sql, {param});
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return not_found;
  ResidentWithHousehold out;
  out.row = RowFrom(*r, 0);
  out.household_id = std::string(r->Get(0, 13));
  out.household_card_number = std::string(r->Get(0, 14));
  return out;
}
}  // namespace

absl::StatusOr<ResidentWithHousehold> PgResidentStore::GetWithHousehold(
    const std::string& resident_id) {
  static const std::string sql = WithHouseholdSql("resident_id = $1");
  return ReadWithHousehold(pool_, "resident_with_household", sql, resident_id, ResidentNotFound());
}

absl::StatusOr<ResidentWithHousehold> PgResidentStore::FindWithHouseholdByIdHash(
    const std::string& id_number_hash) {
  static const std::string sql = WithHouseholdSql("id_number_hash = $1");
  return ReadWithHousehold(pool_, "resident_with_household_by_id_hash", sql,
                           common::PgBytea(id_number_hash),
                           absl::NotFoundError("nobody is registered with this ID number"));
}

absl::StatusOr<ResidentRow> PgResidentStore::Modify(const std::string& resident_id,
                                                    const ResidentChange& change) {
  ResidentRow row;
  absl::Status st = pool_.Transaction([&](common::PgConn& conn) -> absl::Status {
    auto r = conn.Exec(std::string("SELECT ") + kColumns +
                           " FROM identity.residents WHERE resident_id = $1 FOR UPDATE",
                       {resident_id});
    if (!r.ok()) return r.status();
    if (r->rows() == 0) return ResidentNotFound();
    row = RowFrom(*r, 0);
    absl::StatusOr<std::vector<AuditEntry>> audit = change(row);
    if (!audit.ok()) return audit.status();
    if (audit->empty()) return absl::OkStatus();
    const std::string moved_out_at = absl::StrCat(row.moved_out_at_micros);
    const bool moved_out = row.moved_out_at_micros != 0;
    auto u = conn.Exec(
        std::string("UPDATE identity.residents SET name = $2, phone = $3, area_code = $4, "
                    "moved_out_at = to_timestamp($5::int8 / 1000000.0), moved_out_reason = $6 "
                    "WHERE resident_id = $1 RETURNING ") +
            kColumns,
        {resident_id, row.name, row.phone, row.area_code,
         moved_out ? common::PgParam(moved_out_at) : std::nullopt,
         moved_out ? common::PgParam(row.moved_out_reason) : std::nullopt});
    if (!u.ok()) return u.status();
    row = RowFrom(*u, 0);
    for (const AuditEntry& entry : *audit) {
      if (auto s = AppendAudit(conn, entry); !s.ok()) return s;
    }
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return row;
}

absl::StatusOr<std::vector<ResidentRow>> PgResidentStore::Search(const ResidentQuery& q) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  // The name prefix is matched literally: LIKE's wildcards and escape are escaped.
  const std::string name_pattern =
      q.name_prefix.empty()
          ? std::string()
          : absl::StrCat(
                absl::StrReplaceAll(q.name_prefix, {{"\\", "\\\\"}, {"%", "\\%"}, {"_", "\\_"}}),
                "%");
  auto r = conn->Exec(
      std::string("SELECT ") + kColumns +
          " FROM identity.residents "
          "WHERE (area_code = $1 OR area_code LIKE $1 || '.%') "
          "  AND ($2 = '' OR name LIKE $2) "
          "  AND ($3 = '' OR phone = $3) "
          "  AND ($4::bytea IS NULL OR id_number_hash = $4::bytea) "
          "  AND ($5 OR moved_out_at IS NULL) "
          "  AND ($6::text = '' OR resident_id > NULLIF($6::text, '')::uuid) "
          "ORDER BY resident_id LIMIT $7",
      {q.area_code, name_pattern, q.phone,
       q.id_number_hash.empty() ? std::nullopt : common::PgParam(common::PgBytea(q.id_number_hash)),
       q.include_moved_out ? "true" : "false", q.after_resident_id, absl::StrCat(q.limit)});
  if (!r.ok()) return r.status();
  std::vector<ResidentRow> out;
  for (int i = 0; i < r->rows(); ++i) out.push_back(RowFrom(*r, i));
  return out;
}

absl::StatusOr<uint32_t> PgResidentStore::BumpPassVersion(const std::string& resident_id,
                                                          const AuditEntry& audit) {
  uint32_t version = 0;
  absl::Status st = pool_.Transaction([&](common::PgConn& conn) -> absl::Status {
    auto r = conn.Exec(
        "UPDATE identity.residents SET pass_version = pass_version + 1 "
        "WHERE resident_id = $1 AND moved_out_at IS NULL RETURNING pass_version",
        {resident_id});
    if (!r.ok()) return r.status();
    // Absent or moved out (a move-out may have committed since the caller's read).
    if (r->rows() == 0) return ResidentMovedOut();
    (void)absl::SimpleAtoi(r->Get(0, 0), &version);
    return AppendAudit(conn, audit);
  });
  if (!st.ok()) return st;
  return version;
}

}  // namespace fangxian::identity
