// The checkpoint schema's migrations (migrations/*.sql, compiled in by CMake).
#ifndef FANGXIAN_SERVICES_CHECKPOINT_MIGRATIONS_H_
#define FANGXIAN_SERVICES_CHECKPOINT_MIGRATIONS_H_

#include <vector>

#include "common/migrate.h"

namespace fangxian::checkpoint {
const std::vector<common::Migration>& Migrations();
}  // namespace fangxian::checkpoint

#endif  // FANGXIAN_SERVICES_CHECKPOINT_MIGRATIONS_H_
