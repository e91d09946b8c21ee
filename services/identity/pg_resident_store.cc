#include "absl/strings/numbers.h"
#include "services/identity/resident_store.h"
#include "services/identity/residents.h"

namespace fangxian::identity {
namespace {

constexpr char kColumns[] =
    "resident_id, name, id_number_sealed, id_number_hash, id_number_masked, phone, "
    "area_code, created_by, (extract(epoch from created_at) * 1000000)::int8";

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
  return row;
}

}  // namespace

absl::StatusOr<ResidentRow> PgResidentStore::Insert(const ResidentRow& row) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  auto r = conn->Exec(
      std::string("INSERT INTO identity.residents (name, id_number_sealed, id_number_hash, "
                  "id_number_masked, phone, area_code, created_by) "
                  "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ") +
          kColumns,
      {row.name, common::PgBytea(row.id_number_sealed), common::PgBytea(row.id_number_hash),
       row.id_number_masked, row.phone, row.area_code, row.created_by});
  if (!r.ok()) {
    if (absl::IsAlreadyExists(r.status())) {
      return absl::AlreadyExistsError("a person with this ID number is already registered");
    }
    return r.status();
  }
  return RowFrom(*r, 0);
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

}  // namespace fangxian::identity
