// Times between the checkpoint stores and PostgreSQL as Unix microseconds, exactly: a
// float8 of seconds would round, and page positions compare times to the microsecond.
#ifndef FANGXIAN_SERVICES_CHECKPOINT_PG_TIME_H_
#define FANGXIAN_SERVICES_CHECKPOINT_PG_TIME_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/pg.h"

namespace fangxian::checkpoint {

// SQL for the timestamptz of parameter $n, which holds Unix microseconds (an int8).
inline std::string TimestampFromMicrosParam(int n) {
  return absl::StrCat("('epoch'::timestamptz + $", n, "::int8 * interval '1 microsecond')");
}

// A column selected as (extract(epoch from t) * 1000000)::int8; std::nullopt for NULL.
inline std::optional<int64_t> OptionalMicros(const common::PgResult& r, int row, int col) {
  if (r.IsNull(row, col)) return std::nullopt;
  int64_t micros = 0;
  (void)absl::SimpleAtoi(r.Get(row, col), &micros);
  return micros;
}

}  // namespace fangxian::checkpoint

#endif  // FANGXIAN_SERVICES_CHECKPOINT_PG_TIME_H_
