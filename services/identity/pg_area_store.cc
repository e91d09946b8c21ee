#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/identity/area_store.h"

namespace fangxian::identity {
namespace {

constexpr char kColumns[] =
    "path, parent_path, code, name, level, created_by, "
    "(extract(epoch from created_at) * 1000000)::int8";

AreaRow RowFrom(const common::PgResult& r, int i) {
  AreaRow row;
  row.path = std::string(r.Get(i, 0));
  row.parent_path = std::string(r.Get(i, 1));
  row.code = std::string(r.Get(i, 2));
  row.name = std::string(r.Get(i, 3));
  (void)absl::SimpleAtoi(r.Get(i, 4), &row.level);
  row.created_by = std::string(r.Get(i, 5));
  (void)absl::SimpleAtoi(r.Get(i, 6), &row.created_at_micros);
  return row;
}

std::vector<AreaRow> RowsFrom(const common::PgResult& r) {
  std::vector<AreaRow> rows;
  rows.reserve(r.rows());
  for (int i = 0; i < r.rows(); ++i) rows.push_back(RowFrom(r, i));
  return rows;
}

// Area paths hold only [a-z0-9.-] (CHECK areas_path_format, RequireAreaPath), so the
// pattern has no LIKE wildcards of its own.
std::string SubtreePattern(const std::string& path) { return path + ".%"; }

absl::Status CodeTaken(absl::string_view parent_path, absl::string_view code) {
  return absl::AlreadyExistsError(
      absl::StrCat("\"", parent_path, "\" already has a child with code \"", code, "\""));
}

// The area at `path`, locked FOR SHARE so it cannot move before we commit.
absl::StatusOr<std::optional<AreaRow>> LockShared(common::PgConn& conn, const std::string& path) {
  auto r = conn.Exec(
      absl::StrCat("SELECT ", kColumns, " FROM identity.areas WHERE path = $1 FOR SHARE"), {path});
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return std::optional<AreaRow>();
  return std::optional<AreaRow>(RowFrom(*r, 0));
}

}  // namespace

absl::StatusOr<AreaRow> PgAreaStore::Insert(const AreaRow& row, const ParentCheck& check) {
  AreaRow stored;
  absl::Status st = pool_.Transaction([&](common::PgConn& conn) -> absl::Status {
    // The parent row lock makes a concurrent move of the parent wait for this insert (and
    // then carry the new area along), or this insert find the parent gone.
    auto parent = LockShared(conn, row.parent_path);
    if (!parent.ok()) return parent.status();
    if (absl::Status s = check(*parent); !s.ok()) return s;
    const std::string level = std::to_string(row.level);
    auto r = conn.Exec(absl::StrCat("INSERT INTO identity.areas (path, parent_path, code, name, "
                                    "level, created_by) VALUES ($1, $2, $3, $4, $5, $6) "
                                    "RETURNING ",
                                    kColumns),
                       {row.path, row.parent_path, row.code, row.name, level, row.created_by});
    if (!r.ok()) {
      return absl::IsAlreadyExists(r.status()) ? CodeTaken(row.parent_path, row.code) : r.status();
    }
    stored = RowFrom(*r, 0);
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return stored;
}

absl::StatusOr<AreaRow> PgAreaStore::Get(const std::string& path) {
  absl::StatusOr<std::vector<AreaRow>> rows = GetMany({path});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return absl::NotFoundError("no area with this path");
  return rows->front();
}

absl::StatusOr<std::vector<AreaRow>> PgAreaStore::GetMany(const std::vector<std::string>& paths) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  auto r = conn->Exec(absl::StrCat("SELECT ", kColumns,
                                   " FROM identity.areas WHERE path = ANY($1::text[]) "
                                   "ORDER BY length(path)"),
                      {common::PgTextArray(paths)});
  if (!r.ok()) return r.status();
  return RowsFrom(*r);
}

absl::StatusOr<AreaRow> PgAreaStore::Rename(const std::string& path, const std::string& name) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  auto r = conn->Exec(
      absl::StrCat("UPDATE identity.areas SET name = $2 WHERE path = $1 RETURNING ", kColumns),
      {path, name});
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return absl::NotFoundError("no area with this path");
  return RowFrom(*r, 0);
}

absl::StatusOr<std::vector<AreaRow>> PgAreaStore::ListChildren(
    const std::string& parent_path, const std::string& after_code, int limit,
    const std::optional<std::vector<std::string>>& only_codes) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  const std::string limit_text = std::to_string(limit);
  const std::string codes = only_codes ? common::PgTextArray(*only_codes) : std::string();
  auto r = conn->Exec(
      absl::StrCat("SELECT ", kColumns,
                   " FROM identity.areas WHERE parent_path = $1 AND code > $2 "
                   "AND ($4::text[] IS NULL OR code = ANY($4::text[])) ORDER BY code LIMIT $3"),
      {parent_path, after_code, limit_text,
       only_codes ? common::PgParam(codes) : common::PgParam(std::nullopt)});
  if (!r.ok()) return r.status();
  return RowsFrom(*r);
}

absl::StatusOr<AreaRow> PgAreaStore::Move(const std::string& path,
                                          const std::string& new_parent_path,
                                          const MoveCheck& check) {
  AreaRow moved;
  absl::Status st = pool_.Transaction([&](common::PgConn& conn) -> absl::Status {
    // Moves are rare admin work: taking them one at a time rules out interleavings of
    // overlapping moves.
    if (auto lock = conn.Exec("SELECT pg_advisory_xact_lock(hashtext('fangxian.identity.areas."
                              "move'))");
        !lock.ok()) {
      return lock.status();
    }
    // Lock the subtree: a create under it waits (it locks its parent FOR SHARE), then sees
    // the parent gone; one that got its lock first is carried along by the UPDATE below.
    const std::string pattern = SubtreePattern(path);
    auto subtree = conn.Exec(absl::StrCat("SELECT ", kColumns,
                                          " FROM identity.areas WHERE path = $1 OR path LIKE $2 "
                                          "ORDER BY path FOR UPDATE"),
                             {path, pattern});
    if (!subtree.ok()) return subtree.status();
    MovePlan plan;
    plan.new_parent_path = new_parent_path;
    bool found = false;
    for (const AreaRow& row : RowsFrom(*subtree)) {
      if (row.path == path) {
        plan.area = row;
        found = true;
      }
      plan.longest_path = std::max(plan.longest_path, static_cast<int64_t>(row.path.size()));
    }
    if (!found) return absl::NotFoundError("no area with this path");
    auto parent = LockShared(conn, new_parent_path);
    if (!parent.ok()) return parent.status();
    plan.new_parent = *parent;
    // No resident may be registered under the subtree between the count and the commit.
    if (auto lock = conn.Exec("LOCK TABLE identity.residents IN SHARE MODE"); !lock.ok()) {
      return lock.status();
    }
    auto residents = conn.Exec(
        "SELECT count(*) FROM identity.residents WHERE area_code = $1 OR area_code LIKE $2",
        {path, pattern});
    if (!residents.ok()) return residents.status();
    (void)absl::SimpleAtoi(residents->Get(0, 0), &plan.residents);
    // Staff accounts and grants name areas by path too; a move must not strand them.
    if (auto lock = conn.Exec("LOCK TABLE identity.staff_accounts, identity.staff_grants "
                              "IN SHARE MODE");
        !lock.ok()) {
      return lock.status();
    }
    auto staff = conn.Exec(
        "SELECT (SELECT count(*) FROM identity.staff_accounts "
        "        WHERE area_code = $1 OR area_code LIKE $2) + "
        "       (SELECT count(*) FROM identity.staff_grants "
        "        WHERE area_code = $1 OR area_code LIKE $2)",
        {path, pattern});
    if (!staff.ok()) return staff.status();
    (void)absl::SimpleAtoi(staff->Get(0, 0), &plan.staff);
    auto households = conn.Exec(
        "SELECT count(*) FROM identity.households WHERE area_code = $1 OR area_code LIKE $2",
        {path, pattern});
    if (!households.ok()) return households.status();
    (void)absl::SimpleAtoi(households->Get(0, 0), &plan.households);
    if (absl::Status s = check(plan); !s.ok()) return s;

    const std::string new_path = absl::StrCat(new_parent_path, ".", plan.area.code);
    auto update = conn.Exec(
        "UPDATE identity.areas SET path = $3::text || substr(path, length($1::text) + 1), "
        "parent_path = CASE WHEN path = $1 THEN $4::text "
        "ELSE $3::text || substr(parent_path, length($1::text) + 1) END "
        "WHERE path = $1 OR path LIKE $2",
        {path, pattern, new_path, new_parent_path});
    if (!update.ok()) {
      return absl::IsAlreadyExists(update.status()) ? CodeTaken(new_parent_path, plan.area.code)
                                                    : update.status();
    }
    auto row = conn.Exec(absl::StrCat("SELECT ", kColumns, " FROM identity.areas WHERE path = $1"),
                         {new_path});
    if (!row.ok()) return row.status();
    moved = RowFrom(*row, 0);
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return moved;
}

}  // namespace fangxian::identity
