#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/checkpoint/inspection_store.h"
#include "services/checkpoint/pg_time.h"

namespace fangxian::checkpoint {
namespace {

// Every column InspectionFrom reads, in order.
constexpr char kInspectionColumns[] =
    "inspection_id, checkpoint_id, inspector_id, "
    "(extract(epoch from inspected_at) * 1000000)::int8, posts_staffed, cadre_present, "
    "kit_complete, log_complete, score, notes, COALESCE(rectification_deadline::text, ''), "
    "COALESCE(reinspection_of::text, '')";

InspectionRow InspectionFrom(const common::PgResult& r, int i) {
  InspectionRow row;
  row.inspection_id = std::string(r.Get(i, 0));
  row.checkpoint_id = std::string(r.Get(i, 1));
  row.inspector_id = std::string(r.Get(i, 2));
  (void)absl::SimpleAtoi(r.Get(i, 3), &row.inspected_at_micros);
  row.posts_staffed = r.Get(i, 4) == "t";
  row.cadre_present = r.Get(i, 5) == "t";
  row.kit_complete = r.Get(i, 6) == "t";
  row.log_complete = r.Get(i, 7) == "t";
  (void)absl::SimpleAtoi(r.Get(i, 8), &row.score);
  row.notes = std::string(r.Get(i, 9));
  row.rectification_deadline = std::string(r.Get(i, 10));
  row.reinspection_of = std::string(r.Get(i, 11));
  return row;
}

const char* Bool(bool b) { return b ? "true" : "false"; }

}  // namespace

absl::StatusOr<std::string> PgInspectionStore::CheckpointOf(const std::string& inspection_id) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  auto r = conn->Exec("SELECT checkpoint_id FROM checkpoint.inspections WHERE inspection_id = $1",
                      {inspection_id});
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return absl::NotFoundError("no inspection with this reinspection_of");
  return std::string(r->Get(0, 0));
}

absl::StatusOr<InspectionRow> PgInspectionStore::Insert(const InspectionRow& row, absl::Time now) {
  const std::string now_micros = std::to_string(absl::ToUnixMicros(now));
  InspectionRow stored = row;
  stored.inspected_at_micros = absl::ToUnixMicros(now);
  absl::Status s = pool_.Transaction([&](common::PgConn& conn) -> absl::Status {
    const std::string score = std::to_string(row.score);
    auto r = conn.Exec(
        absl::StrCat("INSERT INTO checkpoint.inspections (checkpoint_id, inspector_id, "
                     "inspected_at, posts_staffed, cadre_present, kit_complete, log_complete, "
                     "score, notes, rectification_deadline, reinspection_of) VALUES ($1, $2, ",
                     TimestampFromMicrosParam(3),
                     ", $4, $5, $6, $7, $8, $9, $10::date, $11::uuid) RETURNING inspection_id"),
        {row.checkpoint_id, row.inspector_id, now_micros, Bool(row.posts_staffed),
         Bool(row.cadre_present), Bool(row.kit_complete), Bool(row.log_complete), score, row.notes,
         row.rectification_deadline.empty() ? common::PgParam()
                                            : common::PgParam(row.rectification_deadline),
         row.reinspection_of.empty() ? common::PgParam() : common::PgParam(row.reinspection_of)});
    if (!r.ok()) return r.status();
    stored.inspection_id = std::string(r->Get(0, 0));
    if (!row.findings.empty()) {
      std::vector<std::string> texts;
      for (const FindingRow& f : row.findings) texts.push_back(f.text);
      auto f = conn.Exec(
          "INSERT INTO checkpoint.inspection_findings (inspection_id, position, text) "
          "SELECT $1, f.pos, f.t FROM unnest($2::text[]) WITH ORDINALITY AS f(t, pos) "
          "RETURNING finding_id, position",
          {stored.inspection_id, common::PgTextArray(texts)});
      if (!f.ok()) return f.status();
      for (int i = 0; i < f->rows(); ++i) {
        size_t position = 0;
        if (absl::SimpleAtoi(f->Get(i, 1), &position) && position >= 1 &&
            position <= stored.findings.size()) {
          stored.findings[position - 1].finding_id = std::string(f->Get(i, 0));
        }
      }
    }
    if (!row.reinspection_of.empty()) {
      auto c = conn.Exec(absl::StrCat("UPDATE checkpoint.inspection_findings SET closed_at = ",
                                      TimestampFromMicrosParam(2),
                                      ", closed_by_inspection = $1 "
                                      "WHERE inspection_id = $3 AND closed_at IS NULL"),
                         {stored.inspection_id, now_micros, row.reinspection_of});
      if (!c.ok()) return c.status();
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return stored;
}

absl::StatusOr<std::vector<InspectionRow>> PgInspectionStore::List(
    const std::string& checkpoint_id, const std::optional<InspectionPosition>& after, int limit) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  const std::string after_micros = after ? std::to_string(after->micros) : "";
  auto r = conn->Exec(
      absl::StrCat("SELECT ", kInspectionColumns,
                   " FROM checkpoint.inspections WHERE checkpoint_id = $1 "
                   "AND ($2::int8 IS NULL OR (inspected_at, inspection_id) < (",
                   TimestampFromMicrosParam(2),
                   ", $3::uuid)) ORDER BY inspected_at DESC, inspection_id DESC LIMIT $4"),
      {checkpoint_id, after ? common::PgParam(after_micros) : common::PgParam(),
       after ? common::PgParam(after->id) : common::PgParam(), std::to_string(limit)});
  if (!r.ok()) return r.status();
  std::vector<InspectionRow> rows;
  std::vector<std::string> ids;
  for (int i = 0; i < r->rows(); ++i) {
    rows.push_back(InspectionFrom(*r, i));
    ids.push_back(rows.back().inspection_id);
  }
  if (rows.empty()) return rows;
  auto f = conn->Exec(
      "SELECT inspection_id, finding_id, text, "
      "(extract(epoch from closed_at) * 1000000)::int8, "
      "COALESCE(closed_by_inspection::text, '') FROM checkpoint.inspection_findings "
      "WHERE inspection_id = ANY($1::uuid[]) ORDER BY inspection_id, position",
      {common::PgTextArray(ids)});
  if (!f.ok()) return f.status();
  std::map<std::string, InspectionRow*> by_id;
  for (InspectionRow& row : rows) by_id[row.inspection_id] = &row;
  for (int i = 0; i < f->rows(); ++i) {
    FindingRow finding;
    finding.finding_id = std::string(f->Get(i, 1));
    finding.text = std::string(f->Get(i, 2));
    finding.closed_at_micros = OptionalMicros(*f, i, 3);
    finding.closed_by_inspection = std::string(f->Get(i, 4));
    auto it = by_id.find(std::string(f->Get(i, 0)));
    if (it != by_id.end()) it->second->findings.push_back(std::move(finding));
  }
  return rows;
}

absl::StatusOr<std::vector<RatingRow>> PgInspectionStore::Ratings(const std::string& area_code,
                                                                  absl::Time since) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  // Area codes hold only [a-z0-9.-], so the LIKE pattern needs no escaping.
  auto r = conn->Exec(
      absl::StrCat("SELECT c.checkpoint_id, c.name, avg(i.score)::float8, count(i.inspection_id) "
                   "FROM checkpoint.checkpoints c LEFT JOIN checkpoint.inspections i "
                   "ON i.checkpoint_id = c.checkpoint_id AND i.inspected_at >= ",
                   TimestampFromMicrosParam(2),
                   " WHERE EXISTS (SELECT 1 FROM checkpoint.checkpoint_areas a "
                   "  WHERE a.checkpoint_id = c.checkpoint_id "
                   "  AND (a.area_code = $1 OR a.area_code LIKE $1 || '.%')) "
                   "GROUP BY c.checkpoint_id, c.name"),
      {area_code, std::to_string(absl::ToUnixMicros(since))});
  if (!r.ok()) return r.status();
  std::vector<RatingRow> rows;
  rows.reserve(r->rows());
  for (int i = 0; i < r->rows(); ++i) {
    RatingRow row;
    row.checkpoint_id = std::string(r->Get(i, 0));
    row.name = std::string(r->Get(i, 1));
    if (!r->IsNull(i, 2)) {
      double average = 0;
      if (absl::SimpleAtod(r->Get(i, 2), &average)) row.average_score = average;
    }
    (void)absl::SimpleAtoi(r->Get(i, 3), &row.inspection_count);
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace fangxian::checkpoint
