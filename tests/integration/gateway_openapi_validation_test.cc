// GET /openapi.json from the real gateway_server over HTTP, validated by an independent
// validator: Debian's python3-jsonschema against the official OpenAPI 3.0 schema
// (openapi-specification), plus internal $refs and path parameters
// (openapi_validate.py). scripts/deps installs both packages; a missing one fails.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "tests/support/http_client.h"
#include "tests/support/process.h"
#include "tests/support/test_env.h"

namespace fangxian::testing {
namespace {

using ::testing::HasSubstr;

struct Outcome {
  int exit_code = -1;
  std::string output;
};

// Runs the validator on `document` (written to a file first); Debian's python3 by its
// full path, since `python3` on PATH may be a pyenv shim without the Debian packages.
Outcome Validate(const std::string& document, const std::string& name) {
  const std::string file =
      absl::StrCat(::testing::TempDir(), "openapi-", ::getpid(), "-", name, ".json");
  {
    std::ofstream out(file, std::ios::binary);
    out << document;
  }
  const std::string command =
      absl::StrCat("/usr/bin/python3 ", FX_OPENAPI_VALIDATOR, " ", file, " 2>&1");
  Outcome outcome;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return outcome;
  char buffer[4096];
  for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) {
    outcome.output.append(buffer, n);
  }
  const int status = ::pclose(pipe);
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::remove(file.c_str());
  return outcome;
}

class GatewayOpenApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // No upstream is needed: the document comes from the descriptors alone.
    gateway_ = new ChildProcess("gateway/gateway_server", GatewayServerEnv({}));
    port_ = gateway_->WaitForPort("http_port");
  }
  static void TearDownTestSuite() {
    delete gateway_;
    gateway_ = nullptr;
  }

  static std::string Fetch() {
    HttpResponse r = HttpRequest(port_, "GET", "/openapi.json");
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_THAT(r.headers["content-type"], HasSubstr("application/json"));
    EXPECT_FALSE(r.headers["x-request-id"].empty());
    return r.body;
  }

  static inline ChildProcess* gateway_ = nullptr;
  static inline int port_ = 0;
};

TEST_F(GatewayOpenApiTest, ServedDocumentIsValidOpenApi3) {
  const std::string document = Fetch();
  ASSERT_THAT(document, HasSubstr("\"openapi\":\"3.0.3\""));
  const Outcome outcome = Validate(document, "served");
  EXPECT_EQ(outcome.exit_code, 0) << outcome.output;
  EXPECT_EQ(outcome.output, "ok\n");
}

TEST_F(GatewayOpenApiTest, DocumentIsBuiltOnceAndOnlyRead) {
  EXPECT_EQ(Fetch(), Fetch());
  HttpResponse post = HttpRequest(port_, "POST", "/openapi.json", "{}");
  EXPECT_TRUE(IsHttpError(post, 405, 12));
  EXPECT_EQ(post.headers["allow"], "GET");
}

TEST_F(GatewayOpenApiTest, SummariesComeFromTheProtoComments) {
  const google::protobuf::Struct doc = ParseJson(Fetch());
  const google::protobuf::Struct create =
      JsonObject(JsonObject(JsonObject(doc, "paths"), "/v1/residents"), "post");
  EXPECT_EQ(JsonString(create, "operationId"), "IdentityService.CreateResident");
  // The first sentence of the comment on CreateResident in identity.proto.
  EXPECT_EQ(JsonString(create, "summary"), "Registers a resident.");
  EXPECT_THAT(JsonString(create, "description"), HasSubstr("ALREADY_EXISTS"));
}

// The validator is what makes the first test mean something: each kind of defect fails it.
TEST_F(GatewayOpenApiTest, ValidatorRejectsBrokenDocuments) {
  const std::string document = Fetch();
  ASSERT_EQ(document.front(), '{');

  // Not allowed by the OpenAPI schema: an unknown top-level member.
  const Outcome unknown = Validate("{\"bogus\":1," + document.substr(1), "unknown");
  EXPECT_EQ(unknown.exit_code, 1) << unknown.output;
  EXPECT_THAT(unknown.output, HasSubstr("schema:"));

  const std::string resident = "\"#/components/schemas/fangxian.identity.v1.Resident\"";
  ASSERT_THAT(document, HasSubstr(resident));
  const Outcome dangling =
      Validate(absl::StrReplaceAll(
                   document, {{resident, "\"#/components/schemas/fangxian.identity.v1.Nobody\""}}),
               "dangling");
  EXPECT_EQ(dangling.exit_code, 1) << dangling.output;
  EXPECT_THAT(dangling.output, HasSubstr("Nobody does not resolve"));

  const std::string path = "\"/v1/residents/{resident_id}\":";
  ASSERT_THAT(document, HasSubstr(path));
  const Outcome undeclared =
      Validate(absl::StrReplaceAll(document, {{path, "\"/v1/residents/{resident_id}/{other}\":"}}),
               "undeclared");
  EXPECT_EQ(undeclared.exit_code, 1) << undeclared.output;
  EXPECT_THAT(undeclared.output, HasSubstr("{other} is not declared"));
}

}  // namespace
}  // namespace fangxian::testing
