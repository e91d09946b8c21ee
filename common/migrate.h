// Numbered schema migrations, one PostgreSQL schema per service. Safe when several
// replicas start at once: the whole run holds a transaction-scoped advisory lock, and
// every migration commits with its version row or not at all.
#ifndef FANGXIAN_COMMON_MIGRATE_H_
#define FANGXIAN_COMMON_MIGRATE_H_

#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "common/pg.h"

#include "absl/strings/string_view.h"

namespace fangxian::common {

struct Migration {
  int version;             // from the file name, NNN_description.sql
  absl::string_view name;  // "001_init"
  absl::string_view sql;   // runs with search_path set to the service schema
};

// Brings `schema` up to the last migration. Versions must be strictly increasing; a
// version recorded in the database but unknown to this binary is FAILED_PRECONDITION
// (an older binary must not run against a newer schema).
absl::Status Migrate(PgPool& pool, absl::string_view schema,
                     const std::vector<Migration>& migrations);

}  // namespace fangxian::common

#endif  // FANGXIAN_COMMON_MIGRATE_H_
