#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "common/time_text.h"
#include "services/publicity/live_store.h"

namespace fangxian::publicity {
namespace {

// The columns of a live item, from live_contents `c`; `body` is the expression for the
// body column. Tags travel hex-encoded and comma-separated, so any text survives.
std::string ItemColumns(const char* body) {
  return std::string("c.content_id, c.kind, c.title, ") + body +
         ", c.media_url, COALESCE(c.series, ''), "
         "COALESCE((SELECT string_agg(encode(convert_to(u.t, 'UTF8'), 'hex'), ',' ORDER BY u.n) "
         "FROM unnest(c.tags) WITH ORDINALITY u(t, n)), ''), "
         "(extract(epoch from c.publish_at) * 1000000)::int8, "
         "(extract(epoch from c.expire_at) * 1000000)::int8, c.outlet, c.outlet_level";
}
constexpr int kItemColumnCount = 11;

std::optional<absl::Time> MicrosOrNull(const common::PgResult& r, int row, int col) {
  int64_t micros = 0;
  if (r.IsNull(row, col) || !absl::SimpleAtoi(r.Get(row, col), &micros)) return std::nullopt;
  return absl::FromUnixMicros(micros);
}

// The item in columns first..first+kItemColumnCount-1 of `row`.
LiveRow ItemFrom(const common::PgResult& r, int row, int first) {
  LiveRow out;
  out.content_id = std::string(r.Get(row, first));
  (void)absl::SimpleAtoi(r.Get(row, first + 1), &out.kind);
  out.title = std::string(r.Get(row, first + 2));
  out.body = std::string(r.Get(row, first + 3));
  out.media_url = std::string(r.Get(row, first + 4));
  out.series = std::string(r.Get(row, first + 5));
  for (absl::string_view hex : absl::StrSplit(r.Get(row, first + 6), ',', absl::SkipEmpty())) {
    out.tags.push_back(absl::HexStringToBytes(hex));
  }
  out.publish_at = MicrosOrNull(r, row, first + 7).value_or(absl::UnixEpoch());
  out.expire_at = MicrosOrNull(r, row, first + 8);
  out.outlet = std::string(r.Get(row, first + 9));
  (void)absl::SimpleAtoi(r.Get(row, first + 10), &out.outlet_level);
  return out;
}

// One round trip: the page (live at $2 for the areas $1, after the keyset position
// $5/$6, filtered by series $3 and kind $4), plus on every row (and on one row with
// NULL item columns when the page is empty) when the answer next changes by time alone
// and whether the series exists.
const std::string& ListSql() {
  static const std::string sql =
      "WITH page AS ("
      " SELECT " +
      ItemColumns("left(c.body, 201)") +
      ", c.publish_at AS sort_at, c.content_id AS sort_id"
      " FROM publicity.live_contents c"
      " WHERE c.content_id IN (SELECT a.content_id FROM publicity.live_content_areas a"
      "                        WHERE a.area_code = ANY($1::text[]) AND a.publish_at <= "
      "$2::timestamptz)"
      "   AND c.publish_at <= $2::timestamptz"
      "   AND (c.expire_at IS NULL OR c.expire_at > $2::timestamptz)"
      "   AND ($3::text IS NULL OR c.series = $3::text)"
      "   AND ($4::int2 IS NULL OR c.kind = $4::int2)"
      "   AND ($5::timestamptz IS NULL OR c.publish_at < $5::timestamptz"
      "        OR (c.publish_at = $5::timestamptz AND c.content_id > $6::uuid))"
      " ORDER BY c.publish_at DESC, c.content_id LIMIT $7::int"
      "), meta AS ("
      " SELECT (extract(epoch from (SELECT min(x.t) FROM ("
      "   SELECT a.publish_at AS t FROM publicity.live_content_areas a"
      "   WHERE a.area_code = ANY($1::text[]) AND a.publish_at > $2::timestamptz"
      "   UNION ALL"
      "   SELECT c.expire_at FROM publicity.live_contents c"
      "   JOIN publicity.live_content_areas a ON a.content_id = c.content_id"
      "   WHERE a.area_code = ANY($1::text[]) AND c.expire_at > $2::timestamptz) x))"
      "   * 1000000)::int8 AS next_change,"
      "  ($3::text IS NULL OR EXISTS (SELECT 1 FROM publicity.series s WHERE s.name = $3::text))"
      "   AS series_known"
      ")"
      " SELECT meta.next_change, meta.series_known, page.* FROM meta LEFT JOIN page ON true"
      " ORDER BY page.sort_at DESC, page.sort_id";
  return sql;
}

const std::string& GetSql() {
  static const std::string sql =
      "SELECT " + ItemColumns("c.body") +
      ", COALESCE((SELECT string_agg(a.area_code, ',') FROM publicity.live_content_areas a"
      "            WHERE a.content_id = c.content_id), '')"
      " FROM publicity.live_contents c WHERE c.content_id = $1::uuid";
  return sql;
}

}  // namespace

absl::StatusOr<LivePage> PgLiveStore::List(const LiveQuery& query) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  const std::string areas = common::PgTextArray(query.areas);
  const std::string now = common::Rfc3339Micros(query.now);
  const std::string kind = std::to_string(query.kind);
  const std::string limit = std::to_string(query.limit);
  std::string after_time;
  if (query.after) after_time = common::Rfc3339Micros(absl::FromUnixMicros(query.after->micros));
  const std::vector<common::PgParam> params = {
      areas,
      now,
      query.series.empty() ? common::PgParam() : common::PgParam(query.series),
      query.kind == 0 ? common::PgParam() : common::PgParam(kind),
      query.after ? common::PgParam(after_time) : common::PgParam(),
      query.after ? common::PgParam(query.after->id) : common::PgParam(),
      limit};
  auto r = conn->ExecPrepared("publicity_live_list", ListSql(), params);
  if (!r.ok()) return r.status();
  LivePage page;
  for (int i = 0; i < r->rows(); ++i) {
    if (i == 0) {
      page.next_change = MicrosOrNull(*r, 0, 0);
      page.series_known = r->Get(0, 1) == "t";
    }
    if (r->IsNull(i, 2)) continue;  // the meta row of an empty page
    page.rows.push_back(ItemFrom(*r, i, 2));
  }
  return page;
}

absl::StatusOr<std::optional<LiveRow>> PgLiveStore::Get(const std::string& content_id) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  auto r = conn->ExecPrepared("publicity_live_get", GetSql(), {content_id});
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return std::nullopt;
  LiveRow row = ItemFrom(*r, 0, 0);
  for (absl::string_view area :
       absl::StrSplit(r->Get(0, kItemColumnCount), ',', absl::SkipEmpty())) {
    row.area_codes.emplace_back(area);
  }
  return row;
}

}  // namespace fangxian::publicity
