#include "services/publicity/content_views.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/area_sql.h"
#include "common/time_text.h"
#include "services/publicity/live_rules.h"

namespace fangxian::publicity {
namespace {

// Views of items with a target area at or below $1 (working copy's areas: an item keeps
// its views after it is archived), China days $2..$3.
const std::string kWithinArea = absl::StrCat(
    "v.day BETWEEN $2::date AND $3::date "
    "AND EXISTS (SELECT 1 FROM publicity.content_areas a WHERE a.content_id = v.content_id "
    "            AND ",
    common::AreaAtOrBelowSql("a.area_code", "$1"), ")");

}  // namespace

absl::StatusOr<v1::ViewTotals> ContentViews::Totals(const common::CallContext& call,
                                                    const v1::GetViewTotalsRequest& request) {
  absl::CivilDay from, to;
  if (auto s = ValidateViewPeriod(request.area_code(), request.from_date(), request.to_date(),
                                  &from, &to);
      !s.ok()) {
    return s;
  }
  if (auto s = common::RequireScope(call, "area_code", request.area_code()); !s.ok()) return s;
  auto conn = pg_.Acquire();
  if (!conn.ok()) return conn.status();
  const std::string from_text = common::IsoDate(from);
  const std::string to_text = common::IsoDate(to);
  // One row per day with views, plus the distinct items over the whole period (the
  // grouping set () row, day NULL).
  auto r = conn->Exec(absl::StrCat("SELECT v.day::text, sum(v.views)::int8, "
                                   "count(DISTINCT v.content_id) "
                                   "FROM publicity.content_views v WHERE ",
                                   kWithinArea, " GROUP BY GROUPING SETS ((v.day), ())"),
                      {request.area_code(), from_text, to_text});
  if (!r.ok()) return r.status();
  absl::flat_hash_map<std::string, int64_t> by_day;
  v1::ViewTotals out;
  for (int i = 0; i < r->rows(); ++i) {
    int64_t views = 0;
    (void)absl::SimpleAtoi(r->Get(i, 1), &views);
    if (r->IsNull(i, 0)) {
      out.set_total_views(views);
      int64_t items = 0;
      (void)absl::SimpleAtoi(r->Get(i, 2), &items);
      out.set_items_viewed(items);
      continue;
    }
    by_day[std::string(r->Get(i, 0))] = views;
  }
  for (absl::CivilDay day = from; day <= to; ++day) {
    v1::DayViews* d = out.add_days();
    d->set_date(common::IsoDate(day));
    auto it = by_day.find(d->date());
    d->set_views(it == by_day.end() ? 0 : it->second);
  }
  return out;
}

absl::StatusOr<v1::ListTopContentResponse> ContentViews::Top(
    const common::CallContext& call, const v1::ListTopContentRequest& request) {
  absl::CivilDay from, to;
  if (auto s = ValidateViewPeriod(request.area_code(), request.from_date(), request.to_date(),
                                  &from, &to);
      !s.ok()) {
    return s;
  }
  if (request.limit() < 0 || request.limit() > kMaxTopItems) {
    return absl::InvalidArgumentError(absl::StrCat("limit must be from 1 to ", kMaxTopItems,
                                                   " (0 means ", kDefaultTopItems, ")"));
  }
  if (auto s = common::RequireScope(call, "area_code", request.area_code()); !s.ok()) return s;
  const int limit = request.limit() == 0 ? kDefaultTopItems : request.limit();
  auto conn = pg_.Acquire();
  if (!conn.ok()) return conn.status();
  auto r = conn->Exec(
      absl::StrCat("SELECT v.content_id, c.kind, c.title, sum(v.views)::int8 AS n "
                   "FROM publicity.content_views v "
                   "JOIN publicity.contents c ON c.content_id = v.content_id "
                   "WHERE ",
                   kWithinArea,
                   " GROUP BY v.content_id, c.kind, c.title "
                   "ORDER BY n DESC, v.content_id LIMIT $4::int"),
      {request.area_code(), common::IsoDate(from), common::IsoDate(to), std::to_string(limit)});
  if (!r.ok()) return r.status();
  v1::ListTopContentResponse out;
  for (int i = 0; i < r->rows(); ++i) {
    v1::ContentViewCount* item = out.add_items();
    item->set_content_id(std::string(r->Get(i, 0)));
    int kind = 0;
    (void)absl::SimpleAtoi(r->Get(i, 1), &kind);
    item->set_kind(static_cast<v1::ContentKind>(kind));
    item->set_title(std::string(r->Get(i, 2)));
    int64_t views = 0;
    (void)absl::SimpleAtoi(r->Get(i, 3), &views);
    item->set_views(views);
  }
  return out;
}

}  // namespace fangxian::publicity
