// Black-box tests of identity_server: the real binary, a scratch PostgreSQL database and
// the test Redis, called over gRPC.
#include <gtest/gtest.h>

#include <grpcpp/generic/generic_stub.h>
#include <libpq-fe.h>
#include <signal.h>

#include <future>
#include <thread>

#include "common/redis.h"
#include "common/status.h"
#include "fangxian/identity/v1/identity.grpc.pb.h"
#include "services/identity/id_number.h"
#include "services/identity/residents.h"
#include "tests/support/grpc_client.h"
#include "tests/support/http_client.h"
#include "tests/support/process.h"
#include "tests/support/service_under_test.h"
#include "tests/support/tcp_proxy.h"
#include "tests/support/test_env.h"

namespace fangxian::testing {
namespace {

using identity::v1::CreateResidentRequest;
using identity::v1::GetResidentRequest;
using identity::v1::IdentityService;
using identity::v1::Resident;

std::string ValidId(const std::string& first17) {
  return first17 + identity::IdCheckCharacter(first17);
}

// identity's own variables, plus (for tests that start the binary themselves) the common
// ones when `dsn` is given.
std::map<std::string, std::string> BaseEnv(const TestTokens& tokens, const std::string& dsn,
                                           const std::string& redis) {
  std::map<std::string, std::string> env = IdentityKeysEnv();
  env["FX_METRICS_PORT"] = "0";
  env["FX_LOG_LEVEL"] = "INFO";
  if (!dsn.empty()) {
    env.insert({{"FX_GRPC_ADDR", "127.0.0.1:0"},
                {"FX_PG_DSN", dsn},
                {"FX_REDIS_ADDR", redis},
                {"FX_TOKEN_PUBLIC_KEYS", tokens.public_keys()},
                {"FX_HEALTH_INTERVAL_MS", "100"}});
  }
  return env;
}

class IdentityServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sut_ = std::make_unique<ServiceUnderTest>("services/identity/identity_server", "identity",
                                              tokens_, BaseEnv(tokens_, "", ""));
    ASSERT_TRUE(sut_->WaitUntilServing());
    server_ = &sut_->process();
    stub_ = IdentityService::NewStub(sut_->channel());
    admin_ = tokens_.Mint("admin-1", {"community_admin"}, {"gongyi.dufulu.longhai"});
  }

  grpc::Status Create(const std::string& token, const Resident& r, Resident* out) {
    CreateResidentRequest req;
    *req.mutable_resident() = r;
    return stub_->CreateResident(CallContextWith(token).get(), req, out);
  }

  grpc::Status Get(const std::string& token, const std::string& id, Resident* out) {
    GetResidentRequest req;
    req.set_resident_id(id);
    return stub_->GetResident(CallContextWith(token).get(), req, out);
  }

  static Resident Sample() {
    Resident r;
    r.set_name("李晓霞");
    r.set_id_number(ValidId("41018119900307123"));
    r.set_phone("13812345678");
    r.set_area_code("gongyi.dufulu.longhai.jingyuan");
    return r;
  }

  std::vector<std::string> Query(const std::string& sql) { return sut_->Query(sql); }

  TestTokens tokens_;
  std::unique_ptr<ServiceUnderTest> sut_;
  ChildProcess* server_ = nullptr;
  std::unique_ptr<IdentityService::Stub> stub_;
  std::string admin_;
};

TEST_F(IdentityServerTest, CreateThenGetReturnsMaskedResidentAndStoresNoPlainId) {
  Resident created;
  grpc::Status st = Create(admin_, Sample(), &created);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(created.name(), "李晓霞");
  EXPECT_EQ(created.id_number(), identity::MaskIdNumber(Sample().id_number()));
  EXPECT_EQ(created.phone(), "138****5678");
  EXPECT_EQ(created.resident_id().size(), 36u);
  EXPECT_GT(created.create_time().seconds(), 0);

  Resident got;
  ASSERT_TRUE(Get(admin_, created.resident_id(), &got).ok());
  EXPECT_EQ(got.SerializeAsString(), created.SerializeAsString());

  // At rest: sealed and hashed, never in clear.
  const std::string plain = Sample().id_number();
  auto rows = Query(
      "SELECT encode(id_number_sealed, 'escape') || id_number_masked || "
      "encode(id_number_hash, 'hex') FROM identity.residents");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].find(plain), std::string::npos);
  EXPECT_EQ(Query("SELECT created_by FROM identity.residents")[0], "admin-1");
  // Nor in the logs.
  EXPECT_EQ(server_->Stderr().find(plain), std::string::npos);
}

TEST_F(IdentityServerTest, LegacyNumberIsConvertedAndDuplicatesRefused) {
  Resident r = Sample();
  r.set_id_number("410181900307123");  // the same person's 15-digit number
  Resident created;
  ASSERT_TRUE(Create(admin_, r, &created).ok());
  Resident again;
  grpc::Status dup = Create(admin_, Sample(), &again);
  EXPECT_EQ(dup.error_code(), grpc::StatusCode::ALREADY_EXISTS) << dup.error_message();
  EXPECT_EQ(Query("SELECT count(*) FROM identity.residents")[0], "1");
}

TEST_F(IdentityServerTest, BadInputIsInvalidArgumentNamingTheField) {
  struct Case {
    std::function<void(Resident&)> mutate;
    std::string field;
  };
  const std::vector<Case> cases = {
      {[](Resident& r) { r.clear_name(); }, "resident.name"},
      {[](Resident& r) { r.set_name(std::string(65, 'a')); }, "resident.name"},
      {[](Resident& r) { r.set_id_number("410181199003071234"); }, "resident.id_number"},
      {[](Resident& r) { r.set_id_number(ValidId("41018120991231123")); }, "resident.id_number"},
      {[](Resident& r) { r.set_id_number(ValidId("41018119900230123")); }, "resident.id_number"},
      {[](Resident& r) { r.set_id_number(ValidId("00000019900307123")); }, "resident.id_number"},
      {[](Resident& r) { r.set_phone("12345"); }, "resident.phone"},
      {[](Resident& r) { r.set_area_code("Gongyi/Longhai"); }, "resident.area_code"},
  };
  for (const Case& c : cases) {
    Resident r = Sample();
    c.mutate(r);
    Resident out;
    grpc::Status st = Create(admin_, r, &out);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.field;
    EXPECT_NE(st.error_message().find(c.field), std::string::npos) << st.error_message();
  }
  Resident out;
  EXPECT_EQ(Get(admin_, "not-a-uuid", &out).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Get(admin_, "123e4567-e89b-12d3-a456-426614174000", &out).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Query("SELECT count(*) FROM identity.residents")[0], "0");
}

TEST_F(IdentityServerTest, CallersAreAuthenticatedAndConfinedToTheirRolesAndAreas) {
  Resident out;
  EXPECT_EQ(Create("", Sample(), &out).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Create("garbage", Sample(), &out).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(
      Create(tokens_.Mint("x", {"community_admin"}, {"gongyi"}, -60), Sample(), &out).error_code(),
      grpc::StatusCode::UNAUTHENTICATED);
  TestTokens stranger;  // signed by a key the server does not trust
  EXPECT_EQ(
      Create(stranger.Mint("x", {"subdistrict_admin"}, {"gongyi"}), Sample(), &out).error_code(),
      grpc::StatusCode::UNAUTHENTICATED);
  const std::string volunteer = tokens_.Mint("v", {"volunteer"}, {"gongyi"});
  EXPECT_EQ(Create(volunteer, Sample(), &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  const std::string other_area = tokens_.Mint("o", {"community_admin"}, {"gongyi.dufulu.yimin"});
  EXPECT_EQ(Create(other_area, Sample(), &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);

  Resident created;
  ASSERT_TRUE(Create(admin_, Sample(), &created).ok());
  // An allowed read first, so the denied one is served from the cache: scope is checked
  // on cached reads too, and the refusal does not say where the resident lives.
  ASSERT_TRUE(Get(admin_, created.resident_id(), &out).ok());
  common::RedisPool::Options redis;
  ASSERT_TRUE(common::ParseRedisAddress(RedisAddr(), &redis).ok());
  common::RedisPool cache(redis);
  ASSERT_TRUE(cache.Get(identity::ResidentCacheKey(created.resident_id())).has_value());
  // Another community's admin gets exactly what a missing resident gets: no existence leak.
  grpc::Status denied = Get(other_area, created.resident_id(), &out);
  grpc::Status missing = Get(other_area, "123e4567-e89b-12d3-a456-426614174000", &out);
  EXPECT_EQ(denied.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(denied.error_message(), missing.error_message());
  EXPECT_EQ(Get(volunteer, created.resident_id(), &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // A role reaches only its own grants' areas: admin of yimin plus volunteer of longhai is
  // no admin in longhai.
  const std::string mixed = tokens_.MintGrants(
      "m", {{"community_admin", "gongyi.dufulu.yimin"}, {"volunteer", "gongyi.dufulu.longhai"}});
  EXPECT_EQ(Create(mixed, Sample(), &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Get(mixed, created.resident_id(), &out).error_code(), grpc::StatusCode::NOT_FOUND);
  const std::string subdistrict = tokens_.Mint("s", {"subdistrict_admin"}, {"gongyi.dufulu"});
  EXPECT_TRUE(Get(subdistrict, created.resident_id(), &out).ok());
}

TEST_F(IdentityServerTest, RequestIdIsEchoedOrGeneratedAndMetricsAreServed) {
  Resident out;
  {
    auto ctx = CallContextWith(admin_);
    ctx->AddMetadata("x-request-id", "abc-123");
    GetResidentRequest req;
    req.set_resident_id("123e4567-e89b-12d3-a456-426614174000");
    stub_->GetResident(ctx.get(), req, &out);
    auto it = ctx->GetServerInitialMetadata().find("x-request-id");
    ASSERT_NE(it, ctx->GetServerInitialMetadata().end());
    EXPECT_EQ(std::string(it->second.data(), it->second.size()), "abc-123");
  }
  {
    auto ctx = CallContextWith(admin_);
    ctx->AddMetadata("x-request-id", "bad id with spaces");
    GetResidentRequest req;
    req.set_resident_id("123e4567-e89b-12d3-a456-426614174000");
    stub_->GetResident(ctx.get(), req, &out);
    auto it = ctx->GetServerInitialMetadata().find("x-request-id");
    ASSERT_NE(it, ctx->GetServerInitialMetadata().end());
    EXPECT_EQ(it->second.size(), 32u);  // replaced with a generated id
  }
  EXPECT_NE(server_->Stderr().find("\"request_id\":\"abc-123\""), std::string::npos);
  const int metrics_port = server_->WaitForPort("metrics_port");
  HttpResponse m = HttpRequest(metrics_port, "GET", "/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(m.body.find("fx_grpc_server_requests_total{method=\"/fangxian.identity.v1."
                        "IdentityService/GetResident\",code=\"NOT_FOUND\"} 2"),
            std::string::npos)
      << m.body;
  EXPECT_NE(m.body.find("fx_ready 1"), std::string::npos);
}

TEST_F(IdentityServerTest, OversizedMessagesAreRefused) {
  Resident r = Sample();
  r.set_name(std::string(5 << 20, 'a'));  // over the 4 MiB default
  Resident out;
  EXPECT_EQ(Create(admin_, r, &out).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_TRUE(Create(admin_, Sample(), &out).ok());  // the server is still fine
}

TEST_F(IdentityServerTest, DrainsInFlightCallsOnSigterm) {
  // Hold a lock on the table so a CreateResident is provably in flight when SIGTERM
  // arrives, then let it finish: the call must succeed and the process exit 0.
  PGconn* locker = PQconnectdb(sut_->dsn().c_str());
  ASSERT_EQ(PQstatus(locker), CONNECTION_OK);
  PQclear(PQexec(locker, "BEGIN; LOCK TABLE identity.residents IN ACCESS EXCLUSIVE MODE"));

  CreateResidentRequest req;
  *req.mutable_resident() = Sample();
  Resident out;
  auto ctx = CallContextWith(admin_);
  std::promise<grpc::Status> done;
  stub_->async()->CreateResident(ctx.get(), &req, &out,
                                 [&](grpc::Status s) { done.set_value(std::move(s)); });
  // Wait (bounded polling) until the INSERT is blocked on our lock.
  bool waiting = false;
  for (int i = 0; i < 1000 && !waiting; ++i) {
    waiting = Query(
                  "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                  "AND query LIKE 'INSERT INTO identity.residents%'")[0] == "1";
    if (!waiting) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(waiting);

  server_->Signal(SIGTERM);
  PQclear(PQexec(locker, "COMMIT"));
  PQfinish(locker);
  grpc::Status st = done.get_future().get();
  EXPECT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(server_->WaitExit(std::chrono::seconds(20)), 0) << server_->Stderr();
  EXPECT_NE(server_->Stderr().find("\"message\":\"stopped\""), std::string::npos);
  EXPECT_EQ(Query("SELECT count(*) FROM identity.residents")[0], "1");
}

TEST(IdentityServerFaultTest, DatabaseDownAtStartIsNotServingThenServingWithoutRestart) {
  TestTokens tokens;
  const std::string dsn = CreateScratchDatabase("identity_down");
  // Point the server at a proxy that refuses connections until the test enables it.
  const size_t at = AdminPgDsn().find("port=");
  const int pg_port = std::stoi(AdminPgDsn().substr(at + 5));
  TcpProxy proxy(pg_port, /*enabled=*/false);
  auto env = BaseEnv(tokens, dsn + " port=" + std::to_string(proxy.port()), RedisAddr());
  ChildProcess server("services/identity/identity_server", env);
  auto channel = LocalChannel(server.WaitForPort("grpc_port"));
  EXPECT_EQ(WaitForHealth(*channel, "NOT_SERVING"), "NOT_SERVING");
  // Liveness (Kubernetes' livenessProbe) does not follow the database: a pod is not
  // restarted for an outage a restart cannot cure.
  EXPECT_EQ(HealthStatus(*channel, "liveness"), "SERVING");
  auto stub = IdentityService::NewStub(channel);
  GetResidentRequest req;
  req.set_resident_id("123e4567-e89b-12d3-a456-426614174000");
  Resident out;
  const std::string token = tokens.Mint("a", {"subdistrict_admin"}, {"gongyi"});
  EXPECT_EQ(stub->GetResident(CallContextWith(token).get(), req, &out).error_code(),
            grpc::StatusCode::UNAVAILABLE);

  proxy.SetEnabled(true);
  EXPECT_EQ(WaitForHealth(*channel, "SERVING"), "SERVING") << server.Stderr();
  EXPECT_EQ(WaitForHealth(*channel, "SERVING", std::chrono::seconds(5),
                          "fangxian.identity.v1.IdentityService"),
            "SERVING");
  EXPECT_EQ(stub->GetResident(CallContextWith(token).get(), req, &out).error_code(),
            grpc::StatusCode::NOT_FOUND);

  proxy.SetEnabled(false);  // and down again while running
  EXPECT_EQ(WaitForHealth(*channel, "NOT_SERVING"), "NOT_SERVING");
  EXPECT_EQ(HealthStatus(*channel, "fangxian.identity.v1.IdentityService"), "NOT_SERVING");
  EXPECT_EQ(HealthStatus(*channel, "liveness"), "SERVING");
  EXPECT_TRUE(server.Terminate() == 0);
}

TEST(IdentityServerFaultTest, RedisDownStillServesAndLogsTheOutageOnce) {
  TestTokens tokens;
  const std::string dsn = CreateScratchDatabase("identity_noredis");
  auto env = BaseEnv(tokens, dsn, "127.0.0.1:" + std::to_string(FreePort()));
  env["FX_REDIS_RETRY_MS"] = "20";  // many reconnect attempts during the calls below
  ChildProcess server("services/identity/identity_server", env);
  auto channel = LocalChannel(server.WaitForPort("grpc_port"));
  ASSERT_EQ(WaitForHealth(*channel, "SERVING"), "SERVING");
  auto stub = IdentityService::NewStub(channel);
  const std::string token = tokens.Mint("a", {"subdistrict_admin"}, {"gongyi"});
  CreateResidentRequest create;
  create.mutable_resident()->set_name("王五");
  create.mutable_resident()->set_id_number(ValidId("41018119850101123"));
  create.mutable_resident()->set_area_code("gongyi.dufulu");
  Resident created;
  ASSERT_TRUE(stub->CreateResident(CallContextWith(token).get(), create, &created).ok());
  // Keep calling across at least ten reconnect windows; every call must succeed.
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
  int calls = 0;
  while (std::chrono::steady_clock::now() < until || calls < 20) {
    GetResidentRequest req;
    req.set_resident_id(created.resident_id());
    Resident out;
    ASSERT_TRUE(stub->GetResident(CallContextWith(token).get(), req, &out).ok());
    ++calls;
  }
  const std::string log = server.Stderr();
  size_t count = 0;
  for (size_t at = log.find("redis unavailable; serving without cache"); at != std::string::npos;
       at = log.find("redis unavailable; serving without cache", at + 1)) {
    ++count;
  }
  EXPECT_EQ(count, 1u) << log;
}

// Lists services through grpc.reflection.v1alpha (a bidi stream, driven through the
// generic API so the test needs no reflection stubs). Returns the raw response bytes, or
// the status code name when the call fails.
std::string ReflectionListServices(grpc::Channel& channel) {
  grpc::GenericStub stub(std::shared_ptr<grpc::Channel>(&channel, [](grpc::Channel*) {}));
  grpc::CompletionQueue cq;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  auto call = stub.PrepareCall(&ctx,
                               "/grpc.reflection.v1alpha.ServerReflection/"
                               "ServerReflectionInfo",
                               &cq);
  void* tag = nullptr;
  bool ok = false;
  auto step = [&](int want) {
    return cq.Next(&tag, &ok) && tag == reinterpret_cast<void*>(want) && ok;
  };
  call->StartCall(reinterpret_cast<void*>(1));
  std::string out;
  if (step(1)) {
    // ServerReflectionRequest { list_services: "" } = field 7, length-delimited, empty.
    const char request[] = {0x3A, 0x00};
    grpc::Slice slice(request, sizeof request);
    grpc::ByteBuffer buffer(&slice, 1);
    call->Write(buffer, reinterpret_cast<void*>(2));
    if (step(2)) {
      grpc::ByteBuffer reply;
      call->Read(&reply, reinterpret_cast<void*>(3));
      if (step(3)) {
        std::vector<grpc::Slice> slices;
        (void)reply.Dump(&slices);
        for (const auto& sl : slices)
          out.append(reinterpret_cast<const char*>(sl.begin()), sl.size());
      }
    }
  }
  call->WritesDone(reinterpret_cast<void*>(4));
  cq.Next(&tag, &ok);
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(5));
  while (cq.Next(&tag, &ok) && tag != reinterpret_cast<void*>(5)) {
  }
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  if (!out.empty()) return out;
  return std::string(common::CodeName(status.error_code()));
}

TEST(IdentityServerReflectionTest, ReflectionIsOffByDefaultAndOnBehindTheSwitch) {
  TestTokens tokens;
  ServiceUnderTest off("services/identity/identity_server", "identity_refl", tokens,
                       BaseEnv(tokens, "", ""));
  EXPECT_EQ(ReflectionListServices(*off.channel()), "UNIMPLEMENTED");
  auto env = BaseEnv(tokens, "", "");
  env["FX_REFLECTION"] = "true";
  ServiceUnderTest on("services/identity/identity_server", "identity_refl", tokens, env);
  const std::string listed = ReflectionListServices(*on.channel());
  EXPECT_NE(listed.find("fangxian.identity.v1.IdentityService"), std::string::npos) << listed;
  EXPECT_NE(listed.find("grpc.health.v1.Health"), std::string::npos) << listed;
}

TEST(IdentityServerConfigTest, BadConfigurationExitsNamingEveryVariable) {
  ChildProcess server("services/identity/identity_server", {{"FX_GRPC_ADDR", "no-port"},
                                                            {"FX_PG_POOL_SIZE", "0"},
                                                            {"FX_PII_ENC_KEY", "c2hvcnQ="},
                                                            {"FX_TOKEN_PUBLIC_KEYS", "dev=AAAA"}});
  EXPECT_EQ(server.WaitExit(std::chrono::seconds(20)), 2);
  const std::string err = server.Stderr();
  for (const char* var : {"FX_GRPC_ADDR", "FX_PG_POOL_SIZE", "FX_PG_DSN", "FX_REDIS_ADDR",
                          "FX_PII_ENC_KEY", "FX_PII_HASH_KEY", "FX_TOKEN_SIGNING_KEY"}) {
    EXPECT_NE(err.find(var), std::string::npos) << var << " not named in:\n" << err;
  }
  EXPECT_EQ(err.find("c2hvcnQ="), std::string::npos);  // secrets are not echoed
}

}  // namespace
}  // namespace fangxian::testing
