// The quarantine schema's migrations (migrations/*.sql, compiled in by CMake).
#ifndef FANGXIAN_SERVICES_QUARANTINE_MIGRATIONS_H_
#define FANGXIAN_SERVICES_QUARANTINE_MIGRATIONS_H_

#include <vector>

#include "common/migrate.h"

namespace fangxian::quarantine {
const std::vector<common::Migration>& Migrations();
}  // namespace fangxian::quarantine

#endif  // FANGXIAN_SERVICES_QUARANTINE_MIGRATIONS_H_
