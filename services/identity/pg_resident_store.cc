#include "absl/strings/numbers.h"
#include "services/identity/resident_store.h"
#include "services/identity/residents.h"

namespace fangxian::identity {
namespace {

constexpr char kColumns[] =
    "resident_id, name, id_number_sealed, id_number_hash, id_number_masked, phone, "
    "area_code, created_by, (extract(epoch from created_at) * 1000000)::int8, pass_version";

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
  return row;
}

}  // namespace

absl::StatusOr<ResidentRow> PgResidentStore::Insert(const ResidentRow& row, AuditEntry audit) {
  ResidentRow stored;
  absl::Status st = pool_.Transaction([&](common::PgConn& conn) -> absl::Status {
    auto r = conn.Exec(
        std::string("INSERT INTO identity.residents (name, id_number_sealed, id_number_hash, "
                    "id_number_masked, phone, area_code, created_by) "
                    "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ") +
            kColumns,
        {row.name, common::PgBytea(row.id_number_sealed), common::PgBytea(row.id_number_hash),
         row.id_number_masked, row.phone, row.area_code, row.created_by});
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

absl::StatusOr<uint32_t> PgResidentStore::BumpPassVersion(const std::string& resident_id,
                                                          const AuditEntry& audit) {
  uint32_t version = 0;
  absl::Status st = pool_.Transaction([&](common::PgConn& conn) -> absl::Status {
    auto r = conn.Exec(
        "UPDATE identity.residents SET pass_version = pass_version + 1 "
        "WHERE resident_id = $1 RETURNING pass_version",
        {resident_id});
    if (!r.ok()) return r.status();
    if (r->rows() == 0) return ResidentNotFound();
    (void)absl::SimpleAtoi(r->Get(0, 0), &version);
    return AppendAudit(conn, audit);
  });
  if (!st.ok()) return st;
  return version;
}

}  // namespace fangxian::identity
