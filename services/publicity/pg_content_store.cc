#include <optional>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/area_sql.h"
#include "common/time_text.h"
#include "services/publicity/content_store.h"

namespace fangxian::publicity {
namespace {

// Tags cannot hold control characters (RequireText), so chr(31) separates them on read;
// area codes cannot hold ',' (the schema's CHECK).
// Lists leave the body out (up to 64 KiB each): `body` is "c.body" or "''".
std::string ItemColumns(absl::string_view body) {
  return absl::StrCat(
      "c.content_id, c.kind, c.state, c.title, ", body,
      ", COALESCE(c.series, ''), c.author, "
      "(extract(epoch from c.created_at) * 1000000)::int8, c.media_url, "
      "array_to_string(c.tags, chr(31)), (extract(epoch from c.publish_at) * 1000000)::int8, "
      "(extract(epoch from c.expire_at) * 1000000)::int8, c.outlet, c.outlet_level, c.version, "
      "COALESCE(c.live_version, 0), COALESCE(c.updated_by, c.author), "
      "(extract(epoch from c.updated_at) * 1000000)::int8, "
      "(extract(epoch from c.first_published_at) * 1000000)::int8, "
      "(SELECT string_agg(a.area_code, ',' ORDER BY a.area_code) "
      " FROM publicity.content_areas a WHERE a.content_id = c.content_id)");
}
// Only for single-item reads.
constexpr char kDetailColumns[] =
    ", (SELECT string_agg(l.area_code, ',' ORDER BY l.area_code) "
    "   FROM publicity.live_content_areas l WHERE l.content_id = c.content_id), "
    "COALESCE((SELECT r.comment FROM publicity.content_reviews r "
    "          WHERE r.content_id = c.content_id "
    "          ORDER BY r.decided_at DESC, r.review_id DESC LIMIT 1), '')";

std::optional<int64_t> OptionalMicros(const common::PgResult& r, int i, int col) {
  if (r.IsNull(i, col)) return std::nullopt;
  int64_t micros = 0;
  (void)absl::SimpleAtoi(r.Get(i, col), &micros);
  return micros;
}

int64_t Micros(const common::PgResult& r, int i, int col) {
  return OptionalMicros(r, i, col).value_or(0);
}

int Int(const common::PgResult& r, int i, int col) {
  int v = 0;
  (void)absl::SimpleAtoi(r.Get(i, col), &v);
  return v;
}

std::vector<std::string> Split(const common::PgResult& r, int i, int col, char sep) {
  if (r.IsNull(i, col)) return {};
  return absl::StrSplit(r.Get(i, col), sep, absl::SkipEmpty());
}

ContentRow ItemFrom(const common::PgResult& r, int i, bool detail) {
  ContentRow row;
  row.content_id = std::string(r.Get(i, 0));
  row.content.kind = Int(r, i, 1);
  row.state = Int(r, i, 2);
  row.content.title = std::string(r.Get(i, 3));
  row.content.body = std::string(r.Get(i, 4));
  row.content.series = std::string(r.Get(i, 5));
  row.author = std::string(r.Get(i, 6));
  row.created_at_micros = Micros(r, i, 7);
  row.content.media_url = std::string(r.Get(i, 8));
  row.content.tags = Split(r, i, 9, '\x1f');
  row.content.publish_at_micros = OptionalMicros(r, i, 10);
  row.content.expire_at_micros = OptionalMicros(r, i, 11);
  row.content.outlet = std::string(r.Get(i, 12));
  row.content.outlet_level = Int(r, i, 13);
  row.version = Int(r, i, 14);
  row.live_version = Int(r, i, 15);
  row.updated_by = std::string(r.Get(i, 16));
  row.updated_at_micros = Micros(r, i, 17);
  row.first_published_at_micros = OptionalMicros(r, i, 18);
  row.content.area_codes = Split(r, i, 19, ',');
  if (detail) {
    row.live_area_codes = Split(r, i, 20, ',');
    row.review_comment = std::string(r.Get(i, 21));
  }
  return row;
}

common::PgParam OptionalTime(const std::optional<int64_t>& micros, std::string* text) {
  if (!micros) return std::nullopt;
  *text = common::Rfc3339Micros(absl::FromUnixMicros(*micros));
  return *text;
}

// Writes the snapshot of `version` (area codes in lexical order, as content_areas reads).
absl::Status InsertSnapshot(common::PgConn& tx, const std::string& content_id, int version,
                            const ContentBody& c, const std::string& editor, absl::Time now) {
  std::string publish_text;
  std::string expire_text;
  return tx
      .Exec(
          "INSERT INTO publicity.content_versions (content_id, version, kind, title, body, "
          "media_url, series, tags, area_codes, publish_at, expire_at, outlet, outlet_level, "
          "edited_by, edited_at) "
          "VALUES ($1, $2, $3, $4, $5, $6, NULLIF($7, ''), $8::text[], "
          "ARRAY(SELECT unnest($9::text[]) ORDER BY 1), $10::timestamptz, $11::timestamptz, "
          "$12, $13, $14, $15::timestamptz)",
          {content_id, absl::StrCat(version), absl::StrCat(c.kind), c.title, c.body, c.media_url,
           c.series, common::PgTextArray(c.tags), common::PgTextArray(c.area_codes),
           OptionalTime(c.publish_at_micros, &publish_text),
           OptionalTime(c.expire_at_micros, &expire_text), c.outlet, absl::StrCat(c.outlet_level),
           editor, common::Rfc3339Micros(now)})
      .status();
}

absl::Status ReplaceAreas(common::PgConn& tx, const std::string& content_id,
                          const std::vector<std::string>& areas) {
  auto del = tx.Exec("DELETE FROM publicity.content_areas WHERE content_id = $1", {content_id});
  if (!del.ok()) return del.status();
  return tx
      .Exec(
          "INSERT INTO publicity.content_areas (content_id, area_code) "
          "SELECT $1, unnest($2::text[])",
          {content_id, common::PgTextArray(areas)})
      .status();
}

}  // namespace

absl::StatusOr<std::string> PgContentStore::Insert(common::PgConn& tx, const ContentBody& c,
                                                   const std::string& author, absl::Time now) {
  std::string publish_text;
  std::string expire_text;
  const std::string at = common::Rfc3339Micros(now);
  auto r = tx.Exec(
      "INSERT INTO publicity.contents (kind, state, title, body, series, author, created_at, "
      "media_url, tags, publish_at, expire_at, outlet, outlet_level, version, updated_by, "
      "updated_at) "
      "VALUES ($1, 1, $2, $3, NULLIF($4, ''), $5, $6::timestamptz, $7, $8::text[], "
      "$9::timestamptz, $10::timestamptz, $11, $12, 1, $5, $6::timestamptz) "
      "RETURNING content_id",
      {absl::StrCat(c.kind), c.title, c.body, c.series, author, at, c.media_url,
       common::PgTextArray(c.tags), OptionalTime(c.publish_at_micros, &publish_text),
       OptionalTime(c.expire_at_micros, &expire_text), c.outlet, absl::StrCat(c.outlet_level)});
  if (!r.ok()) return r.status();
  std::string id(r->Get(0, 0));
  if (auto s = ReplaceAreas(tx, id, c.area_codes); !s.ok()) return s;
  if (auto s = InsertSnapshot(tx, id, 1, c, author, now); !s.ok()) return s;
  return id;
}

absl::StatusOr<ContentRow> PgContentStore::Get(common::PgConn& conn, const std::string& content_id,
                                               bool lock) {
  auto r = conn.Exec(absl::StrCat("SELECT ", ItemColumns("c.body"), kDetailColumns,
                                  " FROM publicity.contents c WHERE c.content_id = $1",
                                  lock ? " FOR UPDATE OF c" : ""),
                     {content_id});
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return absl::NotFoundError("content_id: no content item with this id");
  return ItemFrom(*r, 0, /*detail=*/true);
}

absl::Status PgContentStore::SaveVersion(common::PgConn& tx, const std::string& content_id,
                                         const ContentBody& c, int version, int state,
                                         const std::string& editor, absl::Time now) {
  std::string publish_text;
  std::string expire_text;
  auto r = tx.Exec(
      "UPDATE publicity.contents SET kind = $2, title = $3, body = $4, series = NULLIF($5, ''), "
      "media_url = $6, tags = $7::text[], publish_at = $8::timestamptz, "
      "expire_at = $9::timestamptz, outlet = $10, outlet_level = $11, version = $12, "
      "state = $13, updated_by = $14, updated_at = $15::timestamptz WHERE content_id = $1",
      {content_id, absl::StrCat(c.kind), c.title, c.body, c.series, c.media_url,
       common::PgTextArray(c.tags), OptionalTime(c.publish_at_micros, &publish_text),
       OptionalTime(c.expire_at_micros, &expire_text), c.outlet, absl::StrCat(c.outlet_level),
       absl::StrCat(version), absl::StrCat(state), editor, common::Rfc3339Micros(now)});
  if (!r.ok()) return r.status();
  if (auto s = ReplaceAreas(tx, content_id, c.area_codes); !s.ok()) return s;
  return InsertSnapshot(tx, content_id, version, c, editor, now);
}

absl::Status PgContentStore::SetState(common::PgConn& tx, const std::string& content_id, int state,
                                      const std::string& by, absl::Time now) {
  // submitted_by/_at record the last submission (state 2, IN_REVIEW).
  return tx
      .Exec(
          "UPDATE publicity.contents SET state = $2::int2, updated_at = $4::timestamptz, "
          "submitted_by = CASE WHEN $2::int2 = 2 THEN $3 ELSE submitted_by END, "
          "submitted_at = CASE WHEN $2::int2 = 2 THEN $4::timestamptz ELSE submitted_at END "
          "WHERE content_id = $1",
          {content_id, absl::StrCat(state), by, common::Rfc3339Micros(now)})
      .status();
}

absl::Status PgContentStore::Publish(common::PgConn& tx, const std::string& content_id,
                                     const std::string& reviewer, absl::Time now) {
  const std::string at = common::Rfc3339Micros(now);
  // The old copy goes with its areas (ON DELETE CASCADE); the new one is this version.
  auto del = tx.Exec("DELETE FROM publicity.live_contents WHERE content_id = $1", {content_id});
  if (!del.ok()) return del.status();
  auto ins = tx.Exec(
      "INSERT INTO publicity.live_contents (content_id, version, kind, title, body, media_url, "
      "series, tags, outlet, outlet_level, publish_at, expire_at, published_at, published_by) "
      "SELECT content_id, version, kind, title, body, media_url, series, tags, outlet, "
      "outlet_level, COALESCE(publish_at, $2::timestamptz), expire_at, $2::timestamptz, $3 "
      "FROM publicity.contents WHERE content_id = $1",
      {content_id, at, reviewer});
  if (!ins.ok()) return ins.status();
  auto areas = tx.Exec(
      "INSERT INTO publicity.live_content_areas (content_id, area_code, publish_at) "
      "SELECT a.content_id, a.area_code, l.publish_at FROM publicity.content_areas a "
      "JOIN publicity.live_contents l USING (content_id) WHERE a.content_id = $1",
      {content_id});
  if (!areas.ok()) return areas.status();
  // First published: when the item first went public, the approval or a later
  // publish_at. A time already passed is history and stays; one still ahead was only a
  // schedule (an earlier live copy that never showed), so this copy's start replaces it.
  return tx
      .Exec(
          "UPDATE publicity.contents SET state = 3, live_version = version, "
          "updated_at = $2::timestamptz, first_published_at = CASE "
          "WHEN first_published_at <= $2::timestamptz THEN first_published_at "
          "ELSE GREATEST(COALESCE(publish_at, $2::timestamptz), $2::timestamptz) END "
          "WHERE content_id = $1",
          {content_id, at})
      .status();
}

absl::StatusOr<bool> PgContentStore::Unpublish(common::PgConn& tx, const std::string& content_id,
                                               absl::Time now) {
  auto del = tx.Exec("DELETE FROM publicity.live_contents WHERE content_id = $1", {content_id});
  if (!del.ok()) return del.status();
  // A first_published_at still ahead belonged to a copy that never showed: the item has
  // not been public, so it has no first publication (any real one lies in the past).
  auto upd = tx.Exec(
      "UPDATE publicity.contents SET live_version = NULL, updated_at = $2::timestamptz, "
      "first_published_at = CASE WHEN first_published_at > $2::timestamptz THEN NULL "
      "ELSE first_published_at END "
      "WHERE content_id = $1",
      {content_id, common::Rfc3339Micros(now)});
  if (!upd.ok()) return upd.status();
  return del->affected() > 0;
}

absl::Status PgContentStore::AddReview(common::PgConn& tx, const std::string& content_id,
                                       const ContentReviewRow& review) {
  return tx
      .Exec(
          "INSERT INTO publicity.content_reviews (content_id, version, decision, reviewer, "
          "comment, decided_at) VALUES ($1, $2, $3, $4, $5, $6::timestamptz)",
          {content_id, absl::StrCat(review.version), absl::StrCat(review.decision), review.reviewer,
           review.comment, common::Rfc3339Micros(absl::FromUnixMicros(review.decided_at_micros))})
      .status();
}

absl::StatusOr<int> PgContentStore::ExpireDue(common::PgConn& tx, absl::Time now, int limit) {
  const std::string at = common::Rfc3339Micros(now);
  // Items are locked before their live copies, in the order the workflow steps lock them,
  // so a step and the expiry never deadlock; rows another replica (or a step) holds are
  // skipped and left to the next round.
  auto due = tx.Exec(
      "SELECT c.content_id FROM publicity.contents c "
      "JOIN publicity.live_contents l USING (content_id) "
      "WHERE l.expire_at <= $1::timestamptz ORDER BY l.expire_at LIMIT $2 "
      "FOR UPDATE OF c SKIP LOCKED",
      {at, absl::StrCat(limit)});
  if (!due.ok()) return due.status();
  if (due->rows() == 0) return 0;
  std::vector<std::string> ids;
  for (int i = 0; i < due->rows(); ++i) ids.emplace_back(due->Get(i, 0));
  // A new statement sees what committed meanwhile: a copy replaced by a later approval
  // (with a later expiry) is no longer due and stays.
  auto gone = tx.Exec(
      "WITH gone AS (DELETE FROM publicity.live_contents "
      "              WHERE content_id = ANY($1::uuid[]) AND expire_at <= $2::timestamptz "
      "              RETURNING content_id) "
      "UPDATE publicity.contents c SET live_version = NULL, updated_at = $2::timestamptz, "
      "state = CASE WHEN c.state = 3 THEN 4 ELSE c.state END, "
      "first_published_at = CASE WHEN c.first_published_at > $2::timestamptz THEN NULL "
      "ELSE c.first_published_at END "
      "FROM gone WHERE c.content_id = gone.content_id",
      {common::PgTextArray(ids), at});
  if (!gone.ok()) return gone.status();
  return static_cast<int>(gone->affected());
}

absl::StatusOr<std::vector<ContentRow>> PgContentStore::List(common::PgConn& conn,
                                                             const ContentQuery& query) {
  std::optional<std::string> after_time;
  std::optional<std::string> after_id;
  if (query.after) {
    after_time = common::Rfc3339Micros(absl::FromUnixMicros(query.after->micros));
    after_id = query.after->id;
  }
  auto r = conn.Exec(
      absl::StrCat(
          "SELECT ", ItemColumns("''"),
          " FROM publicity.contents c "
          "WHERE EXISTS (SELECT 1 FROM publicity.content_areas a, unnest($1::text[]) s "
          "              WHERE a.content_id = c.content_id AND ",
          common::AreaAtOrBelowSql("a.area_code", "s"),
          ") "
          "  AND ($2::int2 = 0 OR c.state = $2::int2) "
          "  AND ($3::int2 = 0 OR c.kind = $3::int2) "
          "  AND ($4 = '' OR c.series = $4) "
          "  AND ($5::timestamptz IS NULL OR (c.updated_at, c.content_id) < ($5, $6::uuid)) "
          "ORDER BY c.updated_at DESC, c.content_id DESC LIMIT $7"),
      {common::PgTextArray(query.areas), absl::StrCat(query.state), absl::StrCat(query.kind),
       query.series, after_time ? common::PgParam(*after_time) : std::nullopt,
       after_id ? common::PgParam(*after_id) : std::nullopt, absl::StrCat(query.limit)});
  if (!r.ok()) return r.status();
  std::vector<ContentRow> rows;
  rows.reserve(r->rows());
  for (int i = 0; i < r->rows(); ++i) rows.push_back(ItemFrom(*r, i, /*detail=*/false));
  return rows;
}

absl::StatusOr<std::vector<std::string>> PgContentStore::UnreviewedEditors(
    common::PgConn& conn, const std::string& content_id) {
  // Decision 1 is an approval (content_reviews); version 1's editor is the author.
  auto r = conn.Exec(
      "SELECT DISTINCT v.edited_by FROM publicity.content_versions v "
      "WHERE v.content_id = $1 AND v.version > COALESCE("
      "  (SELECT max(r.version) FROM publicity.content_reviews r "
      "   WHERE r.content_id = $1 AND r.decision = 1), 0)",
      {content_id});
  if (!r.ok()) return r.status();
  std::vector<std::string> out;
  out.reserve(r->rows());
  for (int i = 0; i < r->rows(); ++i) out.emplace_back(r->Get(i, 0));
  return out;
}

absl::StatusOr<std::vector<ContentVersionRow>> PgContentStore::Versions(
    common::PgConn& conn, const std::string& content_id) {
  auto r = conn.Exec(
      "SELECT version, kind, title, body, media_url, COALESCE(series, ''), "
      "array_to_string(tags, chr(31)), array_to_string(area_codes, ','), "
      "(extract(epoch from publish_at) * 1000000)::int8, "
      "(extract(epoch from expire_at) * 1000000)::int8, outlet, outlet_level, edited_by, "
      "(extract(epoch from edited_at) * 1000000)::int8 "
      "FROM publicity.content_versions WHERE content_id = $1 ORDER BY version",
      {content_id});
  if (!r.ok()) return r.status();
  std::vector<ContentVersionRow> out;
  for (int i = 0; i < r->rows(); ++i) {
    ContentVersionRow v;
    v.version = Int(*r, i, 0);
    v.content.kind = Int(*r, i, 1);
    v.content.title = std::string(r->Get(i, 2));
    v.content.body = std::string(r->Get(i, 3));
    v.content.media_url = std::string(r->Get(i, 4));
    v.content.series = std::string(r->Get(i, 5));
    v.content.tags = Split(*r, i, 6, '\x1f');
    v.content.area_codes = Split(*r, i, 7, ',');
    v.content.publish_at_micros = OptionalMicros(*r, i, 8);
    v.content.expire_at_micros = OptionalMicros(*r, i, 9);
    v.content.outlet = std::string(r->Get(i, 10));
    v.content.outlet_level = Int(*r, i, 11);
    v.edited_by = std::string(r->Get(i, 12));
    v.edited_at_micros = Micros(*r, i, 13);
    out.push_back(std::move(v));
  }
  return out;
}

absl::StatusOr<std::vector<ContentReviewRow>> PgContentStore::Reviews(
    common::PgConn& conn, const std::string& content_id) {
  auto r = conn.Exec(
      "SELECT version, decision, reviewer, comment, "
      "(extract(epoch from decided_at) * 1000000)::int8 FROM publicity.content_reviews "
      "WHERE content_id = $1 ORDER BY decided_at, review_id",
      {content_id});
  if (!r.ok()) return r.status();
  std::vector<ContentReviewRow> out;
  for (int i = 0; i < r->rows(); ++i) {
    ContentReviewRow v;
    v.version = Int(*r, i, 0);
    v.decision = Int(*r, i, 1);
    v.reviewer = std::string(r->Get(i, 2));
    v.comment = std::string(r->Get(i, 3));
    v.decided_at_micros = Micros(*r, i, 4);
    out.push_back(std::move(v));
  }
  return out;
}

absl::StatusOr<bool> PgContentStore::SeriesExists(common::PgConn& conn, const std::string& name) {
  auto r = conn.Exec("SELECT 1 FROM publicity.series WHERE name = $1", {name});
  if (!r.ok()) return r.status();
  return r->rows() > 0;
}

absl::StatusOr<SeriesRow> PgContentStore::InsertSeries(common::PgConn& tx, const SeriesRow& row,
                                                       absl::Time now) {
  auto r = tx.Exec(
      "INSERT INTO publicity.series (name, description, created_by, created_at) "
      "VALUES ($1, $2, $3, $4::timestamptz) ON CONFLICT (name) DO NOTHING RETURNING name",
      {row.name, row.description, row.created_by, common::Rfc3339Micros(now)});
  if (!r.ok()) return r.status();
  if (r->rows() == 0) {
    return absl::AlreadyExistsError("series.name: a series of this name already exists");
  }
  SeriesRow out = row;
  out.created_at_micros = absl::ToUnixMicros(now);
  return out;
}

absl::StatusOr<std::vector<SeriesRow>> PgContentStore::ListSeries(common::PgConn& conn) {
  auto r = conn.Exec(
      "SELECT name, description, created_by, (extract(epoch from created_at) * 1000000)::int8 "
      "FROM publicity.series ORDER BY name");
  if (!r.ok()) return r.status();
  std::vector<SeriesRow> out;
  for (int i = 0; i < r->rows(); ++i) {
    SeriesRow s;
    s.name = std::string(r->Get(i, 0));
    s.description = std::string(r->Get(i, 1));
    s.created_by = std::string(r->Get(i, 2));
    s.created_at_micros = Micros(*r, i, 3);
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace fangxian::publicity
