// The rules of public reading and view counting that need neither a database nor a
// caller: which items are live for an area, the excerpt, how long a cached answer may be
// served, and the names of the view counters in Redis. Unit-tested.
#ifndef FANGXIAN_SERVICES_PUBLICITY_LIVE_RULES_H_
#define FANGXIAN_SERVICES_PUBLICITY_LIVE_RULES_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "fangxian/publicity/v1/content_views.pb.h"
#include "fangxian/publicity/v1/public_content.pb.h"

namespace fangxian::publicity {

// ListLiveContent's page sizes.
inline constexpr int kDefaultLivePageSize = 20;
inline constexpr int kMaxLivePageSize = 50;
// Characters (code points) of the body an excerpt shows.
inline constexpr size_t kExcerptChars = 200;
// View read side: longest period and largest top list.
inline constexpr int kMaxViewDays = 366;
inline constexpr int kDefaultTopItems = 10;
inline constexpr int kMaxTopItems = 100;

// Redis keys of the view counters (docs/caching.md), all under one prefix
// (FX_VIEWS_REDIS_KEY, default kViewsKeyPrefix; tests give each server its own):
// `pending`, the hash every replica adds its counts to, fields
// "<content_id>:<YYYY-MM-DD>"; each flush renames it to a batch key
// "<batch_prefix><unique id>", listed in the set `batches` until the batch is in
// PostgreSQL. A replica's memory batch, added to `pending` once, leaves the marker
// "<applied_prefix><batch id>" (kept an hour) so a retry of it adds nothing.
inline constexpr char kViewsKeyPrefix[] = "fx:publicity:v1:views";
struct ViewKeys {
  std::string pending;
  std::string batches;
  std::string batch_prefix;
  std::string applied_prefix;
};
ViewKeys ViewKeysFor(absl::string_view prefix);

// `area` and every area above it, top first: "a.b.c" gives {"a", "a.b", "a.b.c"}.
std::vector<std::string> AreaAndAncestors(absl::string_view area);

// Whether an item with these target areas shows in `area`: a target is `area` itself or
// an area above it.
bool TargetsArea(const std::vector<std::string>& targets, absl::string_view area);

// Whether an item with this window is live at `now`: publish_at <= now and (no expiry or
// now < expire_at).
bool IsLiveAt(absl::Time publish_at, std::optional<absl::Time> expire_at, absl::Time now);

// The first moment after `now` at which the item's liveness changes (its publish_at or
// expire_at), std::nullopt when it never does.
std::optional<absl::Time> NextWindowChange(absl::Time publish_at,
                                           std::optional<absl::Time> expire_at, absl::Time now);

// The first `max_chars` characters of `body`, cut between characters (never inside a
// UTF-8 sequence), followed by "…" when the body is longer. Bytes that are not valid
// UTF-8 end the excerpt.
std::string Excerpt(absl::string_view body, size_t max_chars = kExcerptChars);

// Until when an answer read at `now` may be served from memory: `ttl` later, but never
// at or past `next_change` (an item of the answer goes live or leaves then). A zero
// `ttl` gives `now` (not cached).
absl::Time CacheExpiry(absl::Time now, absl::Duration ttl, std::optional<absl::Time> next_change);

// ListLiveContent's input checks (INVALID_ARGUMENT naming the field); sets the page
// size to use (0 becomes the default).
absl::Status ValidateListLive(const v1::ListLiveContentRequest& request, int* page_size);
// GetLiveContent's input checks.
absl::Status ValidateGetLive(const v1::GetLiveContentRequest& request);

// The memory cache key of a ListLiveContent answer: every field of the request (the page
// size as it will be used), so two requests share an entry only when they ask the same.
std::string LiveListKey(const v1::ListLiveContentRequest& request, int page_size);

// The Redis hash field of the views of `content_id` on China day `day`.
std::string ViewField(absl::string_view content_id, absl::CivilDay day);
// The inverse of ViewField; false for anything else (a field another version wrote).
bool ParseViewField(absl::string_view field, std::string* content_id, absl::CivilDay* day);

// GetViewTotals' and ListTopContent's period: real days, from <= to, at most
// kMaxViewDays (INVALID_ARGUMENT naming the field otherwise), and area_code.
absl::Status ValidateViewPeriod(absl::string_view area_code, absl::string_view from_date,
                                absl::string_view to_date, absl::CivilDay* from,
                                absl::CivilDay* to);

}  // namespace fangxian::publicity

#endif  // FANGXIAN_SERVICES_PUBLICITY_LIVE_RULES_H_
