// Publicity content for black-box tests of the public reads, written straight into the
// scratch database of a publicity_server the way an approval leaves it: the item in
// `contents` (published) with its `content_areas`, and its live copy in `live_contents`
// with `live_content_areas`. Drafts are the item alone. Header-only.
#ifndef FANGXIAN_TESTS_SUPPORT_PUBLICITY_FIXTURES_H_
#define FANGXIAN_TESTS_SUPPORT_PUBLICITY_FIXTURES_H_

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "tests/support/service_under_test.h"

namespace fangxian::testing {

struct LiveItemSpec {
  std::string title = "疫情防控通告";
  std::string body = "逢车必查、逢人必测。";
  int kind = 1;        // ContentKind: 1 notice, 2 article, 3 video, 4 script, 5 media report
  std::string series;  // "" none; made in the series registry when missing
  std::vector<std::string> areas = {"gongyi.dufulu"};
  std::vector<std::string> tags;
  std::string media_url;
  std::string outlet;
  int outlet_level = 0;
  // SQL expressions (timestamptz) for the window: relative to the database's clock.
  std::string publish_at = "now() - interval '1 hour'";
  std::string expire_at = "NULL";
  bool live = true;  // false: a draft (no live copy)
};

// A SQL string literal of `s`.
inline std::string SqlText(const std::string& s) {
  return absl::StrCat("'", absl::StrReplaceAll(s, {{"'", "''"}}), "'");
}

// A SQL text[] literal of `values`.
inline std::string SqlTextArray(const std::vector<std::string>& values) {
  std::vector<std::string> quoted;
  for (const std::string& v : values) quoted.push_back(SqlText(v));
  return absl::StrCat("ARRAY[", absl::StrJoin(quoted, ","), "]::text[]");
}

// Writes the item of `spec` and returns its content_id.
inline std::string SeedLiveItem(ServiceUnderTest& server, const LiveItemSpec& spec) {
  const std::string series = spec.series.empty() ? "NULL" : SqlText(spec.series);
  if (!spec.series.empty()) {
    server.Query(absl::StrCat("INSERT INTO publicity.series (name, created_by) VALUES (", series,
                              ", 'fixture') ON CONFLICT DO NOTHING"));
  }
  const std::string id =
      server
          .Query(absl::StrCat(
              "INSERT INTO publicity.contents (kind, title, body, series, state, author, "
              "media_url, tags, publish_at, expire_at, outlet, outlet_level, live_version, "
              "first_published_at) VALUES (",
              spec.kind, ", ", SqlText(spec.title), ", ", SqlText(spec.body), ", ", series, ", ",
              spec.live ? 3 : 1, ", 'fixture-editor', ", SqlText(spec.media_url), ", ",
              SqlTextArray(spec.tags), ", ", spec.publish_at, ", ", spec.expire_at, ", ",
              SqlText(spec.outlet), ", ", spec.outlet_level, ", ", spec.live ? "1" : "NULL", ", ",
              spec.live ? spec.publish_at : "NULL", ") RETURNING content_id"))
          .at(0);
  server.Query(absl::StrCat("INSERT INTO publicity.content_areas (content_id, area_code) SELECT '",
                            id, "', unnest(", SqlTextArray(spec.areas), ")"));
  if (!spec.live) return id;
  server.Query(absl::StrCat(
      "INSERT INTO publicity.live_contents (content_id, version, kind, title, body, media_url, "
      "series, tags, outlet, outlet_level, publish_at, expire_at, published_by) "
      "SELECT content_id, 1, kind, title, body, media_url, series, tags, outlet, outlet_level, "
      "publish_at, expire_at, 'fixture-reviewer' FROM publicity.contents WHERE content_id = '",
      id, "'"));
  server.Query(
      absl::StrCat("INSERT INTO publicity.live_content_areas (content_id, area_code, publish_at) "
                   "SELECT c.content_id, a.area_code, c.publish_at FROM publicity.live_contents c "
                   "JOIN publicity.content_areas a USING (content_id) WHERE c.content_id = '",
                   id, "'"));
  return id;
}

}  // namespace fangxian::testing

#endif  // FANGXIAN_TESTS_SUPPORT_PUBLICITY_FIXTURES_H_
