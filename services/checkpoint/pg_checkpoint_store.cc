#include <algorithm>
#include <functional>
#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "services/checkpoint/checkpoint_store.h"

namespace fangxian::checkpoint {
namespace {

// Every column RowFrom reads, in order. The area codes come back comma-joined (the schema
// keeps ',' out of them), so one query reads a checkpoint with its areas.
constexpr char kColumns[] =
    "c.checkpoint_id, c.name, c.kind, c.location, c.open, c.created_by, "
    "(extract(epoch from c.created_at) * 1000000)::int8, c.closed_reason, "
    "(extract(epoch from c.updated_at) * 1000000)::int8, "
    "(SELECT string_agg(a.area_code, ',' ORDER BY a.area_code) "
    " FROM checkpoint.checkpoint_areas a WHERE a.checkpoint_id = c.checkpoint_id)";
constexpr int kColumnCount = 10;

CheckpointRow RowFrom(const common::PgResult& r, int i) {
  CheckpointRow row;
  row.checkpoint_id = std::string(r.Get(i, 0));
  row.name = std::string(r.Get(i, 1));
  (void)absl::SimpleAtoi(r.Get(i, 2), &row.kind);
  row.location = std::string(r.Get(i, 3));
  row.open = r.Get(i, 4) == "t";
  row.created_by = std::string(r.Get(i, 5));
  (void)absl::SimpleAtoi(r.Get(i, 6), &row.created_at_micros);
  row.closed_reason = std::string(r.Get(i, 7));
  (void)absl::SimpleAtoi(r.Get(i, 8), &row.updated_at_micros);
  if (!r.IsNull(i, 9)) row.area_codes = absl::StrSplit(r.Get(i, 9), ',', absl::SkipEmpty());
  return row;
}

// Fills the kits of `rows` (one query for all of them).
absl::Status ReadKits(common::PgConn& conn, std::vector<CheckpointRow>& rows) {
  if (rows.empty()) return absl::OkStatus();
  std::vector<std::string> ids;
  std::map<std::string, CheckpointRow*> by_id;
  for (CheckpointRow& row : rows) {
    ids.push_back(row.checkpoint_id);
    by_id[row.checkpoint_id] = &row;
  }
  auto r = conn.Exec(
      "SELECT checkpoint_id, item, state, note, "
      "(extract(epoch from checked_at) * 1000000)::int8, checked_by "
      "FROM checkpoint.kit_items WHERE checkpoint_id = ANY($1::uuid[]) "
      "ORDER BY checkpoint_id, item",
      {common::PgTextArray(ids)});
  if (!r.ok()) return r.status();
  for (int i = 0; i < r->rows(); ++i) {
    KitRow kit;
    (void)absl::SimpleAtoi(r->Get(i, 1), &kit.item);
    (void)absl::SimpleAtoi(r->Get(i, 2), &kit.state);
    kit.note = std::string(r->Get(i, 3));
    (void)absl::SimpleAtoi(r->Get(i, 4), &kit.checked_at_micros);
    kit.checked_by = std::string(r->Get(i, 5));
    auto it = by_id.find(std::string(r->Get(i, 0)));
    if (it != by_id.end()) it->second->kit.push_back(std::move(kit));
  }
  return absl::OkStatus();
}

absl::Status NoSuchCheckpoint() {
  return absl::NotFoundError("no checkpoint with this checkpoint_id");
}

// The whole checkpoint (work plan and kit included), on `conn`.
absl::StatusOr<CheckpointRow> Read(common::PgConn& conn, const std::string& checkpoint_id) {
  auto r = conn.Exec(std::string("SELECT ") + kColumns +
                         ", c.work_plan FROM checkpoint.checkpoints c WHERE c.checkpoint_id = $1",
                     {checkpoint_id});
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return NoSuchCheckpoint();
  std::vector<CheckpointRow> rows = {RowFrom(*r, 0)};
  rows[0].work_plan = std::string(r->Get(0, kColumnCount));
  if (auto s = ReadKits(conn, rows); !s.ok()) return s;
  return std::move(rows[0]);
}

// Runs `write` (which returns the id of the checkpoint it changed) and reads that
// checkpoint back, in one transaction: the answer is what was committed.
absl::StatusOr<CheckpointRow> WriteThenRead(
    common::PgPool& pool,
    const std::function<absl::StatusOr<std::string>(common::PgConn&)>& write) {
  CheckpointRow stored;
  absl::Status s = pool.Transaction([&](common::PgConn& conn) -> absl::Status {
    absl::StatusOr<std::string> id = write(conn);
    if (!id.ok()) return id.status();
    absl::StatusOr<CheckpointRow> read = Read(conn, *id);
    if (!read.ok()) return read.status();
    stored = *std::move(read);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return stored;
}

}  // namespace

absl::StatusOr<CheckpointRow> PgCheckpointStore::Insert(const CheckpointRow& row) {
  return WriteThenRead(pool_, [&](common::PgConn& conn) -> absl::StatusOr<std::string> {
    auto r = conn.Exec(
        "INSERT INTO checkpoint.checkpoints (name, kind, location, work_plan, created_by) "
        "VALUES ($1, $2, $3, $4, $5) RETURNING checkpoint_id",
        {row.name, std::to_string(row.kind), row.location, row.work_plan, row.created_by});
    if (!r.ok()) return r.status();
    const std::string id(r->Get(0, 0));
    auto areas = conn.Exec(
        "INSERT INTO checkpoint.checkpoint_areas (checkpoint_id, area_code) "
        "SELECT $1, unnest($2::text[])",
        {id, common::PgTextArray(row.area_codes)});
    if (!areas.ok()) return areas.status();
    return id;
  });
}

absl::StatusOr<CheckpointRow> PgCheckpointStore::Get(const std::string& checkpoint_id) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  return Read(*conn, checkpoint_id);
}

absl::StatusOr<std::vector<CheckpointRow>> PgCheckpointStore::List(const CheckpointQuery& query) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  // Area codes hold only [a-z0-9.-], so the LIKE pattern needs no escaping.
  auto r =
      conn->Exec(std::string("SELECT ") + kColumns +
                     " FROM checkpoint.checkpoints c "
                     "WHERE EXISTS (SELECT 1 FROM checkpoint.checkpoint_areas a "
                     "  WHERE a.checkpoint_id = c.checkpoint_id "
                     "  AND (a.area_code = $1 OR a.area_code LIKE $1 || '.%')) "
                     "AND ($2::bool OR c.open) "
                     "AND ($3::uuid IS NULL OR c.checkpoint_id > $3::uuid) "
                     "ORDER BY c.checkpoint_id LIMIT $4",
                 {query.area_code, query.include_closed ? "true" : "false",
                  query.after_checkpoint_id.empty() ? common::PgParam()
                                                    : common::PgParam(query.after_checkpoint_id),
                  std::to_string(query.limit)});
  if (!r.ok()) return r.status();
  std::vector<CheckpointRow> rows;
  rows.reserve(r->rows());
  for (int i = 0; i < r->rows(); ++i) rows.push_back(RowFrom(*r, i));
  if (auto s = ReadKits(*conn, rows); !s.ok()) return s;
  return rows;
}

absl::StatusOr<CheckpointRow> PgCheckpointStore::Update(const std::string& checkpoint_id,
                                                        const CheckpointChange& change) {
  auto param = [](const std::optional<std::string>& v) {
    return v ? common::PgParam(*v) : common::PgParam();
  };
  return WriteThenRead(pool_, [&](common::PgConn& conn) -> absl::StatusOr<std::string> {
    auto r = conn.Exec(
        "UPDATE checkpoint.checkpoints SET name = COALESCE($2, name), "
        "location = COALESCE($3, location), work_plan = COALESCE($4, work_plan), "
        "updated_at = now() WHERE checkpoint_id = $1",
        {checkpoint_id, param(change.name), param(change.location), param(change.work_plan)});
    if (!r.ok()) return r.status();
    if (r->affected() == 0) return NoSuchCheckpoint();
    return checkpoint_id;
  });
}

absl::StatusOr<CheckpointRow> PgCheckpointStore::SetOpen(const std::string& checkpoint_id,
                                                         bool open,
                                                         const std::string& closed_reason) {
  return WriteThenRead(pool_, [&](common::PgConn& conn) -> absl::StatusOr<std::string> {
    auto r = conn.Exec(
        "UPDATE checkpoint.checkpoints SET open = $2, closed_reason = $3, updated_at = now() "
        "WHERE checkpoint_id = $1 AND open <> $2",
        {checkpoint_id, open ? "true" : "false", closed_reason});
    if (!r.ok()) return r.status();
    return checkpoint_id;
  });
}

absl::StatusOr<CheckpointRow> PgCheckpointStore::CheckKitItem(const std::string& checkpoint_id,
                                                              const KitRow& kit) {
  return WriteThenRead(pool_, [&](common::PgConn& conn) -> absl::StatusOr<std::string> {
    // Lock the checkpoint first, so a missing one is NOT_FOUND rather than a foreign-key
    // failure.
    auto exists = conn.Exec(
        "SELECT 1 FROM checkpoint.checkpoints WHERE checkpoint_id = $1 FOR SHARE", {checkpoint_id});
    if (!exists.ok()) return exists.status();
    if (exists->rows() == 0) return NoSuchCheckpoint();
    auto r = conn.Exec(
        "INSERT INTO checkpoint.kit_items (checkpoint_id, item, state, note, checked_by) "
        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (checkpoint_id, item) DO UPDATE SET "
        "state = EXCLUDED.state, note = EXCLUDED.note, checked_at = now(), "
        "checked_by = EXCLUDED.checked_by",
        {checkpoint_id, std::to_string(kit.item), std::to_string(kit.state), kit.note,
         kit.checked_by});
    if (!r.ok()) return r.status();
    return checkpoint_id;
  });
}

}  // namespace fangxian::checkpoint
