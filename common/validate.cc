#include "common/validate.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/auth.h"
#include "common/json.h"
#include "google/protobuf/util/time_util.h"

namespace fangxian::common {

bool IsUuid(absl::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!(absl::ascii_isdigit(c) || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

absl::Status RequireUuid(absl::string_view field, absl::string_view value) {
  if (IsUuid(value)) return absl::OkStatus();
  if (value.empty()) return absl::InvalidArgumentError(absl::StrCat(field, " is required"));
  return absl::InvalidArgumentError(
      absl::StrCat(field, " must be a lower-case UUID (8-4-4-4-12 hex digits)"));
}

absl::TimeZone ChinaTimeZone() { return absl::FixedTimeZone(8 * 60 * 60); }

bool IsValidTimestamp(const google::protobuf::Timestamp& ts) {
  using google::protobuf::util::TimeUtil;
  return ts.seconds() >= TimeUtil::kTimestampMinSeconds &&
         ts.seconds() <= TimeUtil::kTimestampMaxSeconds && ts.nanos() >= 0 &&
         ts.nanos() <= 999999999;
}

absl::StatusOr<absl::Time> RequireTimestamp(absl::string_view field,
                                            const google::protobuf::Timestamp& ts) {
  if (!IsValidTimestamp(ts)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field,
                     " is not a valid timestamp: give a time from 0001-01-01 to 9999-12-31 UTC "
                     "with nanos from 0 to 999999999"));
  }
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

absl::CivilDay ChinaToday(absl::Time now) { return absl::ToCivilDay(now, ChinaTimeZone()); }

absl::Time ChinaDayStart(absl::CivilDay day) {
  return absl::FromCivil(absl::CivilSecond(day), ChinaTimeZone());
}

bool ParseIsoDate(absl::string_view s, absl::CivilDay* day) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i != 4 && i != 7 && !absl::ascii_isdigit(s[i])) return false;
  }
  return absl::ParseCivilTime(s, day) && absl::FormatCivilTime(*day) == s;
}

absl::Status ParseDayRange(absl::string_view from_field, absl::string_view from,
                           absl::string_view to_field, absl::string_view to, int max_days,
                           absl::CivilDay* from_day, absl::CivilDay* to_day) {
  absl::CivilDay first;
  absl::CivilDay last;
  if (!ParseIsoDate(from, &first)) {
    return absl::InvalidArgumentError(
        absl::StrCat(from_field, " must be a real day written YYYY-MM-DD"));
  }
  if (!ParseIsoDate(to, &last)) {
    return absl::InvalidArgumentError(
        absl::StrCat(to_field, " must be a real day written YYYY-MM-DD"));
  }
  if (last < first) {
    return absl::InvalidArgumentError(absl::StrCat(to_field, " must not be before ", from_field));
  }
  if (last - first >= max_days) {
    return absl::InvalidArgumentError(absl::StrCat(from_field, "..", to_field, " spans more than ",
                                                   max_days, " days; ask for a shorter period"));
  }
  *from_day = first;
  *to_day = last;
  return absl::OkStatus();
}

int64_t Utf8Length(absl::string_view s) {
  int64_t n = 0;
  for (size_t i = 0; i < s.size(); ++n) {
    const size_t len = Utf8SequenceLength(s, i);
    if (len == 0) return -1;
    i += len;
  }
  return n;
}

namespace {

// RequireText and RequireMultilineText: the same checks, with or without \t, \n and \r.
absl::Status CheckText(absl::string_view field, absl::string_view value, size_t max_chars,
                       bool required, bool multiline) {
  if (value.empty()) {
    return required ? absl::InvalidArgumentError(absl::StrCat(field, " is required"))
                    : absl::OkStatus();
  }
  const int64_t len = Utf8Length(value);
  if (len < 0) return absl::InvalidArgumentError(absl::StrCat(field, " is not valid UTF-8"));
  if (static_cast<size_t>(len) > max_chars) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " is too long (at most ", max_chars, " characters)"));
  }
  for (unsigned char c : value) {
    const bool line_layout = c == '\t' || c == '\n' || c == '\r';
    if ((c < 0x20 && !(multiline && line_layout)) || c == 0x7F) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, " must not contain control characters",
                       multiline ? " other than tabs and line breaks" : ""));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status RequireText(absl::string_view field, absl::string_view value, size_t max_chars,
                         bool required) {
  return CheckText(field, value, max_chars, required, /*multiline=*/false);
}

absl::Status RequireMultilineText(absl::string_view field, absl::string_view value,
                                  size_t max_chars, bool required) {
  return CheckText(field, value, max_chars, required, /*multiline=*/true);
}

absl::Status RequireAreaPath(absl::string_view field, absl::string_view value) {
  if (value.empty()) return absl::InvalidArgumentError(absl::StrCat(field, " is required"));
  if (!IsValidAreaPath(value)) {
    return absl::InvalidArgumentError(absl::StrCat(
        field,
        " must be a dotted path of lower-case area codes like \"gongyi.dufulu.longhai\""
        " (segments of a-z, 0-9 and '-', at most 128 characters)"));
  }
  return absl::OkStatus();
}

absl::Status RequireAreaPaths(absl::string_view field,
                              const google::protobuf::RepeatedPtrField<std::string>& values,
                              size_t max_count) {
  if (values.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field, " needs at least one area"));
  }
  if (static_cast<size_t>(values.size()) > max_count) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " has too many areas (at most ", max_count, ")"));
  }
  std::set<absl::string_view> seen;
  for (const std::string& v : values) {
    if (absl::Status s = RequireAreaPath(field, v); !s.ok()) return s;
    if (!seen.insert(v).second) {
      return absl::InvalidArgumentError(absl::StrCat(field, " lists \"", v, "\" twice"));
    }
  }
  return absl::OkStatus();
}

}  // namespace fangxian::common
