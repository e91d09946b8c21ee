#include "services/publicity/live_rules.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/auth.h"
#include "common/json.h"
#include "common/paging.h"
#include "common/time_text.h"
#include "common/validate.h"

namespace fangxian::publicity {

std::vector<std::string> AreaAndAncestors(absl::string_view area) {
  std::vector<std::string> out;
  for (size_t dot = area.find('.'); dot != absl::string_view::npos; dot = area.find('.', dot + 1)) {
    out.emplace_back(area.substr(0, dot));
  }
  out.emplace_back(area);
  return out;
}

bool TargetsArea(const std::vector<std::string>& targets, absl::string_view area) {
  return std::any_of(targets.begin(), targets.end(), [area](const std::string& target) {
    return common::AreaWithin(area, target);
  });
}

bool IsLiveAt(absl::Time publish_at, std::optional<absl::Time> expire_at, absl::Time now) {
  return publish_at <= now && (!expire_at || now < *expire_at);
}

std::optional<absl::Time> NextWindowChange(absl::Time publish_at,
                                           std::optional<absl::Time> expire_at, absl::Time now) {
  if (now < publish_at) return publish_at;
  if (expire_at && now < *expire_at) return *expire_at;
  return std::nullopt;
}

std::string Excerpt(absl::string_view body, size_t max_chars) {
  size_t pos = 0;
  size_t chars = 0;
  while (pos < body.size() && chars < max_chars) {
    const size_t len = common::Utf8SequenceLength(body, pos);
    if (len == 0) break;
    pos += len;
    ++chars;
  }
  std::string out(body.substr(0, pos));
  if (pos < body.size()) out += "\u2026";
  return out;
}

absl::Time CacheExpiry(absl::Time now, absl::Duration ttl, std::optional<absl::Time> next_change) {
  const absl::Time until = now + std::max(ttl, absl::ZeroDuration());
  return next_change ? std::min(until, *next_change) : until;
}

absl::Status ValidateListLive(const v1::ListLiveContentRequest& request, int* page_size) {
  if (auto s = common::RequireAreaPath("area_code", request.area_code()); !s.ok()) return s;
  if (auto s = common::RequireText("series", request.series(), 50, /*required=*/false); !s.ok()) {
    return s;
  }
  if (!v1::ContentKind_IsValid(request.kind())) {
    return absl::InvalidArgumentError(
        absl::StrCat("kind ", request.kind(), " is not a known ContentKind"));
  }
  absl::StatusOr<int> size =
      common::PageSize(request.page_size(), kDefaultLivePageSize, kMaxLivePageSize);
  if (!size.ok()) return size.status();
  *page_size = *size;
  return common::DecodeTimeIdPageToken(request.page_token()).status();
}

absl::Status ValidateGetLive(const v1::GetLiveContentRequest& request) {
  if (auto s = common::RequireAreaPath("area_code", request.area_code()); !s.ok()) return s;
  return common::RequireUuid("content_id", request.content_id());
}

std::string LiveListKey(const v1::ListLiveContentRequest& request, int page_size) {
  // '\n' cannot occur in any field (area paths, series text and page tokens refuse it).
  return absl::StrCat(request.area_code(), "\n", request.series(), "\n",
                      static_cast<int>(request.kind()), "\n", page_size, "\n",
                      request.page_token());
}

ViewKeys ViewKeysFor(absl::string_view prefix) {
  return {absl::StrCat(prefix, ":pending"), absl::StrCat(prefix, ":batches"),
          absl::StrCat(prefix, ":batch:"), absl::StrCat(prefix, ":applied:")};
}

std::string ViewField(absl::string_view content_id, absl::CivilDay day) {
  return absl::StrCat(content_id, ":", common::IsoDate(day));
}

bool ParseViewField(absl::string_view field, std::string* content_id, absl::CivilDay* day) {
  const size_t colon = field.find(':');
  if (colon == absl::string_view::npos) return false;
  const absl::string_view id = field.substr(0, colon);
  if (!common::IsUuid(id) || !common::ParseIsoDate(field.substr(colon + 1), day)) return false;
  *content_id = std::string(id);
  return true;
}

absl::Status ValidateViewPeriod(absl::string_view area_code, absl::string_view from_date,
                                absl::string_view to_date, absl::CivilDay* from,
                                absl::CivilDay* to) {
  if (auto s = common::RequireAreaPath("area_code", area_code); !s.ok()) return s;
  return common::ParseDayRange("from_date", from_date, "to_date", to_date, kMaxViewDays, from, to);
}

}  // namespace fangxian::publicity
