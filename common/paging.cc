#include "common/paging.h"

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/validate.h"

namespace fangxian::common {
namespace {

std::optional<TimeIdPosition> ParseTimeId(absl::string_view text) {
  const size_t slash = text.find('/');
  TimeIdPosition out;
  if (slash == absl::string_view::npos || !absl::SimpleAtoi(text.substr(0, slash), &out.micros) ||
      !IsUuid(text.substr(slash + 1))) {
    return std::nullopt;
  }
  out.id = std::string(text.substr(slash + 1));
  return out;
}

bool IsTimeId(absl::string_view text) { return ParseTimeId(text).has_value(); }

}  // namespace

absl::StatusOr<int> PageSize(int requested, int default_size, int max_size) {
  if (requested == 0) return default_size;
  if (requested < 0 || requested > max_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size must be from 1 to ", max_size, " (0 means ", default_size, ")"));
  }
  return requested;
}

std::string EncodePageToken(absl::string_view position) {
  return absl::WebSafeBase64Escape(position);
}

absl::StatusOr<std::string> DecodePageToken(absl::string_view token,
                                            bool (*valid)(absl::string_view position)) {
  if (token.empty()) return std::string();
  std::string position;
  if (!absl::WebSafeBase64Unescape(token, &position) || !valid(position) ||
      EncodePageToken(position) != token) {
    return absl::InvalidArgumentError(
        "page_token is not one this service returned; pass the next_page_token of the previous "
        "page with the same filters, or nothing");
  }
  return position;
}

std::string EncodeTimeIdPageToken(int64_t micros, absl::string_view id) {
  return EncodePageToken(absl::StrCat(micros, "/", id));
}

absl::StatusOr<std::optional<TimeIdPosition>> DecodeTimeIdPageToken(absl::string_view token) {
  absl::StatusOr<std::string> position = DecodePageToken(token, IsTimeId);
  if (!position.ok()) return position.status();
  if (position->empty()) return std::optional<TimeIdPosition>();
  return ParseTimeId(*position);
}

}  // namespace fangxian::common
