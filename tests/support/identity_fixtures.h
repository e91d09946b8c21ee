// The real identity_server for black-box tests of services that ask identity about
// residents and households (quarantine): a scratch database, with areas and residents
// made through identity's API as a subdistrict admin, so the service under test reads
// them exactly as it does in production. Header-only: tests that include it link
// identity_lib (ID number check characters) and get the identity protos from it.
#ifndef FANGXIAN_TESTS_SUPPORT_IDENTITY_FIXTURES_H_
#define FANGXIAN_TESTS_SUPPORT_IDENTITY_FIXTURES_H_

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "fangxian/identity/v1/areas.grpc.pb.h"
#include "fangxian/identity/v1/identity.grpc.pb.h"
#include "services/identity/id_number.h"
#include "tests/support/grpc_client.h"
#include "tests/support/service_under_test.h"

namespace fangxian::testing {

class IdentityUnderTest {
 public:
  // Starts identity_server on a scratch database named after `db_prefix`, trusting the
  // tokens of `tokens`, and waits until it serves (a test failure when it does not).
  IdentityUnderTest(const TestTokens& tokens, const std::string& db_prefix)
      : tokens_(tokens),
        server_("services/identity/identity_server", db_prefix, tokens, IdentityKeysEnv()) {
    EXPECT_TRUE(server_.WaitUntilServing());
  }

  ServiceUnderTest& server() { return server_; }
  // identity's gRPC address, for FX_IDENTITY_ADDR of the service under test.
  std::string address() {
    return absl::StrCat("127.0.0.1:", server_.process().WaitForPort("grpc_port"));
  }
  // {"FX_IDENTITY_ADDR", address()} plus `more`, for ServiceUnderTest's extra_env.
  std::map<std::string, std::string> Env(std::map<std::string, std::string> more = {}) {
    more["FX_IDENTITY_ADDR"] = address();
    return more;
  }

  // Creates the area `path` ("gongyi.dufulu.longhai.jingyuan") and each missing area
  // above it below the city root, the level following from the depth: subdistrict,
  // community, compound, building, unit. Areas made before are left as they are.
  void EnsureArea(const std::string& path) {
    namespace idv1 = identity::v1;
    static const idv1::AreaLevel kLevels[] = {idv1::AREA_LEVEL_SUBDISTRICT,
                                              idv1::AREA_LEVEL_COMMUNITY, idv1::AREA_LEVEL_COMPOUND,
                                              idv1::AREA_LEVEL_BUILDING, idv1::AREA_LEVEL_UNIT};
    const std::vector<std::string> parts = absl::StrSplit(path, '.');
    ASSERT_GE(parts.size(), 2u) << path << ": a city root has no area row to make";
    ASSERT_LE(parts.size(), 6u) << path;
    std::string parent = parts[0];
    for (size_t i = 1; i < parts.size(); ++i) {
      const std::string child = absl::StrCat(parent, ".", parts[i]);
      if (made_.insert(child).second) {
        idv1::CreateAreaRequest req;
        req.set_parent_path(parent);
        req.set_code(parts[i]);
        req.set_name(parts[i]);
        req.set_level(kLevels[i - 1]);
        idv1::Area out;
        const grpc::Status st = idv1::AreaService::NewStub(server_.channel())
                                    ->CreateArea(CallContextWith(Admin(path)).get(), req, &out);
        ASSERT_TRUE(st.ok() || st.error_code() == grpc::StatusCode::ALREADY_EXISTS)
            << child << ": " << st.error_message();
      }
      parent = child;
    }
  }

  // A new resident named `name` registered in `area` (made first when missing), with a
  // valid ID number of its own. Returns the resident's id; "" and a test failure when
  // identity refuses.
  std::string Resident(const std::string& name, const std::string& area) {
    EnsureArea(area);
    const std::string first17 = absl::StrCat("41018119900307", 100 + next_resident_++);
    identity::v1::CreateResidentRequest req;
    req.mutable_resident()->set_name(name);
    req.mutable_resident()->set_id_number(first17 + identity::IdCheckCharacter(first17));
    req.mutable_resident()->set_area_code(area);
    identity::v1::Resident out;
    const grpc::Status st = identity::v1::IdentityService::NewStub(server_.channel())
                                ->CreateResident(CallContextWith(Admin(area)).get(), req, &out);
    EXPECT_TRUE(st.ok()) << name << ": " << st.error_message();
    return out.resident_id();
  }

 private:
  // A subdistrict admin over the city root of `path`.
  std::string Admin(const std::string& path) const {
    const std::string root = path.substr(0, path.find('.'));
    return tokens_.Mint("identity-fixture-admin", {"subdistrict_admin"}, {root});
  }

  const TestTokens& tokens_;
  ServiceUnderTest server_;
  std::set<std::string> made_;
  int next_resident_ = 0;  // 900 residents per test at most (the ID number's serial)
};

}  // namespace fangxian::testing

#endif  // FANGXIAN_TESTS_SUPPORT_IDENTITY_FIXTURES_H_
