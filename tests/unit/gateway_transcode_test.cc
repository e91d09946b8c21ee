// Request-to-message and message-to-JSON for real routes (identity) and for a test
// service built in its own descriptor pool (types the foundation protos do not have yet).
#include "gateway/transcode.h"

#include <memory>
#include <string>

#include <gmock/gmock.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/timestamp.pb.h>
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include "fangxian/identity/v1/identity.pb.h"
#include "gateway/route_table.h"
#include "gateway/services.h"

namespace fangxian::gateway {
namespace {

using ::fangxian::identity::v1::CreateResidentRequest;
using ::fangxian::identity::v1::GetResidentRequest;
using ::fangxian::identity::v1::Resident;
using ::fangxian::identity::v1::SearchResidentsRequest;
using ::fangxian::identity::v1::UpdateResidentRequest;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

const google::protobuf::ServiceDescriptor* Identity() {
  for (const RoutedService& s : RoutedServices()) {
    if (s.name == "identity") return s.descriptor;
  }
  return nullptr;
}

class IdentityRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(Identity(), nullptr);
    absl::StatusOr<RouteTable> t = RouteTable::Build({Identity()});
    ASSERT_TRUE(t.ok()) << t.status();
    table_ = *std::move(t);
  }

  // Builds the request for `method path` with `body`; fails the test if no route matches.
  absl::StatusOr<std::unique_ptr<google::protobuf::Message>> Build(const char* method,
                                                                   absl::string_view target,
                                                                   absl::string_view body) {
    const size_t q = target.find('?');
    RouteMatch m = table_.Match(method, target.substr(0, q));
    EXPECT_NE(m.route, nullptr) << method << " " << target;
    if (m.route == nullptr) return absl::NotFoundError("no route");
    return BuildRequestMessage(*m.route, m.values,
                               q == absl::string_view::npos ? "" : target.substr(q + 1), body);
  }

  RouteTable table_;
};

TEST_F(IdentityRoutesTest, RoutesComeFromTheHttpOptions) {
  // One route per RPC of IdentityService.
  ASSERT_EQ(table_.routes().size(), 21u);
  RouteMatch login = table_.Match("POST", "/v1/auth/login");
  ASSERT_NE(login.route, nullptr);
  EXPECT_EQ(login.route->grpc_method, "/fangxian.identity.v1.IdentityService/Login");
  EXPECT_EQ(login.route->body, "*");
  RouteMatch grant = table_.Match("POST", "/v1/staff/0f0c/grants");
  ASSERT_NE(grant.route, nullptr);
  EXPECT_EQ(grant.route->grpc_method, "/fangxian.identity.v1.IdentityService/GrantRole");

  RouteMatch create = table_.Match("POST", "/v1/residents");
  ASSERT_NE(create.route, nullptr);
  EXPECT_EQ(create.route->grpc_method, "/fangxian.identity.v1.IdentityService/CreateResident");
  EXPECT_EQ(create.route->body, "resident");

  RouteMatch get = table_.Match("GET", "/v1/residents/5f0c");
  ASSERT_NE(get.route, nullptr);
  EXPECT_EQ(get.route->grpc_method, "/fangxian.identity.v1.IdentityService/GetResident");

  RouteMatch wrong_method = table_.Match("DELETE", "/v1/residents");
  EXPECT_EQ(wrong_method.route, nullptr);
  EXPECT_THAT(wrong_method.allowed, UnorderedElementsAre("GET", "POST"));

  RouteMatch unknown = table_.Match("GET", "/v1/nothing");
  EXPECT_EQ(unknown.route, nullptr);
  EXPECT_TRUE(unknown.allowed.empty());
}

TEST_F(IdentityRoutesTest, CreateResidentBodyFillsTheResidentField) {
  auto msg = Build("POST", "/v1/residents",
                   R"({"name":"张三","idNumber":"11010519491231002X","area_code":"gongyi.dufulu",
                       "phone":"13800001111"})");
  ASSERT_TRUE(msg.ok()) << msg.status();
  const auto* req = dynamic_cast<const CreateResidentRequest*>(msg->get());
  ASSERT_NE(req, nullptr);
  EXPECT_EQ(req->resident().name(), "张三");
  EXPECT_EQ(req->resident().id_number(), "11010519491231002X");  // lowerCamelCase accepted
  EXPECT_EQ(req->resident().area_code(), "gongyi.dufulu");       // proto name accepted
  EXPECT_EQ(req->resident().phone(), "13800001111");
}

TEST_F(IdentityRoutesTest, UpdateResidentTakesTheMaskAsAQueryParameter) {
  auto msg = Build("PATCH", "/v1/residents/5f0c?updateMask=name,areaCode",
                   R"({"name":"王五","areaCode":"gongyi.dufulu.yimin"})");
  ASSERT_TRUE(msg.ok()) << msg.status();
  const auto* req = dynamic_cast<const UpdateResidentRequest*>(msg->get());
  ASSERT_NE(req, nullptr);
  EXPECT_EQ(req->resident_id(), "5f0c");
  EXPECT_EQ(req->resident().name(), "王五");
  EXPECT_EQ(req->resident().area_code(), "gongyi.dufulu.yimin");
  EXPECT_THAT(req->update_mask().paths(), ::testing::ElementsAre("name", "area_code"));
}

TEST_F(IdentityRoutesTest, SearchResidentsTakesQueryParameters) {
  auto msg =
      Build("GET", "/v1/residents?areaCode=gongyi.dufulu&namePrefix=%E7%8E%8B&pageSize=20", "");
  ASSERT_TRUE(msg.ok()) << msg.status();
  const auto* req = dynamic_cast<const SearchResidentsRequest*>(msg->get());
  ASSERT_NE(req, nullptr);
  EXPECT_EQ(req->area_code(), "gongyi.dufulu");
  EXPECT_EQ(req->name_prefix(), "王");
  EXPECT_EQ(req->page_size(), 20);
}

TEST_F(IdentityRoutesTest, TimestampsAreRfc3339) {
  auto msg = Build("POST", "/v1/residents", R"({"createTime":"2020-02-01T08:00:00Z"})");
  ASSERT_TRUE(msg.ok()) << msg.status();
  const auto* req = dynamic_cast<const CreateResidentRequest*>(msg->get());
  ASSERT_NE(req, nullptr);
  EXPECT_EQ(req->resident().create_time().seconds(), 1580544000);
}

TEST_F(IdentityRoutesTest, UnknownJsonFieldIsRejected) {
  auto msg = Build("POST", "/v1/residents", R"({"name":"a","nmae":"typo"})");
  ASSERT_FALSE(msg.ok());
  EXPECT_EQ(msg.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(msg.status().message()), HasSubstr("nmae"));
}

TEST_F(IdentityRoutesTest, WrongTypesAreRejected) {
  for (const char* body : {
           R"({"name":{"first":"a"}})",      // object for a string
           R"({"name":["a"]})",              // list for a string
           R"({"createTime":"yesterday"})",  // not RFC 3339
           R"({"createTime":12})",           // number for a Timestamp
       }) {
    auto msg = Build("POST", "/v1/residents", body);
    ASSERT_FALSE(msg.ok()) << "accepted " << body;
    EXPECT_EQ(msg.status().code(), absl::StatusCode::kInvalidArgument) << body;
  }
}

TEST_F(IdentityRoutesTest, MalformedJsonIsRejected) {
  for (const char* body : {R"({"name":)", "not json", R"({"name":"a"} trailing)", "[1,2]"}) {
    auto msg = Build("POST", "/v1/residents", body);
    ASSERT_FALSE(msg.ok()) << "accepted " << body;
    EXPECT_EQ(msg.status().code(), absl::StatusCode::kInvalidArgument) << body;
  }
}

TEST_F(IdentityRoutesTest, EmptyBodyLeavesTheBodyFieldUnset) {
  auto msg = Build("POST", "/v1/residents", "");
  ASSERT_TRUE(msg.ok()) << msg.status();
  const auto* req = dynamic_cast<const CreateResidentRequest*>(msg->get());
  ASSERT_NE(req, nullptr);
  EXPECT_FALSE(req->has_resident());
}

TEST_F(IdentityRoutesTest, GetResidentPathVariableSetsTheField) {
  auto msg = Build("GET", "/v1/residents/0b9e%2Dx", "");
  ASSERT_TRUE(msg.ok()) << msg.status();
  const auto* req = dynamic_cast<const GetResidentRequest*>(msg->get());
  ASSERT_NE(req, nullptr);
  EXPECT_EQ(req->resident_id(), "0b9e-x");
}

TEST_F(IdentityRoutesTest, GetResidentRejectsBadQueriesAndBodies) {
  auto unknown = Build("GET", "/v1/residents/r1?name=x", "");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(unknown.status().message()), HasSubstr("unknown query parameter"));

  auto shadow = Build("GET", "/v1/residents/r1?resident_id=r2", "");
  ASSERT_FALSE(shadow.ok());
  EXPECT_EQ(shadow.status().code(), absl::StatusCode::kInvalidArgument);

  auto body = Build("GET", "/v1/residents/r1", R"({"residentId":"r2"})");
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(MessageToJsonTest, ResponseUsesLowerCamelCase) {
  Resident r;
  r.set_resident_id("0b9e");
  r.set_name("张三");
  r.set_area_code("gongyi.dufulu");
  *r.mutable_create_time() = google::protobuf::util::TimeUtil::SecondsToTimestamp(1580544000);
  absl::StatusOr<std::string> json = MessageToJson(r);
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_THAT(*json, HasSubstr(R"("residentId":"0b9e")"));
  EXPECT_THAT(*json, HasSubstr(R"("areaCode":"gongyi.dufulu")"));
  EXPECT_THAT(*json, HasSubstr(R"("createTime":"2020-02-01T08:00:00Z")"));
  EXPECT_THAT(*json, HasSubstr("张三"));
  EXPECT_THAT(*json, Not(HasSubstr("resident_id")));
  EXPECT_THAT(*json, Not(HasSubstr("idNumber"))) << "unset fields are omitted";
}

TEST(ErrorBodyTest, HasTheStatusShapeAndEscapes) {
  EXPECT_EQ(ErrorBody(grpc::StatusCode::NOT_FOUND, "no \"x\"\n"),
            R"({"code":5,"message":"no \"x\"\n","details":[]})");
}

// ---- A test service in its own pool: scalar conversions, repeated params, bad mappings.

constexpr char kTestFile[] = R"pb(
  name: "gateway_test/thing.proto"
  package: "gwtest.v1"
  dependency: "google/api/annotations.proto"
  dependency: "google/protobuf/timestamp.proto"
  syntax: "proto3"
  message_type {
    name: "Inner"
    field { name: "big" number: 1 type: TYPE_INT64 label: LABEL_OPTIONAL json_name: "big" }
    field { name: "flag_on" number: 2 type: TYPE_BOOL label: LABEL_OPTIONAL json_name: "flagOn" }
  }
  message_type {
    name: "Thing"
    field { name: "name" number: 1 type: TYPE_STRING label: LABEL_OPTIONAL json_name: "name" }
    field { name: "count" number: 2 type: TYPE_INT32 label: LABEL_OPTIONAL json_name: "count" }
    field { name: "active" number: 3 type: TYPE_BOOL label: LABEL_OPTIONAL json_name: "active" }
    field {
      name: "color"
      number: 4
      type: TYPE_ENUM
      type_name: ".gwtest.v1.Color"
      label: LABEL_OPTIONAL
      json_name: "color"
    }
    field { name: "tags" number: 5 type: TYPE_STRING label: LABEL_REPEATED json_name: "tags" }
    field {
      name: "inner"
      number: 6
      type: TYPE_MESSAGE
      type_name: ".gwtest.v1.Inner"
      label: LABEL_OPTIONAL
      json_name: "inner"
    }
    field { name: "ratio" number: 7 type: TYPE_DOUBLE label: LABEL_OPTIONAL json_name: "ratio" }
    field {
      name: "since"
      number: 8
      type: TYPE_MESSAGE
      type_name: ".google.protobuf.Timestamp"
      label: LABEL_OPTIONAL
      json_name: "since"
    }
    field {
      name: "page_size"
      number: 9
      type: TYPE_INT32
      label: LABEL_OPTIONAL
      json_name: "pageSize"
    }
  }
  message_type {
    name: "UpdateThingRequest"
    field {
      name: "thing"
      number: 1
      type: TYPE_MESSAGE
      type_name: ".gwtest.v1.Thing"
      label: LABEL_OPTIONAL
      json_name: "thing"
    }
    field { name: "reason" number: 2 type: TYPE_STRING label: LABEL_OPTIONAL json_name: "reason" }
  }
  enum_type {
    name: "Color"
    value { name: "COLOR_UNSPECIFIED" number: 0 }
    value { name: "COLOR_RED" number: 1 }
  }
  service {
    name: "ThingService"
    method {
      name: "GetThing"
      input_type: ".gwtest.v1.Thing"
      output_type: ".gwtest.v1.Thing"
      options {
        [google.api.http] { get: "/v1/things/{name}" }
      }
    }
    method {
      name: "UpdateThing"
      input_type: ".gwtest.v1.UpdateThingRequest"
      output_type: ".gwtest.v1.Thing"
      options {
        [google.api.http] {
          patch: "/v1/things/{thing.name}"
          body: "thing"
          additional_bindings { put: "/v1/things/{thing.name}" body: "*" }
        }
      }
    }
    method {
      name: "ListThings"
      input_type: ".gwtest.v1.Thing"
      output_type: ".gwtest.v1.Thing"
      options {
        [google.api.http] { get: "/v1/things" }
      }
    }
    method { name: "NotRouted" input_type: ".gwtest.v1.Thing" output_type: ".gwtest.v1.Thing" }
  }
)pb";

class TestPoolTest : public ::testing::Test {
 protected:
  TestPoolTest() : pool_(google::protobuf::DescriptorPool::generated_pool()) {}

  // Builds a copy of kTestFile with the first service's methods replaced by `method`
  // (text format of one MethodDescriptorProto), or as is when `method` is empty.
  const google::protobuf::ServiceDescriptor* Load(const std::string& method = "",
                                                  const std::string& file_name = "") {
    google::protobuf::FileDescriptorProto file;
    EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(kTestFile, &file));
    if (!file_name.empty()) {
      file.set_name(file_name);
      file.set_package("gwtest.v" + std::to_string(++files_ + 1));
      // Keep type references inside the renamed package.
      for (auto& m : *file.mutable_message_type()) {
        for (auto& f : *m.mutable_field()) {
          if (f.type_name().rfind(".gwtest.v1.", 0) == 0) {
            f.set_type_name("." + file.package() + f.type_name().substr(10));
          }
        }
      }
    }
    if (!method.empty()) {
      auto* s = file.mutable_service(0);
      s->clear_method();
      EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(method, s->add_method()));
      s->mutable_method(0)->set_input_type("." + file.package() + ".UpdateThingRequest");
      s->mutable_method(0)->set_output_type("." + file.package() + ".Thing");
    }
    const google::protobuf::FileDescriptor* fd = pool_.BuildFile(file);
    EXPECT_NE(fd, nullptr);
    return fd == nullptr ? nullptr : fd->service(0);
  }

  absl::StatusOr<std::unique_ptr<google::protobuf::Message>> Build(const RouteTable& table,
                                                                   const char* method,
                                                                   absl::string_view target,
                                                                   absl::string_view body = "") {
    const size_t q = target.find('?');
    RouteMatch m = table.Match(method, target.substr(0, q));
    EXPECT_NE(m.route, nullptr) << method << " " << target;
    if (m.route == nullptr) return absl::NotFoundError("no route");
    return BuildRequestMessage(*m.route, m.values,
                               q == absl::string_view::npos ? "" : target.substr(q + 1), body);
  }

  static std::string Json(const google::protobuf::Message& m) {
    absl::StatusOr<std::string> j = MessageToJson(m);
    EXPECT_TRUE(j.ok()) << j.status();
    return j.ok() ? *j : "";
  }

  google::protobuf::DescriptorPool pool_;
  int files_ = 0;
};

TEST_F(TestPoolTest, AdditionalBindingsAndMethodsWithoutOptions) {
  absl::StatusOr<RouteTable> t = RouteTable::Build({Load()});
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->routes().size(), 4u);  // GetThing, UpdateThing x2, ListThings
  RouteMatch m = t->Match("POST", "/v1/things/a");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_THAT(m.allowed, UnorderedElementsAre("GET", "PATCH", "PUT"));
}

TEST_F(TestPoolTest, QueryParametersConvertScalars) {
  absl::StatusOr<RouteTable> t = RouteTable::Build({Load()});
  ASSERT_TRUE(t.ok()) << t.status();
  auto msg = Build(*t, "GET",
                   "/v1/things?count=-7&active=true&color=COLOR_RED&tags=a&tags=b%20c&"
                   "inner.big=9007199254740993&inner.flagOn=1&ratio=0.5&"
                   "since=2020-02-01T08:00:00Z&pageSize=20");
  ASSERT_TRUE(msg.ok()) << msg.status();
  EXPECT_EQ(Json(**msg), R"({"count":-7,"active":true,"color":"COLOR_RED","tags":["a","b c"],)"
                         R"("inner":{"big":"9007199254740993","flagOn":true},"ratio":0.5,)"
                         R"("since":"2020-02-01T08:00:00Z","pageSize":20})");
}

TEST_F(TestPoolTest, BadQueryParametersAreRejected) {
  absl::StatusOr<RouteTable> t = RouteTable::Build({Load()});
  ASSERT_TRUE(t.ok()) << t.status();
  for (const char* target : {
           "/v1/things?count=abc",
           "/v1/things?count=99999999999",
           "/v1/things?active=maybe",
           "/v1/things?color=COLOR_BLUE",
           "/v1/things?nope=1",
           "/v1/things?inner=x",
           "/v1/things?inner.nope=1",
           "/v1/things?count=1&count=2",
           "/v1/things?since=today",
           "/v1/things?ratio=half",
           "/v1/things?name=%zz",
       }) {
    auto msg = Build(*t, "GET", target);
    EXPECT_FALSE(msg.ok()) << "accepted " << target;
    if (!msg.ok()) {
      EXPECT_EQ(msg.status().code(), absl::StatusCode::kInvalidArgument);
    }
  }
}

TEST_F(TestPoolTest, PathVariablesOverrideTheBody) {
  absl::StatusOr<RouteTable> t = RouteTable::Build({Load()});
  ASSERT_TRUE(t.ok()) << t.status();
  auto patch = Build(*t, "PATCH", "/v1/things/t1?reason=fix", R"({"name":"other","count":2})");
  ASSERT_TRUE(patch.ok()) << patch.status();
  EXPECT_EQ(Json(**patch), R"({"thing":{"name":"t1","count":2},"reason":"fix"})");

  auto put = Build(*t, "PUT", "/v1/things/t2", R"({"thing":{"count":3},"reason":"r"})");
  ASSERT_TRUE(put.ok()) << put.status();
  EXPECT_EQ(Json(**put), R"({"thing":{"name":"t2","count":3},"reason":"r"})");

  // With body "*" every field is in the body: no query parameters.
  EXPECT_FALSE(Build(*t, "PUT", "/v1/things/t2?reason=x", "{}").ok());
  // A query parameter may not reach into the body field.
  EXPECT_FALSE(Build(*t, "PATCH", "/v1/things/t1?thing.count=1", "{}").ok());
}

TEST_F(TestPoolTest, UnservableMappingsAreStartUpErrorsNamingTheMethod) {
  const struct {
    const char* method;
    const char* problem;
  } cases[] = {
      {R"pb(name: "Bad"
            options {
              [google.api.http] { get: "/v1/{nope}" }
            })pb",
       "nope"},
      {R"pb(name: "Bad"
            options {
              [google.api.http] { post: "/v1/x" body: "nope" }
            })pb",
       "nope"},
      {R"pb(name: "Bad"
            options {
              [google.api.http] { post: "/v1/x" body: "reason" }
            })pb",
       "message"},
      {R"pb(name: "Bad"
            options {
              [google.api.http] { get: "v1/x" }
            })pb",
       "bad path template"},
      {R"pb(name: "Bad"
            options {
              [google.api.http] { get: "/v1/{thing}" }
            })pb",
       "scalar"},
      {R"pb(name: "Bad"
            options {
              [google.api.http] { get: "/v1/{thing.nope}" }
            })pb",
       "nope"},
      {R"pb(name: "Bad"
            options {
              [google.api.http] { get: "/v1/x" body: "*" }
            })pb",
       "GET"},
      {R"pb(name: "Bad"
            options {
              [google.api.http] {}
            })pb",
       "no HTTP method"},
  };
  for (const auto& c : cases) {
    const google::protobuf::ServiceDescriptor* s =
        Load(c.method, "gateway_test/bad" + std::to_string(files_) + ".proto");
    ASSERT_NE(s, nullptr);
    absl::StatusOr<RouteTable> t = RouteTable::Build({s});
    ASSERT_FALSE(t.ok()) << c.method;
    EXPECT_THAT(std::string(t.status().message()), HasSubstr(s->method(0)->full_name()));
    EXPECT_THAT(std::string(t.status().message()), HasSubstr(c.problem)) << c.method;
  }
}

TEST_F(TestPoolTest, DuplicateMappingsAreRejected) {
  const google::protobuf::ServiceDescriptor* s = Load();
  ASSERT_NE(s, nullptr);
  absl::StatusOr<RouteTable> t = RouteTable::Build({s, s});
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(std::string(t.status().message()), HasSubstr("already mapped"));
}

}  // namespace
}  // namespace fangxian::gateway
