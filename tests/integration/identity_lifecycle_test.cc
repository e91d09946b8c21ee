// UpdateResident, MoveOutResident and SearchResidents against the real identity_server:
// rejections store nothing, changes are audited, caches never serve stale data, and
// scope answers NOT_FOUND.
#include <gtest/gtest.h>

#include "common/redis.h"
#include "fangxian/identity/v1/identity.grpc.pb.h"
#include "services/identity/id_number.h"
#include "services/identity/passes.h"
#include "services/identity/residents.h"
#include "tests/support/grpc_client.h"
#include "tests/support/service_under_test.h"
#include "tests/support/test_env.h"

namespace fangxian::testing {
namespace {

using namespace identity::v1;  // NOLINT

constexpr char kJingyuan[] = "gongyi.dufulu.longhai.jingyuan";

std::string ValidId(const std::string& first17) {
  return first17 + identity::IdCheckCharacter(first17);
}

class IdentityLifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto env = IdentityKeysEnv();
    // No in-memory summaries: a resolve after a change reads Redis or PostgreSQL, so the
    // test sees whether the Redis entries were dropped.
    env["FX_LOCAL_CACHE_MS"] = "0";
    sut_ = std::make_unique<ServiceUnderTest>("services/identity/identity_server", "lifecycle",
                                              tokens_, env);
    ASSERT_TRUE(sut_->WaitUntilServing());
    stub_ = IdentityService::NewStub(sut_->channel());
    admin_ = tokens_.Mint("admin-1", {"community_admin"}, {"gongyi.dufulu.longhai"});
    registrar_ = tokens_.Mint("registrar-1", {"subdistrict_admin"}, {"gongyi.dufulu"});
    gate_ = tokens_.Mint("gate-1", {"code_verifier"}, {"gongyi.dufulu"});
    common::RedisPool::Options redis;
    ASSERT_TRUE(common::ParseRedisAddress(RedisAddr(), &redis).ok());
    cache_ = std::make_unique<common::RedisPool>(redis);
  }

  std::string Register(const std::string& name, const std::string& first17,
                       const std::string& area = kJingyuan, const std::string& phone = "") {
    CreateResidentRequest req;
    req.mutable_resident()->set_name(name);
    req.mutable_resident()->set_id_number(ValidId(first17));
    req.mutable_resident()->set_phone(phone);
    req.mutable_resident()->set_area_code(area);
    Resident out;
    grpc::Status st = stub_->CreateResident(CallContextWith(registrar_).get(), req, &out);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return out.resident_id();
  }

  grpc::Status Get(const std::string& token, const std::string& id, Resident* out) {
    GetResidentRequest req;
    req.set_resident_id(id);
    return stub_->GetResident(CallContextWith(token).get(), req, out);
  }

  grpc::Status Update(const std::string& token, const std::string& id, const Resident& values,
                      std::initializer_list<const char*> paths, Resident* out) {
    UpdateResidentRequest req;
    req.set_resident_id(id);
    *req.mutable_resident() = values;
    for (const char* p : paths) req.mutable_update_mask()->add_paths(p);
    return stub_->UpdateResident(CallContextWith(token).get(), req, out);
  }

  grpc::Status MoveOut(const std::string& token, const std::string& id, const std::string& reason,
                       Resident* out) {
    MoveOutResidentRequest req;
    req.set_resident_id(id);
    req.set_reason(reason);
    return stub_->MoveOutResident(CallContextWith(token).get(), req, out);
  }

  grpc::Status Search(const std::string& token, const SearchResidentsRequest& req,
                      SearchResidentsResponse* out) {
    return stub_->SearchResidents(CallContextWith(token).get(), req, out);
  }

  // The stored row, for checking that a refusal changed nothing.
  std::string Stored(const std::string& id) {
    return sut_->Query(
        "SELECT name || '|' || phone || '|' || area_code || '|' || "
        "coalesce(moved_out_reason, '-') FROM identity.residents WHERE resident_id = '" +
        id + "'")[0];
  }

  std::string Audit(const std::string& action) {
    return sut_->Query("SELECT count(*) FROM identity.audit_log WHERE action = '" + action +
                       "'")[0];
  }

  TestTokens tokens_;
  std::unique_ptr<ServiceUnderTest> sut_;
  std::unique_ptr<IdentityService::Stub> stub_;
  std::unique_ptr<common::RedisPool> cache_;
  std::string admin_, registrar_, gate_;
};

TEST_F(IdentityLifecycleTest, UpdateChangesOnlyMaskedFieldsAndReadsSeeItAtOnce) {
  const std::string id = Register("李晓霞", "41018119900307123", kJingyuan, "13812345678");
  Resident out;
  // Fill both caches first, so a stale entry would show.
  ASSERT_TRUE(Get(admin_, id, &out).ok());
  ResolveIdNumberRequest resolve;
  resolve.set_id_number(ValidId("41018119900307123"));
  PersonSummary who;
  ASSERT_TRUE(stub_->ResolveIdNumber(CallContextWith(gate_).get(), resolve, &who).ok());
  // The summary cache is the pass resolution's (ResolveIdNumber reads PostgreSQL).
  identity::v1::IssuePassRequest issue;
  issue.set_resident_id(id);
  identity::v1::Pass pass;
  ASSERT_TRUE(stub_->IssuePass(CallContextWith(admin_).get(), issue, &pass).ok());
  identity::v1::ResolvePassRequest resolve_pass;
  resolve_pass.set_token(pass.token());
  ASSERT_TRUE(stub_->ResolvePass(CallContextWith(gate_).get(), resolve_pass, &who).ok());
  ASSERT_TRUE(cache_->Get(identity::ResidentCacheKey(id)).has_value());
  ASSERT_TRUE(cache_->Get(identity::PersonSummaryCacheKey(id)).has_value());

  Resident values;
  values.set_name("欧阳·晓霞");
  values.set_phone("13900000000");  // not in the mask: left alone
  grpc::Status st = Update(admin_, id, values, {"name"}, &out);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(out.name(), "欧阳·晓霞");
  EXPECT_EQ(out.phone(), "138****5678");
  EXPECT_EQ(out.id_number(), identity::MaskIdNumber(ValidId("41018119900307123")));
  ASSERT_TRUE(Get(admin_, id, &out).ok());
  EXPECT_EQ(out.name(), "欧阳·晓霞");
  ASSERT_TRUE(stub_->ResolveIdNumber(CallContextWith(gate_).get(), resolve, &who).ok());
  EXPECT_EQ(who.name(), "欧阳·晓霞");

  auto audit = sut_->Query(
      "SELECT actor || '|' || subject_id || '|' || area_code || '|' || details "
      "FROM identity.audit_log WHERE action = 'resident.update'");
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0], "admin-1|" + id + "|" + kJingyuan + "|changed: name");

  // SQL metacharacters and emoji are text, stored verbatim.
  values.set_name("Robert'); DROP TABLE identity.residents;--😀");
  values.set_phone("");
  ASSERT_TRUE(Update(admin_, id, values, {"name", "phone"}, &out).ok());
  EXPECT_EQ(Stored(id),
            "Robert'); DROP TABLE identity.residents;--😀||" + std::string(kJingyuan) + "|-");
  ASSERT_TRUE(Get(admin_, id, &out).ok());
  EXPECT_EQ(out.name(), values.name());
  EXPECT_EQ(out.phone(), "");

  // Nothing changed: nothing written.
  ASSERT_TRUE(Update(admin_, id, values, {"name"}, &out).ok());
  EXPECT_EQ(Audit("resident.update"), "2");
  // Values never reach the audit log.
  EXPECT_EQ(sut_->Query("SELECT count(*) FROM identity.audit_log WHERE details LIKE '%Robert%' "
                        "OR details LIKE '%1381%'")[0],
            "0");
}

TEST_F(IdentityLifecycleTest, UpdateRejectionsStoreNothing) {
  const std::string id = Register("李晓霞", "41018119900307123", kJingyuan, "13812345678");
  const std::string before = Stored(id);
  Resident values, out;
  values.set_name("王五");
  values.set_phone("13812345678");
  values.set_area_code(kJingyuan);
  values.set_id_number(ValidId("41018119850101123"));
  EXPECT_TRUE(IsInvalidNaming(Update(admin_, id, values, {"id_number"}, &out), "ID number"));
  EXPECT_TRUE(
      IsInvalidNaming(Update(admin_, id, values, {"name", "id_number"}, &out), "ID number"));
  EXPECT_TRUE(IsInvalidNaming(Update(admin_, id, values, {}, &out), "update_mask"));
  EXPECT_TRUE(IsInvalidNaming(Update(admin_, id, values, {"visitor"}, &out), "visitor"));
  for (const std::string& bad : {std::string(), std::string(65, 'x'), std::string("王\t五")}) {
    Resident v = values;
    v.set_name(bad);
    EXPECT_TRUE(IsInvalidNaming(Update(admin_, id, v, {"name"}, &out), "resident.name")) << bad;
  }
  for (const char* bad : {"1381234567", "23812345678", "138-1234-5678"}) {
    Resident v = values;
    v.set_phone(bad);
    EXPECT_TRUE(IsInvalidNaming(Update(admin_, id, v, {"phone"}, &out), "resident.phone")) << bad;
  }
  Resident v = values;
  v.set_area_code("Not A Path");
  EXPECT_TRUE(IsInvalidNaming(Update(admin_, id, v, {"area_code"}, &out), "resident.area_code"));
  EXPECT_TRUE(IsInvalidNaming(Update(admin_, "42", values, {"name"}, &out), "resident_id"));
  EXPECT_EQ(
      Update(admin_, "123e4567-e89b-12d3-a456-426614174000", values, {"name"}, &out).error_code(),
      grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Stored(id), before);
  EXPECT_EQ(Audit("resident.update"), "0");
}

TEST_F(IdentityLifecycleTest, UpdateNeedsScopeOverBothAreas) {
  const std::string id = Register("李晓霞", "41018119900307123");
  const std::string before = Stored(id);
  Resident values, out;
  values.set_area_code("gongyi.dufulu.yimin");
  // The admin of longhai cannot move someone to yimin; yimin's admin cannot reach longhai.
  grpc::Status to_outside = Update(admin_, id, values, {"area_code"}, &out);
  EXPECT_EQ(to_outside.error_code(), grpc::StatusCode::NOT_FOUND);
  const std::string yimin = tokens_.Mint("admin-2", {"community_admin"}, {"gongyi.dufulu.yimin"});
  grpc::Status from_outside = Update(yimin, id, values, {"area_code"}, &out);
  EXPECT_EQ(from_outside.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(from_outside.error_message(), to_outside.error_message());
  // Readers may not write.
  EXPECT_EQ(Update(gate_, id, values, {"name"}, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Stored(id), before);

  // A subdistrict admin covers both: the move is audited in each area.
  const std::string sub = tokens_.Mint("sub-1", {"subdistrict_admin"}, {"gongyi.dufulu"});
  ASSERT_TRUE(Get(admin_, id, &out).ok());  // cached in Redis
  ASSERT_TRUE(Update(sub, id, values, {"area_code"}, &out).ok());
  EXPECT_EQ(out.area_code(), "gongyi.dufulu.yimin");
  EXPECT_EQ(Get(admin_, id, &out).error_code(), grpc::StatusCode::NOT_FOUND);  // moved away
  ASSERT_TRUE(Get(yimin, id, &out).ok());
  EXPECT_EQ(sut_->Query("SELECT string_agg(area_code || ':' || details, ',' ORDER BY area_code) "
                        "FROM identity.audit_log WHERE action = 'resident.update'")[0],
            std::string(kJingyuan) + ":changed: area_code,gongyi.dufulu.yimin:changed: area_code");
}

TEST_F(IdentityLifecycleTest, MoveOutKeepsTheRecordAndStopsPasses) {
  const std::string id = Register("李晓霞", "41018119900307123");
  Resident out;
  IssuePassRequest issue;
  issue.set_resident_id(id);
  Pass pass;
  ASSERT_TRUE(stub_->IssuePass(CallContextWith(admin_).get(), issue, &pass).ok());
  ResolvePassRequest resolve;
  resolve.set_token(pass.token());
  PersonSummary who;
  ASSERT_TRUE(stub_->ResolvePass(CallContextWith(gate_).get(), resolve, &who).ok());
  EXPECT_FALSE(who.moved_out());
  ASSERT_TRUE(Get(admin_, id, &out).ok());  // both caches filled

  // Rejections first: nothing stored.
  EXPECT_TRUE(IsInvalidNaming(MoveOut(admin_, id, "", &out), "reason"));
  EXPECT_TRUE(IsInvalidNaming(MoveOut(admin_, id, std::string(201, 'r'), &out), "reason"));
  EXPECT_TRUE(IsInvalidNaming(MoveOut(admin_, "nope", "moved to Zhengzhou", &out), "resident_id"));
  const std::string yimin = tokens_.Mint("admin-2", {"community_admin"}, {"gongyi.dufulu.yimin"});
  EXPECT_EQ(MoveOut(yimin, id, "moved to Zhengzhou", &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(MoveOut(gate_, id, "moved to Zhengzhou", &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Audit("resident.move_out"), "0");
  EXPECT_EQ(
      sut_->Query("SELECT count(*) FROM identity.residents WHERE moved_out_at IS NOT NULL")[0],
      "0");

  ASSERT_TRUE(MoveOut(admin_, id, "moved to Zhengzhou", &out).ok());
  EXPECT_GT(out.moved_out_time().seconds(), 0);
  EXPECT_EQ(out.moved_out_reason(), "moved to Zhengzhou");
  // Still readable, at once (the cached copy was dropped).
  ASSERT_TRUE(Get(admin_, id, &out).ok());
  EXPECT_GT(out.moved_out_time().seconds(), 0);
  ASSERT_TRUE(stub_->ResolvePass(CallContextWith(gate_).get(), resolve, &who).ok());
  EXPECT_TRUE(who.moved_out());
  ResolveIdNumberRequest by_id;
  by_id.set_id_number(ValidId("41018119900307123"));
  ASSERT_TRUE(stub_->ResolveIdNumber(CallContextWith(gate_).get(), by_id, &who).ok());
  EXPECT_TRUE(who.moved_out());
  EXPECT_EQ(stub_->IssuePass(CallContextWith(admin_).get(), issue, &pass).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  EXPECT_EQ(MoveOut(admin_, id, "again", &out).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  Resident values;
  values.set_name("王五");
  EXPECT_EQ(Update(admin_, id, values, {"name"}, &out).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Audit("resident.move_out"), "1");
  EXPECT_EQ(Audit("resident.pass_issue"), "1");
  EXPECT_EQ(sut_->Query("SELECT details FROM identity.audit_log WHERE action = "
                        "'resident.move_out'")[0],
            "");
}

TEST_F(IdentityLifecycleTest, SearchFiltersPagesAndStaysInScope) {
  const std::string a = Register("王小明", "41018119900307123", kJingyuan, "13812345678");
  const std::string b = Register("王%_大", "41018119850101123", "gongyi.dufulu.longhai");
  const std::string c = Register("李四", "41018119700805123", kJingyuan);
  Register("王其他", "41018119600101123", "gongyi.dufulu.yimin");
  Resident out;
  ASSERT_TRUE(MoveOut(admin_, c, "moved to Zhengzhou", &out).ok());

  SearchResidentsRequest req;
  req.set_area_code("gongyi.dufulu.longhai");
  SearchResidentsResponse page;
  ASSERT_TRUE(Search(admin_, req, &page).ok());
  EXPECT_EQ(page.residents_size(), 2);  // not yimin, not the moved-out one
  req.set_include_moved_out(true);
  ASSERT_TRUE(Search(admin_, req, &page).ok());
  EXPECT_EQ(page.residents_size(), 3);
  for (const Resident& r : page.residents()) {
    EXPECT_NE(r.id_number().find("***"), std::string::npos);  // masked
  }

  // Paging: every resident once, in pages of one.
  req.set_page_size(1);
  std::set<std::string> seen;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(Search(admin_, req, &page).ok());
    for (const Resident& r : page.residents()) seen.insert(r.resident_id());
    if (page.next_page_token().empty()) break;
    req.set_page_token(page.next_page_token());
  }
  EXPECT_EQ(seen, (std::set<std::string>{a, b, c}));

  // Filters: the name prefix is literal ("%" and "_" match themselves).
  SearchResidentsRequest by;
  by.set_area_code("gongyi.dufulu.longhai");
  by.set_name_prefix("王");
  ASSERT_TRUE(Search(admin_, by, &page).ok());
  EXPECT_EQ(page.residents_size(), 2);
  by.set_name_prefix("王%");
  ASSERT_TRUE(Search(admin_, by, &page).ok());
  ASSERT_EQ(page.residents_size(), 1);
  EXPECT_EQ(page.residents(0).resident_id(), b);
  by.set_name_prefix("");
  by.set_phone("13812345678");
  ASSERT_TRUE(Search(admin_, by, &page).ok());
  ASSERT_EQ(page.residents_size(), 1);
  EXPECT_EQ(page.residents(0).resident_id(), a);
  by.set_phone("");
  by.set_id_number(ValidId("41018119850101123"));
  ASSERT_TRUE(Search(admin_, by, &page).ok());
  ASSERT_EQ(page.residents_size(), 1);
  EXPECT_EQ(page.residents(0).resident_id(), b);

  // Rejections.
  SearchResidentsRequest bad;
  EXPECT_TRUE(IsInvalidNaming(Search(admin_, bad, &page), "area_code"));
  bad.set_area_code("gongyi.dufulu.longhai");
  bad.set_page_size(201);
  EXPECT_TRUE(IsInvalidNaming(Search(admin_, bad, &page), "page_size"));
  bad.set_page_size(200);
  EXPECT_TRUE(Search(admin_, bad, &page).ok());
  bad.set_page_size(-1);
  EXPECT_TRUE(IsInvalidNaming(Search(admin_, bad, &page), "page_size"));
  bad.set_page_size(0);
  bad.set_page_token("not-a-token");
  EXPECT_TRUE(IsInvalidNaming(Search(admin_, bad, &page), "page_token"));
  bad.set_page_token("");
  bad.set_phone("12345");
  EXPECT_TRUE(IsInvalidNaming(Search(admin_, bad, &page), "phone"));
  bad.set_phone("");
  bad.set_id_number("410181199003071230");
  EXPECT_EQ(Search(admin_, bad, &page).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  bad.set_id_number("");
  bad.set_name_prefix("王\n");
  EXPECT_TRUE(IsInvalidNaming(Search(admin_, bad, &page), "name_prefix"));

  // Scope: another community, or the whole subdistrict from a community grant.
  SearchResidentsRequest outside;
  outside.set_area_code("gongyi.dufulu.yimin");
  EXPECT_EQ(Search(admin_, outside, &page).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  outside.set_area_code("gongyi.dufulu");
  EXPECT_EQ(Search(admin_, outside, &page).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  const std::string volunteer = tokens_.Mint("v", {"volunteer"}, {"gongyi.dufulu.longhai"});
  EXPECT_EQ(Search(volunteer, req, &page).error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(IdentityLifecycleTest, VisitorsRegisterOnceAndKnownPeopleAreReturned) {
  const std::string gate = tokens_.Mint("gate-2", {"code_verifier"}, {"gongyi.dufulu.yimin"});
  RegisterVisitorRequest req;
  req.set_name("访客·甲");
  req.set_id_number(ValidId("41018119900307123"));
  req.set_phone("13812345678");
  req.set_area_code("gongyi.dufulu.yimin");
  Resident visitor;
  grpc::Status st = stub_->RegisterVisitor(CallContextWith(gate).get(), req, &visitor);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_TRUE(visitor.visitor());
  EXPECT_EQ(visitor.area_code(), "gongyi.dufulu.yimin");
  EXPECT_EQ(visitor.id_number(), identity::MaskIdNumber(req.id_number()));
  EXPECT_EQ(visitor.phone(), "138****5678");
  EXPECT_EQ(Audit("resident.register_visitor"), "1");

  // Registering the same ID number again returns that person; nothing is written.
  Resident again;
  req.set_name("别的名字");
  ASSERT_TRUE(stub_->RegisterVisitor(CallContextWith(gate).get(), req, &again).ok());
  EXPECT_EQ(again.resident_id(), visitor.resident_id());
  EXPECT_EQ(again.name(), "访客·甲");
  // A registered resident comes back as the resident.
  const std::string resident = Register("李四", "41018119850101123");
  req.set_id_number(ValidId("41018119850101123"));
  ASSERT_TRUE(stub_->RegisterVisitor(CallContextWith(gate).get(), req, &again).ok());
  EXPECT_EQ(again.resident_id(), resident);
  EXPECT_FALSE(again.visitor());
  EXPECT_EQ(Audit("resident.register_visitor"), "1");
  EXPECT_EQ(sut_->Count("identity.residents"), "2");

  // Rejections store nothing.
  auto bad = [&](auto mutate) {
    RegisterVisitorRequest r = req;
    r.set_id_number(ValidId("41018119700805123"));
    mutate(r);
    Resident out;
    return stub_->RegisterVisitor(CallContextWith(gate).get(), r, &out);
  };
  EXPECT_TRUE(IsInvalidNaming(bad([](auto& r) { r.set_name(""); }), "resident.name"));
  EXPECT_TRUE(
      IsInvalidNaming(bad([](auto& r) { r.set_name(std::string(65, 'x')); }), "resident.name"));
  EXPECT_TRUE(IsInvalidNaming(bad([](auto& r) {
                                r.set_name(
                                    "a\x01"
                                    "b");
                              }),
                              "resident.name"));
  EXPECT_TRUE(IsInvalidNaming(bad([](auto& r) { r.set_phone("1381234567"); }), "resident.phone"));
  EXPECT_TRUE(IsInvalidNaming(bad([](auto& r) { r.set_id_number("410181197008051230"); }),
                              "resident.id_number"));
  EXPECT_TRUE(IsInvalidNaming(bad([](auto& r) { r.set_area_code(""); }), "resident.area_code"));
  EXPECT_EQ(bad([](auto& r) { r.set_area_code("gongyi.dufulu.longhai"); }).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  const std::string keeper = tokens_.Mint("k", {"order_keeper"}, {"gongyi.dufulu.yimin"});
  Resident out;
  EXPECT_EQ(stub_->RegisterVisitor(CallContextWith(keeper).get(), req, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(sut_->Count("identity.residents"), "2");
  EXPECT_EQ(Audit("resident.register_visitor"), "1");
}

}  // namespace
}  // namespace fangxian::testing
