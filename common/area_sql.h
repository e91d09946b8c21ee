// SQL fragments for "an area and everything below it" and "which child area a row counts
// under", for grouped (statistics) queries over dotted area paths. The area is always a
// parameter ($N); area paths hold only [a-z0-9.-], so LIKE needs no escaping, and a
// text_pattern_ops index on the column serves the prefix.
#ifndef FANGXIAN_COMMON_AREA_SQL_H_
#define FANGXIAN_COMMON_AREA_SQL_H_

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace fangxian::common {

// True for rows whose `column` is the area in parameter `param` ("$1") or below it.
inline std::string AreaAtOrBelowSql(absl::string_view column, absl::string_view param) {
  return absl::StrCat("(", column, " = ", param, " OR ", column, " LIKE ", param, " || '.%')");
}

// The child of the area in `param` that `column` (at or below it) lies in: the area plus
// one more segment, or the area itself for rows placed directly in it.
inline std::string ChildAreaSql(absl::string_view column, absl::string_view param) {
  return absl::StrCat("CASE WHEN ", column, " = ", param, " THEN ", param, " ELSE ", param,
                      " || '.' || split_part(substr(", column, ", length(", param,
                      ") + 2), '.', 1) END");
}

}  // namespace fangxian::common

#endif  // FANGXIAN_COMMON_AREA_SQL_H_
