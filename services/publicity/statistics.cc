#include "services/publicity/statistics.h"

#include <map>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/area_sql.h"
#include "common/time_text.h"
#include "common/validate.h"
#include "fangxian/publicity/v1/materials.pb.h"
#include "fangxian/publicity/v1/publicity.pb.h"
#include "google/protobuf/util/time_util.h"
#include "services/publicity/statistics_rules.h"

namespace fangxian::publicity {
namespace {

using google::protobuf::util::TimeUtil;

int64_t Int(const common::PgResult& r, int row, int col) {
  int64_t v = 0;
  if (!r.IsNull(row, col)) (void)absl::SimpleAtoi(r.Get(row, col), &v);
  return v;
}

// Column 0 of every grouped query: the child area of $1 a row counts under, or NULL for
// the row of the whole area (the empty grouping set).
class ReportBuilder {
 public:
  v1::PublicityFigures& At(const common::PgResult& r, int row) {
    if (r.IsNull(row, 0)) return total_;
    return children_[std::string(r.Get(row, 0))];
  }

  void Finish(v1::PublicityFiguresReport* out) {
    *out->mutable_total() = std::move(total_);
    out->mutable_total()->mutable_media_reports_by_level();
    for (auto& [area, figures] : children_) {
      v1::AreaPublicityFigures* child = out->add_child_areas();
      child->set_area_code(area);
      *child->mutable_figures() = std::move(figures);
      child->mutable_figures()->mutable_media_reports_by_level();
    }
  }

 private:
  v1::PublicityFigures total_;
  std::map<std::string, v1::PublicityFigures> children_;
};

// "Count under each child area and once for the whole area".
constexpr char kGroupByChildAndTotal[] = " GROUP BY GROUPING SETS ((g), ())";

std::string KindCount(int kind) {
  return absl::StrCat("count(DISTINCT c.content_id) FILTER (WHERE c.kind = ", kind, ")");
}

std::string MediaLevelCount(absl::string_view level_condition) {
  return absl::StrCat("count(DISTINCT c.content_id) FILTER (WHERE c.kind = ",
                      v1::CONTENT_KIND_MEDIA_REPORT, " AND ", level_condition, ")");
}

std::string MaterialQuantity(int kind) {
  return absl::StrCat("sum(quantity) FILTER (WHERE kind = ", kind, ")");
}

}  // namespace

absl::StatusOr<v1::PublicityFiguresReport> PublicityStatistics::Figures(
    const common::CallContext& call, const v1::GetPublicityFiguresRequest& request) {
  absl::CivilDay start;
  absl::CivilDay end;
  if (auto s = ValidateFiguresRequest(request, &start, &end); !s.ok()) return s;
  if (auto s = common::RequireScope(call, "area_code", request.area_code()); !s.ok()) return s;
  const absl::Time now = clock_();
  const std::string key =
      absl::StrCat(request.area_code(), "|", common::IsoDate(start), "|", common::IsoDate(end));
  return answers_.Get(key, now, call.deadline,
                      [&] { return Read(request.area_code(), start, end, now); });
}

absl::StatusOr<v1::PublicityFiguresReport> PublicityStatistics::Read(const std::string& area,
                                                                     absl::CivilDay start,
                                                                     absl::CivilDay end,
                                                                     absl::Time now) {
  const std::string from_date = common::IsoDate(start);
  const std::string to_date = common::IsoDate(end);
  // The three queries read one snapshot: a material or an item changing meanwhile is
  // either in every figure or in none.
  ReportBuilder builder;
  absl::Status read = pg_.ReadOnlySnapshot([&](common::PgConn& conn) -> absl::Status {
    // Boards, banners and vehicles in service at to_date: installed by then, not removed
    // before it.
    auto r = conn.Exec(
        absl::StrCat(
            "SELECT ", common::ChildAreaSql("area_code", "$1"), " AS g, ",
            MaterialQuantity(v1::MATERIAL_KIND_BOARD), ", ",
            MaterialQuantity(v1::MATERIAL_KIND_BANNER), ", ",
            MaterialQuantity(v1::MATERIAL_KIND_VEHICLE), " FROM publicity.materials WHERE ",
            common::AreaAtOrBelowSql("area_code", "$1"),
            " AND installed_on <= $2::date AND (removed_on IS NULL OR removed_on >= $2::date)",
            kGroupByChildAndTotal),
        {area, to_date});
    if (!r.ok()) return r.status();
    for (int i = 0; i < r->rows(); ++i) {
      v1::PublicityFigures& f = builder.At(*r, i);
      f.set_boards(Int(*r, i, 1));
      f.set_banners(Int(*r, i, 2));
      f.set_vehicles(Int(*r, i, 3));
    }

    // Items first published in the period, targeting the area or below; DISTINCT so an item
    // targeting several areas of one group counts once. The period bounds are China
    // midnights, so contents_first_published_idx serves the range.
    r = conn.Exec(
        absl::StrCat(
            "SELECT ", common::ChildAreaSql("a.area_code", "$1"), " AS g, ",
            KindCount(v1::CONTENT_KIND_NOTICE), ", ", KindCount(v1::CONTENT_KIND_ARTICLE), ", ",
            KindCount(v1::CONTENT_KIND_VIDEO), ", ", KindCount(v1::CONTENT_KIND_LOUDSPEAKER_SCRIPT),
            ", ", KindCount(v1::CONTENT_KIND_MEDIA_REPORT), ", ",
            MediaLevelCount(absl::StrCat("c.outlet_level = ", v1::OUTLET_LEVEL_NATIONAL)), ", ",
            MediaLevelCount(absl::StrCat("c.outlet_level = ", v1::OUTLET_LEVEL_PROVINCE)), ", ",
            MediaLevelCount(absl::StrCat("c.outlet_level = ", v1::OUTLET_LEVEL_CITY)), ", ",
            MediaLevelCount(absl::StrCat("c.outlet_level = ", v1::OUTLET_LEVEL_COUNTY)), ", ",
            MediaLevelCount(absl::StrCat("c.outlet_level NOT BETWEEN ", v1::OUTLET_LEVEL_NATIONAL,
                                         " AND ", v1::OUTLET_LEVEL_COUNTY)),
            " FROM publicity.contents c JOIN publicity.content_areas a "
            "ON a.content_id = c.content_id WHERE c.first_published_at >= $2::timestamptz "
            "AND c.first_published_at < $3::timestamptz AND ",
            common::AreaAtOrBelowSql("a.area_code", "$1"), kGroupByChildAndTotal),
        {area, common::Rfc3339Micros(common::ChinaDayStart(start)),
         common::Rfc3339Micros(common::ChinaDayStart(end + 1))});
    if (!r.ok()) return r.status();
    for (int i = 0; i < r->rows(); ++i) {
      v1::PublicityFigures& f = builder.At(*r, i);
      f.set_notices(Int(*r, i, 1));
      f.set_articles(Int(*r, i, 2));
      f.set_videos(Int(*r, i, 3));
      f.set_loudspeaker_scripts(Int(*r, i, 4));
      f.set_media_reports(Int(*r, i, 5));
      v1::MediaReportLevelCounts* levels = f.mutable_media_reports_by_level();
      levels->set_national(Int(*r, i, 6));
      levels->set_province(Int(*r, i, 7));
      levels->set_city(Int(*r, i, 8));
      levels->set_county(Int(*r, i, 9));
      levels->set_unspecified(Int(*r, i, 10));
    }

    // Views in the period of the items targeting the area or below. Each item's views are
    // summed first, then added once per child area it targets and once for the whole area
    // (a sum over a join with several target areas would count them several times).
    r = conn.Exec(
        absl::StrCat("WITH t AS (SELECT DISTINCT a.content_id, ",
                     common::ChildAreaSql("a.area_code", "$1"),
                     " AS g FROM publicity.content_areas a WHERE ",
                     common::AreaAtOrBelowSql("a.area_code", "$1"),
                     "), v AS (SELECT content_id, sum(views) AS n FROM publicity.content_views "
                     "WHERE day BETWEEN $2::date AND $3::date "
                     "AND content_id IN (SELECT content_id FROM t) GROUP BY content_id) "
                     "SELECT t.g, sum(v.n) FROM t JOIN v ON v.content_id = t.content_id "
                     "GROUP BY t.g UNION ALL SELECT NULL, sum(v.n) FROM v"),
        {area, from_date, to_date});
    if (!r.ok()) return r.status();
    for (int i = 0; i < r->rows(); ++i) builder.At(*r, i).set_views(Int(*r, i, 1));
    return absl::OkStatus();
  });
  if (!read.ok()) return read;

  v1::PublicityFiguresReport out;
  out.set_area_code(area);
  out.set_from_date(from_date);
  out.set_to_date(to_date);
  *out.mutable_as_of() = TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(now));
  builder.Finish(&out);
  return out;
}

}  // namespace fangxian::publicity
