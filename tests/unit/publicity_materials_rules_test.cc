// The rules of the materials inventory (field checks, updates, when a material needs
// replacement, how totals are summed) and of the publicity statistics' period.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "services/publicity/material_rules.h"
#include "services/publicity/statistics_rules.h"

namespace fangxian::publicity {
namespace {

const absl::CivilDay kToday(2026, 3, 10);

::testing::AssertionResult RefusedNaming(const absl::Status& s, const std::string& field) {
  if (s.code() == absl::StatusCode::kInvalidArgument &&
      s.message().find(field) != absl::string_view::npos) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "want INVALID_ARGUMENT naming " << field << ", got " << s;
}

v1::Material Board() {
  v1::Material m;
  m.set_kind(v1::MATERIAL_KIND_BOARD);
  m.set_description("防疫知识宣传板");
  m.set_area_code("gongyi.dufulu.longhai");
  m.set_place("东门外侧");
  m.set_quantity(12);
  m.set_installed_on("2026-02-01");
  m.set_condition(v1::MATERIAL_CONDITION_GOOD);
  m.set_replace_by("2026-06-01");
  return m;
}

TEST(MaterialRulesTest, AValidMaterialIsAccepted) {
  EXPECT_TRUE(ValidateMaterial(Board(), "material.").ok());
  v1::Material m = Board();
  m.clear_description();
  m.clear_place();
  m.clear_replace_by();
  m.set_checkpoint_id("123e4567-e89b-12d3-a456-426614174000");
  m.set_quantity(kMaxMaterialQuantity);
  EXPECT_TRUE(ValidateMaterial(m, "material.").ok());
  m.set_quantity(1);
  m.set_replace_by(m.installed_on());  // replaced the day it went up: allowed
  EXPECT_TRUE(ValidateMaterial(m, "material.").ok());
}

TEST(MaterialRulesTest, BadFieldsAreRefusedNamingTheField) {
  struct Case {
    std::function<void(v1::Material&)> mutate;
    std::string field;
  };
  const std::vector<Case> cases = {
      {[](v1::Material& m) { m.set_kind(v1::MATERIAL_KIND_UNSPECIFIED); }, "material.kind"},
      {[](v1::Material& m) { m.set_kind(static_cast<v1::MaterialKind>(42)); }, "material.kind"},
      {[](v1::Material& m) { m.set_condition(v1::MATERIAL_CONDITION_UNSPECIFIED); },
       "material.condition"},
      {[](v1::Material& m) { m.set_condition(static_cast<v1::MaterialCondition>(9)); },
       "material.condition"},
      {[](v1::Material& m) { m.set_quantity(0); }, "material.quantity"},
      {[](v1::Material& m) { m.set_quantity(-3); }, "material.quantity"},
      {[](v1::Material& m) { m.set_quantity(kMaxMaterialQuantity + 1); }, "material.quantity"},
      {[](v1::Material& m) { m.clear_area_code(); }, "material.area_code"},
      {[](v1::Material& m) { m.set_area_code("Gongyi..x"); }, "material.area_code"},
      {[](v1::Material& m) { m.set_checkpoint_id("gate-1"); }, "material.checkpoint_id"},
      {[](v1::Material& m) { m.set_description(std::string(201, 'd')); }, "material.description"},
      {[](v1::Material& m) { m.set_place("a\nb"); }, "material.place"},
      {[](v1::Material& m) { m.clear_installed_on(); }, "material.installed_on"},
      {[](v1::Material& m) { m.set_installed_on("2026-02-30"); }, "material.installed_on"},
      {[](v1::Material& m) { m.set_installed_on("1/2/2026"); }, "material.installed_on"},
      {[](v1::Material& m) { m.set_replace_by("2026-13-01"); }, "material.replace_by"},
      {[](v1::Material& m) { m.set_replace_by("2026-01-31"); }, "material.replace_by"},
  };
  for (const Case& c : cases) {
    v1::Material m = Board();
    c.mutate(m);
    EXPECT_TRUE(RefusedNaming(ValidateMaterial(m, "material."), c.field)) << c.field;
  }
}

v1::UpdateMaterialRequest Update() {
  v1::UpdateMaterialRequest req;
  req.set_material_id("123e4567-e89b-12d3-a456-426614174000");
  req.set_expected_version(3);
  return req;
}

TEST(MaterialRulesTest, AnUpdateChangesOnlyTheFieldsItGives) {
  v1::Material current = Board();
  current.set_version(3);
  current.set_checkpoint_id("123e4567-e89b-12d3-a456-426614174001");
  v1::UpdateMaterialRequest req = Update();
  req.set_condition(v1::MATERIAL_CONDITION_DAMAGED);
  req.set_quantity(7);
  absl::StatusOr<v1::Material> next = ApplyMaterialUpdate(current, req);
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->condition(), v1::MATERIAL_CONDITION_DAMAGED);
  EXPECT_EQ(next->quantity(), 7);
  EXPECT_EQ(next->replace_by(), "2026-06-01");
  EXPECT_EQ(next->place(), current.place());
  EXPECT_EQ(next->area_code(), current.area_code());
  EXPECT_EQ(next->version(), 3);

  // Empty strings clear what may be cleared.
  req = Update();
  req.set_replace_by("");
  req.set_place("");
  req.set_checkpoint_id("");
  next = ApplyMaterialUpdate(current, req);
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->replace_by(), "");
  EXPECT_EQ(next->place(), "");
  EXPECT_EQ(next->checkpoint_id(), "");
  EXPECT_EQ(next->condition(), v1::MATERIAL_CONDITION_GOOD);
  EXPECT_EQ(next->quantity(), 12);
}

TEST(MaterialRulesTest, BadUpdatesAreRefusedNamingTheField) {
  const v1::Material current = Board();
  struct Case {
    std::function<void(v1::UpdateMaterialRequest&)> mutate;
    std::string field;
  };
  const std::vector<Case> cases = {
      {[](v1::UpdateMaterialRequest& r) { r.set_material_id("x"); }, "material_id"},
      {[](v1::UpdateMaterialRequest& r) { r.set_expected_version(0); }, "expected_version"},
      {[](v1::UpdateMaterialRequest& r) { r.set_quantity(0); }, "quantity"},
      {[](v1::UpdateMaterialRequest& r) { r.set_quantity(-1); }, "quantity"},
      {[](v1::UpdateMaterialRequest& r) { r.set_quantity(100001); }, "quantity"},
      {[](v1::UpdateMaterialRequest& r) { r.set_condition(static_cast<v1::MaterialCondition>(7)); },
       "condition"},
      {[](v1::UpdateMaterialRequest& r) { r.set_replace_by("2026-02-29"); }, "replace_by"},
      // Before installed_on (2026-02-01): caught once merged with the material.
      {[](v1::UpdateMaterialRequest& r) { r.set_replace_by("2026-01-15"); }, "replace_by"},
      {[](v1::UpdateMaterialRequest& r) { r.set_area_code("a..b"); }, "area_code"},
      {[](v1::UpdateMaterialRequest& r) { r.set_checkpoint_id("nope"); }, "checkpoint_id"},
      {[](v1::UpdateMaterialRequest& r) { r.set_place(std::string(201, 'p')); }, "place"},
  };
  for (const Case& c : cases) {
    v1::UpdateMaterialRequest req = Update();
    c.mutate(req);
    EXPECT_TRUE(RefusedNaming(ApplyMaterialUpdate(current, req).status(), c.field)) << c.field;
  }
}

TEST(MaterialRulesTest, ReplacementIsNeededWhenDamagedMissingOrDue) {
  EXPECT_FALSE(NeedsReplacement(v1::MATERIAL_CONDITION_GOOD, false));
  EXPECT_FALSE(NeedsReplacement(v1::MATERIAL_CONDITION_WORN, false));
  EXPECT_TRUE(NeedsReplacement(v1::MATERIAL_CONDITION_DAMAGED, false));
  EXPECT_TRUE(NeedsReplacement(v1::MATERIAL_CONDITION_MISSING, false));
  EXPECT_TRUE(NeedsReplacement(v1::MATERIAL_CONDITION_GOOD, true));

  // The replace-by day itself counts as reached; the day after it does not yet.
  EXPECT_TRUE(ReplaceByReached("2026-03-10", kToday));
  EXPECT_TRUE(ReplaceByReached("2025-12-31", kToday));
  EXPECT_FALSE(ReplaceByReached("2026-03-11", kToday));
  EXPECT_FALSE(ReplaceByReached("", kToday));
}

TEST(MaterialRulesTest, TotalsListEveryKindAndSumPerChildArea) {
  const std::string area = "gongyi.dufulu";
  const std::string longhai = "gongyi.dufulu.longhai";
  const std::string yimin = "gongyi.dufulu.yimin";
  std::vector<MaterialGroup> groups = {
      // The whole area.
      {std::nullopt, v1::MATERIAL_KIND_BOARD, v1::MATERIAL_CONDITION_GOOD, false, 30, 3},
      {std::nullopt, v1::MATERIAL_KIND_BOARD, v1::MATERIAL_CONDITION_GOOD, true, 5, 1},
      {std::nullopt, v1::MATERIAL_KIND_BOARD, v1::MATERIAL_CONDITION_DAMAGED, false, 2, 1},
      {std::nullopt, v1::MATERIAL_KIND_BANNER, v1::MATERIAL_CONDITION_WORN, false, 100, 2},
      {std::nullopt, v1::MATERIAL_KIND_VEHICLE, v1::MATERIAL_CONDITION_MISSING, false, 1, 1},
      // Per child area (yimin before longhai: the answer sorts them).
      {yimin, v1::MATERIAL_KIND_BANNER, v1::MATERIAL_CONDITION_WORN, false, 100, 2},
      {longhai, v1::MATERIAL_KIND_BOARD, v1::MATERIAL_CONDITION_GOOD, false, 30, 3},
      {longhai, v1::MATERIAL_KIND_BOARD, v1::MATERIAL_CONDITION_GOOD, true, 5, 1},
      {longhai, v1::MATERIAL_KIND_BOARD, v1::MATERIAL_CONDITION_DAMAGED, false, 2, 1},
      {longhai, v1::MATERIAL_KIND_VEHICLE, v1::MATERIAL_CONDITION_MISSING, false, 1, 1},
      // A kind this build does not know is left out.
      {std::nullopt, 77, v1::MATERIAL_CONDITION_GOOD, false, 9, 9},
  };
  const v1::MaterialTotals t = BuildMaterialTotals(area, kToday, groups);
  EXPECT_EQ(t.area_code(), area);
  EXPECT_EQ(t.as_of_day(), "2026-03-10");
  ASSERT_EQ(t.kinds_size(), 5);  // board, banner, vehicle, poster, other
  EXPECT_EQ(t.kinds(0).kind(), v1::MATERIAL_KIND_BOARD);
  EXPECT_EQ(t.kinds(0).quantity(), 37);
  EXPECT_EQ(t.kinds(0).materials(), 5);
  EXPECT_EQ(t.kinds(0).quantity_needing_replacement(), 7);  // 5 due + 2 damaged
  EXPECT_EQ(t.kinds(1).kind(), v1::MATERIAL_KIND_BANNER);
  EXPECT_EQ(t.kinds(1).quantity(), 100);
  EXPECT_EQ(t.kinds(1).quantity_needing_replacement(), 0);  // worn is not yet due
  EXPECT_EQ(t.kinds(2).quantity_needing_replacement(), 1);  // missing
  EXPECT_EQ(t.kinds(3).kind(), v1::MATERIAL_KIND_POSTER);
  EXPECT_EQ(t.kinds(3).quantity(), 0);
  EXPECT_EQ(t.kinds(4).kind(), v1::MATERIAL_KIND_OTHER);
  ASSERT_EQ(t.child_areas_size(), 2);
  EXPECT_EQ(t.child_areas(0).area_code(), longhai);
  ASSERT_EQ(t.child_areas(0).kinds_size(), 5);
  EXPECT_EQ(t.child_areas(0).kinds(0).quantity(), 37);
  EXPECT_EQ(t.child_areas(0).kinds(0).quantity_needing_replacement(), 7);
  EXPECT_EQ(t.child_areas(0).kinds(1).quantity(), 0);
  EXPECT_EQ(t.child_areas(1).area_code(), yimin);
  EXPECT_EQ(t.child_areas(1).kinds(1).quantity(), 100);
  EXPECT_EQ(t.child_areas(1).kinds(1).materials(), 2);

  const v1::MaterialTotals none = BuildMaterialTotals(area, kToday, {});
  EXPECT_EQ(none.kinds_size(), 5);
  EXPECT_EQ(none.child_areas_size(), 0);
}

v1::GetPublicityFiguresRequest Period(const std::string& area, const std::string& start,
                                      const std::string& end) {
  v1::GetPublicityFiguresRequest req;
  req.set_area_code(area);
  req.set_from_date(start);
  req.set_to_date(end);
  return req;
}

TEST(StatisticsRulesTest, PeriodsUpTo366DaysAreAccepted) {
  absl::CivilDay start;
  absl::CivilDay end;
  ASSERT_TRUE(
      ValidateFiguresRequest(Period("gongyi.dufulu", "2026-03-10", "2026-03-10"), &start, &end)
          .ok());
  EXPECT_EQ(start, absl::CivilDay(2026, 3, 10));
  EXPECT_EQ(end, absl::CivilDay(2026, 3, 10));
  // 2024 is a leap year: 366 days from January 1 to December 31.
  EXPECT_TRUE(
      ValidateFiguresRequest(Period("gongyi", "2024-01-01", "2024-12-31"), &start, &end).ok());
  EXPECT_EQ(end - start + 1, kMaxFigurePeriodDays);
}

TEST(StatisticsRulesTest, BadPeriodsAreRefusedNamingTheField) {
  absl::CivilDay start;
  absl::CivilDay end;
  EXPECT_TRUE(RefusedNaming(
      ValidateFiguresRequest(Period("", "2026-03-01", "2026-03-02"), &start, &end), "area_code"));
  EXPECT_TRUE(RefusedNaming(
      ValidateFiguresRequest(Period("Gongyi", "2026-03-01", "2026-03-02"), &start, &end),
      "area_code"));
  EXPECT_TRUE(RefusedNaming(
      ValidateFiguresRequest(Period("gongyi", "2026-3-1", "2026-03-02"), &start, &end),
      "from_date"));
  EXPECT_TRUE(RefusedNaming(
      ValidateFiguresRequest(Period("gongyi", "", "2026-03-02"), &start, &end), "from_date"));
  EXPECT_TRUE(RefusedNaming(
      ValidateFiguresRequest(Period("gongyi", "2026-03-01", "2026-02-29"), &start, &end),
      "to_date"));
  EXPECT_TRUE(RefusedNaming(
      ValidateFiguresRequest(Period("gongyi", "2026-03-02", "2026-03-01"), &start, &end),
      "to_date must not be before from_date"));
  // 367 days.
  EXPECT_TRUE(RefusedNaming(
      ValidateFiguresRequest(Period("gongyi", "2024-01-01", "2025-01-01"), &start, &end),
      "366 days"));
}

}  // namespace
}  // namespace fangxian::publicity
