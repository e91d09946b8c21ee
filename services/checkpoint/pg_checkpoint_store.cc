#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "services/checkpoint/checkpoint_store.h"

namespace fangxian::checkpoint {
namespace {

constexpr char kColumns[] =
    "c.checkpoint_id, c.name, c.kind, c.location, c.open, c.created_by, "
    "(extract(epoch from c.created_at) * 1000000)::int8";

// Fills every column of kColumns; area codes are read separately.
CheckpointRow RowFrom(const common::PgResult& r, int i) {
  CheckpointRow row;
  row.checkpoint_id = std::string(r.Get(i, 0));
  row.name = std::string(r.Get(i, 1));
  (void)absl::SimpleAtoi(r.Get(i, 2), &row.kind);
  row.location = std::string(r.Get(i, 3));
  row.open = r.Get(i, 4) == "t";
  row.created_by = std::string(r.Get(i, 5));
  (void)absl::SimpleAtoi(r.Get(i, 6), &row.created_at_micros);
  return row;
}

}  // namespace

absl::StatusOr<CheckpointRow> PgCheckpointStore::Insert(const CheckpointRow& row) {
  CheckpointRow stored;
  absl::Status s = pool_.Transaction([&](common::PgConn& conn) -> absl::Status {
    auto r = conn.Exec(std::string("INSERT INTO checkpoint.checkpoints AS c "
                                   "(name, kind, location, created_by) "
                                   "VALUES ($1, $2, $3, $4) RETURNING ") +
                           kColumns,
                       {row.name, std::to_string(row.kind), row.location, row.created_by});
    if (!r.ok()) return r.status();
    stored = RowFrom(*r, 0);
    return conn
        .Exec(
            "INSERT INTO checkpoint.checkpoint_areas (checkpoint_id, area_code) "
            "SELECT $1, unnest($2::text[])",
            {stored.checkpoint_id, common::PgTextArray(row.area_codes)})
        .status();
  });
  if (!s.ok()) return s;
  stored.area_codes = row.area_codes;
  std::sort(stored.area_codes.begin(), stored.area_codes.end());
  return stored;
}

absl::StatusOr<CheckpointRow> PgCheckpointStore::Get(const std::string& checkpoint_id) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  // One round trip: the area codes come back comma-joined (the schema keeps ',' out of
  // them).
  auto r = conn->Exec(std::string("SELECT ") + kColumns +
                          ", (SELECT string_agg(a.area_code, ',' ORDER BY a.area_code) "
                          "FROM checkpoint.checkpoint_areas a "
                          "WHERE a.checkpoint_id = c.checkpoint_id) "
                          "FROM checkpoint.checkpoints c WHERE c.checkpoint_id = $1",
                      {checkpoint_id});
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return absl::NotFoundError("no checkpoint with this checkpoint_id");
  CheckpointRow row = RowFrom(*r, 0);
  if (!r->IsNull(0, 7)) {
    row.area_codes = absl::StrSplit(r->Get(0, 7), ',', absl::SkipEmpty());
  }
  return row;
}

}  // namespace fangxian::checkpoint
