#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/area_sql.h"
#include "common/time_text.h"
#include "google/protobuf/util/time_util.h"
#include "services/publicity/material_store.h"

namespace fangxian::publicity {
namespace {

using google::protobuf::util::TimeUtil;

// Every column MaterialFrom reads, in order.
constexpr char kColumns[] =
    "material_id, kind, description, area_code, COALESCE(checkpoint_id::text, ''), place, "
    "quantity, to_char(installed_on, 'YYYY-MM-DD'), condition, "
    "COALESCE(to_char(replace_by, 'YYYY-MM-DD'), ''), version, created_by, "
    "(extract(epoch from created_at) * 1000000)::int8, updated_by, "
    "(extract(epoch from updated_at) * 1000000)::int8, "
    "COALESCE(to_char(removed_on, 'YYYY-MM-DD'), ''), COALESCE(removed_by, ''), "
    "COALESCE(removal_reason, '')";

// NeedsReplacement (material_rules.h) in SQL, as of the day in parameter `param`.
std::string NeedsReplacementSql(absl::string_view param) {
  return absl::StrCat("(condition IN (", v1::MATERIAL_CONDITION_DAMAGED, ", ",
                      v1::MATERIAL_CONDITION_MISSING, ") OR replace_by <= ", param, "::date)");
}

int64_t Int(const common::PgResult& r, int row, int col) {
  int64_t v = 0;
  if (!r.IsNull(row, col)) (void)absl::SimpleAtoi(r.Get(row, col), &v);
  return v;
}

v1::Material MaterialFrom(const common::PgResult& r, int i) {
  v1::Material out;
  out.set_material_id(std::string(r.Get(i, 0)));
  out.set_kind(static_cast<v1::MaterialKind>(Int(r, i, 1)));
  out.set_description(std::string(r.Get(i, 2)));
  out.set_area_code(std::string(r.Get(i, 3)));
  out.set_checkpoint_id(std::string(r.Get(i, 4)));
  out.set_place(std::string(r.Get(i, 5)));
  out.set_quantity(static_cast<int32_t>(Int(r, i, 6)));
  out.set_installed_on(std::string(r.Get(i, 7)));
  out.set_condition(static_cast<v1::MaterialCondition>(Int(r, i, 8)));
  out.set_replace_by(std::string(r.Get(i, 9)));
  out.set_version(static_cast<int32_t>(Int(r, i, 10)));
  out.set_created_by(std::string(r.Get(i, 11)));
  *out.mutable_create_time() = TimeUtil::MicrosecondsToTimestamp(Int(r, i, 12));
  out.set_updated_by(std::string(r.Get(i, 13)));
  *out.mutable_update_time() = TimeUtil::MicrosecondsToTimestamp(Int(r, i, 14));
  out.set_removed_on(std::string(r.Get(i, 15)));
  out.set_removed_by(std::string(r.Get(i, 16)));
  out.set_removal_reason(std::string(r.Get(i, 17)));
  return out;
}

common::PgParam NullIfEmpty(const std::string& s) {
  return s.empty() ? common::PgParam() : common::PgParam(s);
}

absl::Status NotFound() { return absl::NotFoundError("no material with this material_id"); }

}  // namespace

absl::StatusOr<v1::Material> PgMaterialStore::Insert(const v1::Material& in) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  auto r = conn->Exec(
      absl::StrCat("INSERT INTO publicity.materials (kind, description, area_code, checkpoint_id, "
                   "place, quantity, installed_on, condition, replace_by, created_by, updated_by) "
                   "VALUES ($1, $2, $3, $4::uuid, $5, $6, $7::date, $8, $9::date, $10, $10) "
                   "RETURNING ",
                   kColumns),
      {std::to_string(in.kind()), in.description(), in.area_code(), NullIfEmpty(in.checkpoint_id()),
       in.place(), std::to_string(in.quantity()), in.installed_on(), std::to_string(in.condition()),
       NullIfEmpty(in.replace_by()), in.created_by()});
  if (!r.ok()) return r.status();
  return MaterialFrom(*r, 0);
}

absl::StatusOr<v1::Material> PgMaterialStore::Get(const std::string& material_id) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  auto r = conn->Exec(
      absl::StrCat("SELECT ", kColumns, " FROM publicity.materials WHERE material_id = $1"),
      {material_id});
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return NotFound();
  return MaterialFrom(*r, 0);
}

absl::StatusOr<v1::Material> PgMaterialStore::Update(const v1::Material& next,
                                                     int expected_version) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  // One statement, guarded by the version: a concurrent change makes it match no row.
  auto r = conn->Exec(
      absl::StrCat("UPDATE publicity.materials SET kind = $3, description = $4, area_code = $5, "
                   "checkpoint_id = $6::uuid, place = $7, quantity = $8, condition = $9, "
                   "replace_by = $10::date, updated_by = $11, updated_at = now(), "
                   "removed_on = $12::date, removed_by = $13, removal_reason = $14, "
                   "version = version + 1 WHERE material_id = $1 AND version = $2 RETURNING ",
                   kColumns),
      {next.material_id(), std::to_string(expected_version), std::to_string(next.kind()),
       next.description(), next.area_code(), NullIfEmpty(next.checkpoint_id()), next.place(),
       std::to_string(next.quantity()), std::to_string(next.condition()),
       NullIfEmpty(next.replace_by()), next.updated_by(), NullIfEmpty(next.removed_on()),
       NullIfEmpty(next.removed_by()), NullIfEmpty(next.removal_reason())});
  if (!r.ok()) return r.status();
  if (r->rows() == 1) return MaterialFrom(*r, 0);
  auto exists = conn->Exec("SELECT version FROM publicity.materials WHERE material_id = $1",
                           {next.material_id()});
  if (!exists.ok()) return exists.status();
  if (exists->rows() == 0) return NotFound();
  return absl::AbortedError(absl::StrCat("the material changed meanwhile (now version ",
                                         exists->Get(0, 0), ", expected_version ", expected_version,
                                         "); read it again and retry"));
}

absl::StatusOr<std::vector<v1::Material>> PgMaterialStore::List(
    const MaterialFilter& f, const std::optional<common::TimeIdPosition>& after, int limit) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  const std::optional<std::string> after_time =
      after ? std::optional<std::string>(common::Rfc3339Micros(absl::FromUnixMicros(after->micros)))
            : std::nullopt;
  const std::optional<std::string> due_by =
      f.due_by ? std::optional<std::string>(common::IsoDate(*f.due_by)) : std::nullopt;
  auto r = conn->Exec(
      absl::StrCat("SELECT ", kColumns,
                   " FROM publicity.materials "
                   "WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) s WHERE ",
                   common::AreaAtOrBelowSql("area_code", "s"),
                   ") AND ($2::int = 0 OR kind = $2) AND ($3::int = 0 OR condition = $3) "
                   "AND ($4::date IS NULL OR ",
                   NeedsReplacementSql("$4"),
                   ") AND ($5::bool OR removed_on IS NULL) "
                   "AND ($6::timestamptz IS NULL OR (created_at, material_id) < ($6, $7::uuid)) "
                   "ORDER BY created_at DESC, material_id DESC LIMIT $8"),
      {common::PgTextArray(f.areas), std::to_string(f.kind), std::to_string(f.condition),
       due_by ? common::PgParam(*due_by) : common::PgParam(), f.include_removed ? "true" : "false",
       after_time ? common::PgParam(*after_time) : common::PgParam(),
       after ? common::PgParam(after->id) : common::PgParam(), std::to_string(limit)});
  if (!r.ok()) return r.status();
  std::vector<v1::Material> out;
  for (int i = 0; i < r->rows(); ++i) out.push_back(MaterialFrom(*r, i));
  return out;
}

absl::StatusOr<std::vector<MaterialGroup>> PgMaterialStore::Totals(const std::string& area,
                                                                   absl::CivilDay today) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  auto r = conn->Exec(
      absl::StrCat("SELECT ", common::ChildAreaSql("area_code", "$1"),
                   " AS g, kind, condition, COALESCE(replace_by <= $2::date, false) AS reached, "
                   "sum(quantity), count(*) FROM publicity.materials WHERE removed_on IS NULL "
                   "AND installed_on <= $2::date AND ",
                   common::AreaAtOrBelowSql("area_code", "$1"),
                   " GROUP BY GROUPING SETS ((g, kind, condition, reached), "
                   "(kind, condition, reached))"),
      {area, common::IsoDate(today)});
  if (!r.ok()) return r.status();
  std::vector<MaterialGroup> out;
  for (int i = 0; i < r->rows(); ++i) {
    MaterialGroup g;
    if (!r->IsNull(i, 0)) g.child_area = std::string(r->Get(i, 0));
    g.kind = static_cast<int>(Int(*r, i, 1));
    g.condition = static_cast<int>(Int(*r, i, 2));
    g.replace_by_reached = r->Get(i, 3) == "t";
    g.quantity = Int(*r, i, 4);
    g.materials = Int(*r, i, 5);
    out.push_back(std::move(g));
  }
  return out;
}

}  // namespace fangxian::publicity
