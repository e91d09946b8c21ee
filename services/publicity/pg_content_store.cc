#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "services/publicity/content_store.h"

namespace fangxian::publicity {
namespace {

constexpr char kColumns[] =
    "t.content_id, t.kind, t.state, t.title, t.body, COALESCE(t.series, ''), t.author, "
    "(extract(epoch from t.created_at) * 1000000)::int8";
constexpr int kAreasColumn = 8;  // after kColumns, in Get

ContentRow RowFrom(const common::PgResult& r, int i) {
  ContentRow row;
  row.content_id = std::string(r.Get(i, 0));
  (void)absl::SimpleAtoi(r.Get(i, 1), &row.kind);
  (void)absl::SimpleAtoi(r.Get(i, 2), &row.state);
  row.title = std::string(r.Get(i, 3));
  row.body = std::string(r.Get(i, 4));
  row.series = std::string(r.Get(i, 5));
  row.author = std::string(r.Get(i, 6));
  (void)absl::SimpleAtoi(r.Get(i, 7), &row.created_at_micros);
  return row;
}

}  // namespace

absl::StatusOr<ContentRow> PgContentStore::Insert(const ContentRow& row) {
  ContentRow stored;
  absl::Status s = pool_.Transaction([&](common::PgConn& conn) -> absl::Status {
    auto r = conn.Exec(std::string("INSERT INTO publicity.contents AS t "
                                   "(kind, state, title, body, series, author) "
                                   "VALUES ($1, $2, $3, $4, NULLIF($5, ''), $6) RETURNING ") +
                           kColumns,
                       {std::to_string(row.kind), std::to_string(row.state), row.title, row.body,
                        row.series, row.author});
    if (!r.ok()) return r.status();
    stored = RowFrom(*r, 0);
    return conn
        .Exec(
            "INSERT INTO publicity.content_areas (content_id, area_code) "
            "SELECT $1, unnest($2::text[])",
            {stored.content_id, common::PgTextArray(row.area_codes)})
        .status();
  });
  if (!s.ok()) return s;
  stored.area_codes = row.area_codes;
  std::sort(stored.area_codes.begin(), stored.area_codes.end());
  return stored;
}

absl::StatusOr<ContentRow> PgContentStore::Get(const std::string& content_id) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  // One round trip: the target areas come back comma-joined (the schema keeps ',' out).
  auto r = conn->Exec(std::string("SELECT ") + kColumns +
                          ", (SELECT string_agg(a.area_code, ',' ORDER BY a.area_code) "
                          "FROM publicity.content_areas a WHERE a.content_id = t.content_id) "
                          "FROM publicity.contents t WHERE t.content_id = $1",
                      {content_id});
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return absl::NotFoundError("no content item with this content_id");
  ContentRow row = RowFrom(*r, 0);
  if (!r->IsNull(0, kAreasColumn)) {
    row.area_codes = absl::StrSplit(r->Get(0, kAreasColumn), ',', absl::SkipEmpty());
  }
  return row;
}

}  // namespace fangxian::publicity
