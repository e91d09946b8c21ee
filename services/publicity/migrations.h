// The publicity schema's migrations (migrations/*.sql, compiled in by CMake).
#ifndef FANGXIAN_SERVICES_PUBLICITY_MIGRATIONS_H_
#define FANGXIAN_SERVICES_PUBLICITY_MIGRATIONS_H_

#include <vector>

#include "common/migrate.h"

namespace fangxian::publicity {
const std::vector<common::Migration>& Migrations();
}  // namespace fangxian::publicity

#endif  // FANGXIAN_SERVICES_PUBLICITY_MIGRATIONS_H_
