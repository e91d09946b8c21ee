// Paging shared by every List/Search method: the page size rule, opaque page tokens and
// the "read one row more" slice. A token is the position after which the next page
// starts, base64url-encoded; only the exact form handed out is accepted back, so a
// token can carry nothing else into a query.
#ifndef FANGXIAN_COMMON_PAGING_H_
#define FANGXIAN_COMMON_PAGING_H_

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace fangxian::common {

// A page size of 0 is `default_size`; negative or over `max_size` is INVALID_ARGUMENT
// ("page_size must be from 1 to <max> (0 means <default>)").
absl::StatusOr<int> PageSize(int requested, int default_size, int max_size);

// The token of a page starting after `position`.
std::string EncodePageToken(absl::string_view position);

// The position in `token` ("" for an empty token: the first page); INVALID_ARGUMENT
// naming page_token when the token is not one EncodePageToken made or `valid` refuses
// the position it holds.
absl::StatusOr<std::string> DecodePageToken(absl::string_view token,
                                            bool (*valid)(absl::string_view position));

// The position in lists ordered by a time and then an id (alerts, inspections,
// passages): Unix microseconds and a lower-case UUID.
struct TimeIdPosition {
  int64_t micros = 0;
  std::string id;
};
std::string EncodeTimeIdPageToken(int64_t micros, absl::string_view id);
// std::nullopt for an empty token (the first page); INVALID_ARGUMENT as DecodePageToken.
absl::StatusOr<std::optional<TimeIdPosition>> DecodeTimeIdPageToken(absl::string_view token);

// Lists read one row more than the page (limit page_size + 1) to learn whether another
// page follows. Returns how many of `rows` belong to the page and, when more follow, sets
// `*next_page_token` to `token_of(last row of the page)`.
template <typename Row, typename TokenOf>
size_t TakePage(const std::vector<Row>& rows, int page_size, TokenOf token_of,
                std::string* next_page_token) {
  const size_t shown = std::min(rows.size(), static_cast<size_t>(page_size));
  if (rows.size() > shown) *next_page_token = token_of(rows[shown - 1]);
  return shown;
}

}  // namespace fangxian::common

#endif  // FANGXIAN_COMMON_PAGING_H_
