// The identity schema's migrations (migrations/*.sql, compiled in by CMake).
#ifndef FANGXIAN_SERVICES_IDENTITY_MIGRATIONS_H_
#define FANGXIAN_SERVICES_IDENTITY_MIGRATIONS_H_

#include <vector>

#include "common/migrate.h"

namespace fangxian::identity {
const std::vector<common::Migration>& Migrations();
}  // namespace fangxian::identity

#endif  // FANGXIAN_SERVICES_IDENTITY_MIGRATIONS_H_
