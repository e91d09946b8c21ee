// Every RPC of every service refuses a caller without a valid token. Walks the service
// descriptors, so a method added later without going through RpcRuntime fails here; and
// checks the list of services against the .proto files, so a service left out of it (or
// added to a proto later) fails too.
#include <grpcpp/generic/generic_stub.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <regex>
#include <set>

#include "fangxian/checkpoint/v1/alerts.grpc.pb.h"
#include "fangxian/checkpoint/v1/checkpoint.grpc.pb.h"
#include "fangxian/checkpoint/v1/inspections.grpc.pb.h"
#include "fangxian/checkpoint/v1/passages.grpc.pb.h"
#include "fangxian/checkpoint/v1/roster.grpc.pb.h"
#include "fangxian/checkpoint/v1/statistics.grpc.pb.h"
#include "fangxian/identity/v1/areas.grpc.pb.h"
#include "fangxian/identity/v1/households.grpc.pb.h"
#include "fangxian/identity/v1/identity.grpc.pb.h"
#include "fangxian/identity/v1/import.grpc.pb.h"
#include "fangxian/publicity/v1/content_views.grpc.pb.h"
#include "fangxian/publicity/v1/loudspeaker.grpc.pb.h"
#include "fangxian/publicity/v1/materials.grpc.pb.h"
#include "fangxian/publicity/v1/public_content.grpc.pb.h"
#include "fangxian/publicity/v1/publicity.grpc.pb.h"
#include "fangxian/publicity/v1/statistics.grpc.pb.h"
#include "fangxian/quarantine/v1/check_ins.grpc.pb.h"
#include "fangxian/quarantine/v1/isolation.grpc.pb.h"
#include "fangxian/quarantine/v1/quarantine.grpc.pb.h"
#include "fangxian/quarantine/v1/service_requests.grpc.pb.h"
#include "fangxian/quarantine/v1/statistics.grpc.pb.h"
#include "fangxian/quarantine/v1/sweeps.grpc.pb.h"
#include "fangxian/quarantine/v1/violations.grpc.pb.h"
#include "google/protobuf/descriptor.h"
#include "tests/support/service_under_test.h"

namespace fangxian::testing {
namespace {

struct Service {
  std::string binary;
  const google::protobuf::ServiceDescriptor* descriptor;
  std::map<std::string, std::string> env;
};

// The service of the file that declares `message` (referencing the message also keeps
// the file's descriptor linked in).
const google::protobuf::ServiceDescriptor* ServiceOf(const google::protobuf::Descriptor* message) {
  return message->file()->service(0);
}

// Also used for server-streaming methods: on the wire a unary call is a stream of one
// request and one response, so a refusal (status, no message) reads the same; a streaming
// method that answered without a token would send messages or stay open instead, and
// fail the check.
grpc::Status CallEmpty(grpc::Channel& channel, const std::string& method,
                       const std::string& token) {
  grpc::GenericStub stub(std::shared_ptr<grpc::Channel>(&channel, [](grpc::Channel*) {}));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  if (!token.empty()) ctx.AddMetadata("authorization", "Bearer " + token);
  grpc::Slice empty("", 0);
  grpc::ByteBuffer request(&empty, 1);  // the empty message: every field at its default
  grpc::ByteBuffer response;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&ctx, method, grpc::StubOptions(), &request, &response,
                 [&](grpc::Status s) { done.set_value(std::move(s)); });
  return done.get_future().get();
}

// Services the product binaries do not serve: bench's echo runs only in bench_server,
// the benchmark's baseline, which has no tokens by design.
const std::set<std::string> kNotServed = {"fangxian.bench.v1.EchoService"};

// The full names of the services declared in proto/fangxian/*/v1/*.proto.
std::set<std::string> DeclaredServices() {
  namespace fs = std::filesystem;
  const std::regex package(R"(^package\s+([\w.]+)\s*;)");
  const std::regex service(R"(^service\s+(\w+)\s*\{)");
  std::set<std::string> out;
  for (const fs::directory_entry& api :
       fs::directory_iterator(fs::path(FX_PROTO_DIR) / "fangxian")) {
    const fs::path v1 = api.path() / "v1";
    if (!fs::is_directory(v1)) continue;
    for (const fs::directory_entry& file : fs::directory_iterator(v1)) {
      if (file.path().extension() != ".proto") continue;
      std::ifstream in(file.path());
      std::string line;
      std::string pkg;
      std::smatch m;
      while (std::getline(in, line)) {
        if (std::regex_search(line, m, package)) pkg = m[1];
        if (std::regex_search(line, m, service)) out.insert(pkg + "." + std::string(m[1]));
      }
    }
  }
  return out;
}

TEST(AuthCoverageTest, EveryMethodOfEveryServiceNeedsAValidToken) {
  TestTokens tokens;
  TestTokens stranger;  // a key the services do not trust
  const std::map<std::string, std::string> identity_keys = IdentityKeysEnv();
  const std::vector<Service> services = {
      {"services/identity/identity_server", ServiceOf(identity::v1::Resident::descriptor()),
       identity_keys},
      {"services/identity/identity_server", ServiceOf(identity::v1::Area::descriptor()),
       identity_keys},
      {"services/identity/identity_server", ServiceOf(identity::v1::Household::descriptor()),
       identity_keys},
      {"services/identity/identity_server",
       ServiceOf(identity::v1::ImportResidentsRequest::descriptor()), identity_keys},
      {"services/checkpoint/checkpoint_server",
       ServiceOf(checkpoint::v1::Checkpoint::descriptor()),
       {}},
      {"services/checkpoint/checkpoint_server",
       ServiceOf(checkpoint::v1::PostAssignment::descriptor()),
       {}},
      {"services/checkpoint/checkpoint_server",
       ServiceOf(checkpoint::v1::Inspection::descriptor()),
       {}},
      {"services/checkpoint/checkpoint_server", ServiceOf(checkpoint::v1::Alert::descriptor()), {}},
      {"services/checkpoint/checkpoint_server",
       ServiceOf(checkpoint::v1::Figures::descriptor()),
       {}},
      {"services/checkpoint/checkpoint_server",
       ServiceOf(checkpoint::v1::Passage::descriptor()),
       {}},
      {"services/quarantine/quarantine_server",
       ServiceOf(quarantine::v1::PersonOfInterest::descriptor()),
       {}},
      {"services/quarantine/quarantine_server",
       ServiceOf(quarantine::v1::CheckIn::descriptor()),
       {}},
      {"services/quarantine/quarantine_server",
       ServiceOf(quarantine::v1::ServiceRequest::descriptor()),
       {}},
      {"services/quarantine/quarantine_server",
       ServiceOf(quarantine::v1::IsolationOrder::descriptor()),
       {}},
      {"services/quarantine/quarantine_server", ServiceOf(quarantine::v1::Sweep::descriptor()), {}},
      {"services/quarantine/quarantine_server",
       ServiceOf(quarantine::v1::DayFigures::descriptor()),
       {}},
      {"services/quarantine/quarantine_server",
       ServiceOf(quarantine::v1::Violation::descriptor()),
       {}},
      {"services/publicity/publicity_server", ServiceOf(publicity::v1::Content::descriptor()), {}},
      {"services/publicity/publicity_server", ServiceOf(publicity::v1::Schedule::descriptor()), {}},
      {"services/publicity/publicity_server", ServiceOf(publicity::v1::Material::descriptor()), {}},
      {"services/publicity/publicity_server",
       ServiceOf(publicity::v1::PublicityFiguresReport::descriptor()),
       {}},
      {"services/publicity/publicity_server",
       ServiceOf(publicity::v1::LiveContent::descriptor()),
       {}},
      {"services/publicity/publicity_server",
       ServiceOf(publicity::v1::ViewTotals::descriptor()),
       {}},
  };
  const std::string forged = stranger.Mint("x", {"subdistrict_admin"}, {"gongyi"});
  // The only methods that need no token, by design (docs/auth.md).
  const std::set<std::string> kPublic = {
      "/fangxian.identity.v1.IdentityService/Login",
      "/fangxian.identity.v1.IdentityService/RefreshSession",
      "/fangxian.identity.v1.IdentityService/GetPublicKeys",
      // A player device has no account (docs/publicity.md).
      "/fangxian.publicity.v1.LoudspeakerService/GetPlaylist",
      // Front ends list series without an account.
      "/fangxian.publicity.v1.PublicityService/ListSeries",
      // Residents read live content without an account.
      "/fangxian.publicity.v1.PublicContentService/ListLiveContent",
      "/fangxian.publicity.v1.PublicContentService/GetLiveContent"};
  std::set<std::string> covered;
  for (const Service& svc : services) covered.insert(svc.descriptor->full_name());
  std::set<std::string> expected;
  for (const std::string& name : DeclaredServices()) {
    if (kNotServed.count(name) == 0) expected.insert(name);
  }
  ASSERT_GE(expected.size(), 12u) << "the proto files were not found under " << FX_PROTO_DIR;
  EXPECT_EQ(covered, expected) << "every served service of proto/fangxian/*/v1 must be listed";
  int methods = 0;
  int streaming = 0;
  for (const Service& svc : services) {
    ServiceUnderTest sut(svc.binary, "authcov", tokens, svc.env);
    ASSERT_TRUE(sut.WaitUntilServing());
    for (int i = 0; i < svc.descriptor->method_count(); ++i) {
      const std::string method =
          "/" + svc.descriptor->full_name() + "/" + svc.descriptor->method(i)->name();
      SCOPED_TRACE(method);
      if (kPublic.count(method)) continue;
      EXPECT_EQ(CallEmpty(*sut.channel(), method, "").error_code(),
                grpc::StatusCode::UNAUTHENTICATED);
      EXPECT_EQ(CallEmpty(*sut.channel(), method, forged).error_code(),
                grpc::StatusCode::UNAUTHENTICATED);
      ++methods;
      if (svc.descriptor->method(i)->server_streaming()) ++streaming;
    }
  }
  EXPECT_GE(methods, 60);
  EXPECT_GE(streaming, 1);  // StreamAlerts
}

}  // namespace
}  // namespace fangxian::testing
