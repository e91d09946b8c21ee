// ImportResidents and ExportResidents against the real identity_server: the per-row
// report, nothing stored for rejected rows, idempotent re-import, dry runs, scope, size
// limits, masked and audited export.
#include <gtest/gtest.h>

#include <cstdio>
#include <tuple>

#include "fangxian/identity/v1/areas.grpc.pb.h"
#include "fangxian/identity/v1/households.grpc.pb.h"
#include "fangxian/identity/v1/import.grpc.pb.h"
#include "services/identity/id_number.h"
#include "tests/support/grpc_client.h"
#include "tests/support/service_under_test.h"
#include "tests/support/test_env.h"

namespace fangxian::testing {
namespace {

using namespace identity::v1;  // NOLINT

constexpr char kLonghai[] = "gongyi.dufulu.longhai";

std::string ValidId(const std::string& first17) {
  return first17 + identity::IdCheckCharacter(first17);
}

// A wrong check character: the number is valid in every other way.
std::string BadCheckId(const std::string& first17) {
  const char good = identity::IdCheckCharacter(first17);
  return first17 + (good == '0' ? '1' : '0');
}

class ResidentImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sut_ = std::make_unique<ServiceUnderTest>("services/identity/identity_server", "resimport",
                                              tokens_, IdentityKeysEnv());
    ASSERT_TRUE(sut_->WaitUntilServing());
    stub_ = ResidentImportService::NewStub(sut_->channel());
    registrar_ = tokens_.Mint("registrar-1", {"info_registrar"}, {kLonghai});
    admin_ = tokens_.Mint("admin-1", {"community_admin"}, {kLonghai});
    other_admin_ = tokens_.Mint("admin-2", {"community_admin"}, {"gongyi.dufulu.yimin"});
    volunteer_ = tokens_.Mint("vol-1", {"volunteer"}, {kLonghai});
  }

  grpc::Status Import(const std::string& token, const std::string& csv, bool dry_run,
                      ImportResidentsResponse* out, const std::string& area = kLonghai) {
    ImportResidentsRequest req;
    req.set_csv(csv);
    req.set_area_code(area);
    req.set_dry_run(dry_run);
    return stub_->ImportResidents(CallContextWith(token).get(), req, out);
  }

  grpc::Status Export(const std::string& token, const std::string& area,
                      ExportResidentsResponse* out) {
    ExportResidentsRequest req;
    req.set_area_code(area);
    return stub_->ExportResidents(CallContextWith(token).get(), req, out);
  }

  std::string Residents() { return sut_->Count("identity.residents"); }
  std::string Audit(const std::string& action) {
    return sut_->Query("SELECT count(*) FROM identity.audit_log WHERE action = '" + action +
                       "'")[0];
  }

  TestTokens tokens_;
  std::unique_ptr<ServiceUnderTest> sut_;
  std::unique_ptr<ResidentImportService::Stub> stub_;
  std::string registrar_, admin_, other_admin_, volunteer_;
};

// A mixed file: two new residents, one repeated in the file, six rejected rows.
std::string MixedFile() {
  return "\xEF\xBB\xBFName, ID_Number ,phone,area_code\r\n"  // 1
         "张三," +
         ValidId("41018119900307101") + ",13812345678," + kLonghai +
         ".jingyuan\r\n"  // 2
         "\"Li, Si\"," +
         ValidId("41018119900307102") + ",," + kLonghai +
         "\r\n"  // 3
         "王五," +
         BadCheckId("41018119900307103") + ",," + kLonghai +
         "\r\n"  // 4
         "赵六," +
         ValidId("41018119900307104") + ",12345," + kLonghai +
         "\r\n"  // 5
         "外区," +
         ValidId("41018119900307105") +
         ",,gongyi.dufulu.yimin\r\n"  // 6
         "short," +
         ValidId("41018119900307106") +
         "\r\n"  // 7
         "," +
         ValidId("41018119900307107") + ",," + kLonghai +
         "\r\n"  // 8
         "\r\n"  // 9
         "\"two\nlines\"," +
         ValidId("41018119900307108") + ",," + kLonghai +
         "\r\n"  // 10-11
         "张三又," +
         ValidId("41018119900307101") + ",," + kLonghai + "\r\n";  // 12
}

TEST_F(ResidentImportTest, MixedFileReportsEachRejectedRowAndStoresOnlyTheGoodOnes) {
  ImportResidentsResponse out;
  grpc::Status st = Import(registrar_, MixedFile(), false, &out);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(out.accepted_count(), 3);
  EXPECT_EQ(out.created_count(), 2);
  EXPECT_EQ(out.already_present_count(), 1);
  EXPECT_EQ(out.rejected_count(), 6);
  EXPECT_FALSE(out.rejections_truncated());
  std::vector<std::string> got;
  for (const ImportRejection& r : out.rejections()) {
    got.push_back(std::to_string(r.line()) + ":" + r.column());
    // The reason never repeats the ID number.
    EXPECT_EQ(r.reason().find("4101811990030710"), std::string::npos) << r.reason();
  }
  EXPECT_EQ(got, (std::vector<std::string>{"4:id_number", "5:phone", "6:area_code", "7:", "8:name",
                                           "10:name"}));
  EXPECT_EQ(out.rejections(3).reason(), "expected 4 fields as in the header, found 2");
  EXPECT_EQ(Residents(), "2");
  EXPECT_EQ(sut_->Query("SELECT string_agg(name || '@' || area_code || '@' || phone, '|' "
                        "ORDER BY name) FROM identity.residents")[0],
            std::string("Li, Si@") + kLonghai + "@|张三@" + kLonghai + ".jingyuan@13812345678");
  // One audit row per created resident, with the line and no personal data.
  auto audit = sut_->Query(
      "SELECT actor || '|' || details FROM identity.audit_log WHERE action = "
      "'resident.import' ORDER BY details");
  EXPECT_EQ(audit, (std::vector<std::string>{"registrar-1|csv line 2", "registrar-1|csv line 3"}));

  // Re-importing the same file creates nothing.
  ImportResidentsResponse again;
  ASSERT_TRUE(Import(registrar_, MixedFile(), false, &again).ok());
  EXPECT_EQ(again.accepted_count(), 3);
  EXPECT_EQ(again.created_count(), 0);
  EXPECT_EQ(again.already_present_count(), 3);
  EXPECT_EQ(again.rejected_count(), 6);
  EXPECT_EQ(Residents(), "2");
  EXPECT_EQ(Audit("resident.import"), "2");
}

// Several batches, with repeats inside the file and across runs: every accepted row is
// committed exactly once, and each created resident has its audit row.
TEST_F(ResidentImportTest, LargeFilesAreCommittedInBatchesWithoutDuplicates) {
  std::string csv = "name,id_number,phone,area_code\n";
  for (int i = 0; i < 1200; ++i) {
    char first17[18];
    std::snprintf(first17, sizeof first17, "4101811980%02d%02d%03d", 1 + i % 12, 1 + i % 28,
                  i / 336);
    csv += "居民" + std::to_string(i) + "," + ValidId(first17) + ",," + kLonghai + "\n";
  }
  ImportResidentsResponse out;
  ASSERT_TRUE(Import(registrar_, csv, false, &out).ok());
  EXPECT_EQ(out.rejected_count(), 0);
  EXPECT_EQ(out.accepted_count(), 1200);
  // (month, day) pairs recur every 84 rows and the sequence changes every 336: 336
  // distinct numbers, each repeated within the file and within a batch.
  EXPECT_EQ(out.created_count(), 336);
  EXPECT_EQ(out.already_present_count(), 864);
  const std::string created = std::to_string(out.created_count());
  EXPECT_EQ(Residents(), created);
  EXPECT_EQ(Audit("resident.import"), created);

  ASSERT_TRUE(Import(registrar_, csv, false, &out).ok());
  EXPECT_EQ(out.created_count(), 0);
  EXPECT_EQ(out.already_present_count(), 1200);
  EXPECT_EQ(Residents(), created);
}

TEST_F(ResidentImportTest, DryRunCountsButWritesNothing) {
  ImportResidentsResponse out;
  ASSERT_TRUE(Import(admin_, MixedFile(), true, &out).ok());
  EXPECT_TRUE(out.dry_run());
  EXPECT_EQ(out.created_count(), 2);
  EXPECT_EQ(out.already_present_count(), 1);
  EXPECT_EQ(out.rejected_count(), 6);
  EXPECT_EQ(Residents(), "0");
  EXPECT_EQ(Audit("resident.import"), "0");
}

TEST_F(ResidentImportTest, RequestLevelRefusals) {
  ImportResidentsResponse out;
  const std::string header = "name,id_number,phone,area_code\n";
  // The import area outside the caller's scope.
  EXPECT_EQ(Import(admin_, header, false, &out, "gongyi.dufulu.yimin").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // A volunteer may not import at all.
  EXPECT_EQ(Import(volunteer_, header, false, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // No header.
  grpc::Status st =
      Import(admin_, "张三," + ValidId("41018119900307101") + ",," + kLonghai, false, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(st.error_message().find("header"), std::string::npos) << st.error_message();
  EXPECT_EQ(st.error_message().find("41018119900307101"), std::string::npos);
  EXPECT_EQ(Import(admin_, "", false, &out).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  // Over 4 MiB: refused before any row is read.
  std::string big = header;
  big.resize((4 << 20) + 1, 'x');
  st = Import(admin_, big, false, &out);
  EXPECT_TRUE(st.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED ||
              st.error_code() == grpc::StatusCode::INVALID_ARGUMENT)
      << st.error_code() << " " << st.error_message();
  EXPECT_EQ(Residents(), "0");
}

TEST_F(ResidentImportTest, RowsJoinTheHouseholdNamedByItsCardNumber) {
  // A compound with one household whose head registered the usual way.
  const std::string admin = tokens_.Mint("sub", {"subdistrict_admin"}, {"gongyi"});
  auto areas = AreaService::NewStub(sut_->channel());
  for (const auto& [parent, code, level] :
       std::vector<std::tuple<std::string, std::string, AreaLevel>>{
           {"gongyi", "dufulu", AREA_LEVEL_SUBDISTRICT},
           {"gongyi.dufulu", "longhai", AREA_LEVEL_COMMUNITY},
           {"gongyi.dufulu.longhai", "jingyuan", AREA_LEVEL_COMPOUND}}) {
    CreateAreaRequest req;
    req.set_parent_path(parent);
    req.set_code(code);
    req.set_name(code);
    req.set_level(level);
    Area area;
    ASSERT_TRUE(areas->CreateArea(CallContextWith(admin).get(), req, &area).ok());
  }
  const std::string compound = "gongyi.dufulu.longhai.jingyuan";
  ImportResidentsResponse out;
  ASSERT_TRUE(Import(registrar_,
                     "name,id_number,phone,area_code\n户主," + ValidId("41018119700101300") + ",," +
                         compound + "\n",
                     false, &out)
                  .ok());
  const std::string head =
      sut_->Query("SELECT resident_id FROM identity.residents WHERE name = '户主'")[0];
  auto households = HouseholdService::NewStub(sut_->channel());
  CreateHouseholdRequest create;
  create.set_area_code(compound);
  create.set_room("1-101");
  create.set_head_resident_id(head);
  Household household;
  ASSERT_TRUE(
      households->CreateHousehold(CallContextWith(registrar_).get(), create, &household).ok());

  const std::string csv =
      "name,id_number,phone,area_code,household_card_number\n"
      "妻子," +
      ValidId("41018119720202301") + ",," + compound + "," + household.card_number() +
      "\n"
      "孩子," +
      ValidId("41018120100303302") + ",," + compound +
      ",\n"
      "别人," +
      ValidId("41018119800404303") + ",," + compound +
      ",HK-NOPE2345\n"
      "外区," +
      ValidId("41018119800505304") + ",," + kLonghai + "," + household.card_number() + "\n";
  ASSERT_TRUE(Import(registrar_, csv, false, &out).ok());
  EXPECT_EQ(out.created_count(), 2);
  ASSERT_EQ(out.rejections_size(), 2);
  EXPECT_EQ(out.rejections(0).line(), 4);
  EXPECT_EQ(out.rejections(0).column(), "household_card_number");
  EXPECT_EQ(out.rejections(1).line(), 5);  // lives above the household's compound
  EXPECT_EQ(sut_->Query("SELECT string_agg(r.name, ',' ORDER BY r.name) "
                        "FROM identity.household_members m JOIN identity.residents r "
                        "ON r.resident_id = m.resident_id WHERE m.household_id = '" +
                        household.household_id() + "'")[0],
            "妻子,户主");
  EXPECT_EQ(Audit("household.member_add"), "1");
}

TEST_F(ResidentImportTest, ExportIsMaskedAuditedAndForAdminsInScopeOnly) {
  ImportResidentsResponse imported;
  ASSERT_TRUE(Import(registrar_, MixedFile(), false, &imported).ok());
  ExportResidentsResponse out;
  grpc::Status st = Export(admin_, kLonghai, &out);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(out.row_count(), 2);
  const std::string& csv = out.csv();
  EXPECT_EQ(csv.rfind("resident_id,name,id_number,phone,area_code,visitor,moved_out_time\r\n", 0),
            0u);
  EXPECT_NE(csv.find("\"Li, Si\""), std::string::npos) << csv;
  EXPECT_NE(csv.find(identity::MaskIdNumber(ValidId("41018119900307101"))), std::string::npos);
  EXPECT_NE(csv.find("138****5678"), std::string::npos);
  EXPECT_EQ(csv.find(ValidId("41018119900307101")), std::string::npos);
  EXPECT_EQ(csv.find("13812345678"), std::string::npos);
  auto audit = sut_->Query(
      "SELECT actor || '|' || area_code || '|' || details FROM identity.audit_log "
      "WHERE action = 'resident.export'");
  EXPECT_EQ(audit, (std::vector<std::string>{std::string("admin-1|") + kLonghai +
                                             "|rows: 2, include_moved_out: false"}));

  // Refused: a volunteer, a registrar (import only), an admin of another community.
  EXPECT_EQ(Export(volunteer_, kLonghai, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Export(registrar_, kLonghai, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Export(other_admin_, kLonghai, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Export(admin_, "Not A Path", &out).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Audit("resident.export"), "1");
}

}  // namespace
}  // namespace fangxian::testing
