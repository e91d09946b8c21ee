#include "common/migrate.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/log.h"

namespace fangxian::common {
namespace {

bool IsPlainIdentifier(absl::string_view s) {
  if (s.empty() || s.size() > 63 || !absl::ascii_islower(s[0])) return false;
  for (char c : s) {
    if (!(absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '_')) return false;
  }
  return true;
}

}  // namespace

absl::Status Migrate(PgPool& pool, absl::string_view schema,
                     const std::vector<Migration>& migrations) {
  // The schema name is interpolated into SQL, so only plain identifiers are accepted.
  if (!IsPlainIdentifier(schema)) {
    return absl::InvalidArgumentError(absl::StrCat("bad schema name \"", schema, "\""));
  }
  for (size_t i = 1; i < migrations.size(); ++i) {
    if (migrations[i].version <= migrations[i - 1].version) {
      return absl::InvalidArgumentError("migration versions must increase strictly");
    }
  }
  const std::string s(schema);
  return pool.Transaction([&](PgConn& conn) -> absl::Status {
    // Serialises concurrent starters of the same service; released at COMMIT/ROLLBACK.
    auto lock = conn.Exec("SELECT pg_advisory_xact_lock(hashtext($1))",
                          {absl::StrCat("fangxian.migrate.", s)});
    if (!lock.ok()) return lock.status();
    absl::Status st = conn.ExecScript(
        absl::StrCat("CREATE SCHEMA IF NOT EXISTS ", s, ";", "CREATE TABLE IF NOT EXISTS ", s,
                     ".schema_migrations ("
                     " version integer PRIMARY KEY,"
                     " name text NOT NULL,"
                     " applied_at timestamptz NOT NULL DEFAULT now());",
                     "SET LOCAL search_path TO ", s, ", public;",
                     // A migration may take long (an index on a big table): the pool's
                     // per-statement timeout does not apply. Waiting for a lock does not
                     // last, though: it would queue every query on that table behind it;
                     // the migration fails instead and is retried by the readiness loop.
                     "SET LOCAL statement_timeout = 0;", "SET LOCAL lock_timeout = '10s';"));
    if (!st.ok()) return st;
    auto applied = conn.Exec(absl::StrCat("SELECT version FROM ", s, ".schema_migrations"));
    if (!applied.ok()) return applied.status();
    std::set<int> done;
    for (int r = 0; r < applied->rows(); ++r) {
      int v = 0;
      if (absl::SimpleAtoi(applied->Get(r, 0), &v)) done.insert(v);
    }
    const int newest_known = migrations.empty() ? 0 : migrations.back().version;
    if (!done.empty() && *done.rbegin() > newest_known) {
      // A rollback, or an older replica during a rolling update. Migrations only add
      // (docs/deploy.md), so a binary runs on a newer schema that has everything it
      // knows; one that misses a migration of its own would apply it out of order.
      for (const Migration& m : migrations) {
        if (done.count(m.version) == 0) {
          return absl::FailedPreconditionError(
              absl::StrCat("schema ", s, " is at version ", *done.rbegin(),
                           ", newer than this binary (", newest_known, "), but lacks ", m.name));
        }
      }
      LogWarning("schema newer than this binary; running on it",
                 {{"schema", s}, {"version", *done.rbegin()}, {"binary_version", newest_known}});
      return absl::OkStatus();
    }
    for (const Migration& m : migrations) {
      if (done.count(m.version)) continue;
      if (absl::Status ms = conn.ExecScript(m.sql); !ms.ok()) {
        return absl::Status(ms.code(), absl::StrCat("migration ", m.name, ": ", ms.message()));
      }
      auto rec = conn.Exec(
          absl::StrCat("INSERT INTO ", s, ".schema_migrations (version, name) VALUES ($1, $2)"),
          {std::to_string(m.version), m.name});
      if (!rec.ok()) return rec.status();
      LogInfo("applied migration", {{"schema", s}, {"migration", m.name}});
    }
    return absl::OkStatus();
  });
}

}  // namespace fangxian::common
