// The route table's index (a trie over leading literal segments, split by segment count)
// must choose exactly what trying every route would: checked for every route of the real
// services, and for templates the services do not use yet (verbs, "**", a variable first).
// Also each route's deadline class and what X-Timeout-Ms may do with it.
#include "gateway/route_table.h"

#include <set>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "gateway/services.h"

namespace fangxian::gateway {
namespace {

using std::chrono::milliseconds;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

// The matching rule, stated the slow way: every route is tried.
RouteMatch MatchEveryRoute(const RouteTable& table, absl::string_view method,
                           absl::string_view path) {
  RouteMatch best;
  int best_score = -1;
  std::vector<std::string> values;
  for (const Route& r : table.routes()) {
    if (!r.path.Match(path, &values)) continue;
    if (r.http_method != method) {
      if (std::find(best.allowed.begin(), best.allowed.end(), r.http_method) ==
          best.allowed.end()) {
        best.allowed.push_back(r.http_method);
      }
      continue;
    }
    if (r.path.Specificity() > best_score) {
      best_score = r.path.Specificity();
      best.route = &r;
      best.values = values;
    }
  }
  if (best.route != nullptr) {
    best.allowed.clear();
  } else {
    std::sort(best.allowed.begin(), best.allowed.end());
  }
  return best;
}

// A path the template matches: variables and "*" get a value, "**" two segments.
std::string SamplePath(const std::string& text) {
  std::string out;
  int n = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '{') {
      const size_t close = text.find('}', i);
      const std::string inner = text.substr(i + 1, close - i - 1);
      const size_t eq = inner.find('=');
      out += eq == std::string::npos ? absl::StrCat("v", ++n) : SamplePath(inner.substr(eq + 1));
      i = close;
    } else if (text.compare(i, 2, "**") == 0) {
      out += "m1/m2";
      ++i;
    } else if (text[i] == '*') {
      out += absl::StrCat("s", ++n);
    } else {
      out += text[i];
    }
  }
  return out;
}

// The sample path of each route and near misses of it.
std::vector<std::string> Paths(const RouteTable& table) {
  std::set<std::string> paths = {"", "/", "//", "/v1", "/v1/", "/nothing", "/v1/a:b/c"};
  for (const Route& r : table.routes()) {
    const std::string p = SamplePath(r.path.text());
    const std::string no_verb =
        r.path.verb().empty() ? p : p.substr(0, p.size() - r.path.verb().size() - 1);
    const size_t second = p.find('/', 1);
    // "**" matching no segment at all.
    const size_t multi = p.find("/m1/m2");
    const std::string none =
        multi == std::string::npos ? p : p.substr(0, multi) + p.substr(multi + 6);
    for (const std::string& q : {p, p + "/", p + "/extra", p + "/x/y", p.substr(0, p.rfind('/')),
                                 no_verb, no_verb + ":other", p + ":verb", "/x" + p,
                                 second == std::string::npos ? p : p.substr(second), none}) {
      paths.insert(q);
    }
  }
  return {paths.begin(), paths.end()};
}

void ExpectSameAsEveryRoute(const RouteTable& table) {
  ASSERT_FALSE(table.routes().empty());
  std::set<std::string> methods = {"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
  for (const Route& r : table.routes()) methods.insert(r.http_method);
  int matched = 0;
  for (const std::string& path : Paths(table)) {
    for (const std::string& method : methods) {
      SCOPED_TRACE(absl::StrCat(method, " ", path));
      const RouteMatch want = MatchEveryRoute(table, method, path);
      const RouteMatch got = table.Match(method, path);
      EXPECT_EQ(got.route, want.route);
      EXPECT_EQ(got.values, want.values);
      EXPECT_EQ(got.allowed, want.allowed);
      if (got.route != nullptr) ++matched;
    }
  }
  // Every route's own sample path reached it (the comparison is not vacuous).
  for (const Route& r : table.routes()) {
    RouteMatch m = table.Match(r.http_method, SamplePath(r.path.text()));
    ASSERT_NE(m.route, nullptr) << r.http_method << " " << r.path.text();
    EXPECT_EQ(m.route->path.text(), r.path.text());
  }
  EXPECT_GE(matched, static_cast<int>(table.routes().size()));
}

std::vector<const google::protobuf::ServiceDescriptor*> AllServices() {
  std::vector<const google::protobuf::ServiceDescriptor*> out;
  for (const RoutedService& s : RoutedServices()) out.push_back(s.descriptor);
  out.push_back(BenchEchoService().descriptor);
  return out;
}

TEST(RouteTableTest, EveryRouteOfTheServicesMatchesAsWithoutTheIndex) {
  absl::StatusOr<RouteTable> table = RouteTable::Build(AllServices());
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_GT(table->routes().size(), 100u);
  ExpectSameAsEveryRoute(*table);
}

TEST(RouteTableTest, KnownRoutesResolveToTheirRpcs) {
  absl::StatusOr<RouteTable> table = RouteTable::Build(AllServices());
  ASSERT_TRUE(table.ok()) << table.status();
  RouteMatch get = table->Match("GET", "/v1/residents/r%2D1");
  ASSERT_NE(get.route, nullptr);
  EXPECT_EQ(get.route->grpc_method, "/fangxian.identity.v1.IdentityService/GetResident");
  EXPECT_THAT(get.values, ElementsAre("r-1"));

  RouteMatch stream = table->Match("GET", "/v1/alerts:stream");
  ASSERT_NE(stream.route, nullptr);
  EXPECT_EQ(stream.route->grpc_method, "/fangxian.checkpoint.v1.AlertService/StreamAlerts");

  RouteMatch wrong = table->Match("DELETE", "/v1/residents");
  EXPECT_EQ(wrong.route, nullptr);
  EXPECT_THAT(wrong.allowed, ElementsAre("GET", "POST"));
  EXPECT_EQ(table->Match("GET", "/v1/residents/a/b").route, nullptr);
  EXPECT_TRUE(table->Match("GET", "/v1/residents/a/b").allowed.empty());
}

// A copied or moved table keeps matching (the index holds positions, not pointers).
TEST(RouteTableTest, CopiesMatchIntoTheirOwnRoutes) {
  absl::StatusOr<RouteTable> built = RouteTable::Build(AllServices());
  ASSERT_TRUE(built.ok()) << built.status();
  RouteTable copy = *built;
  RouteTable moved = *std::move(built);
  for (const RouteTable* t : {&copy, &moved}) {
    RouteMatch m = t->Match("GET", "/v1/residents/r1");
    ASSERT_NE(m.route, nullptr);
    EXPECT_GE(m.route, &t->routes().front());
    EXPECT_LE(m.route, &t->routes().back());
  }
}

// Templates outside what the services use today.
constexpr char kOddFile[] = R"pb(
  name: "gwtest/route_table.proto"
  package: "gwroute.v1"
  dependency: "google/api/annotations.proto"
  message_type {
    name: "Thing"
    field { name: "name" number: 1 type: TYPE_STRING label: LABEL_OPTIONAL }
    field { name: "path" number: 2 type: TYPE_STRING label: LABEL_OPTIONAL }
    field { name: "kind" number: 3 type: TYPE_STRING label: LABEL_OPTIONAL }
  }
  service {
    name: "OddService"
    method {
      name: "GetThing"
      input_type: ".gwroute.v1.Thing"
      output_type: ".gwroute.v1.Thing"
      options {
        [google.api.http] { get: "/v1/things/{name}" }
      }
    }
    method {
      name: "WatchThings"
      input_type: ".gwroute.v1.Thing"
      output_type: ".gwroute.v1.Thing"
      server_streaming: true
      options {
        [google.api.http] { get: "/v1/things:watch" }
      }
    }
    method {
      name: "GetFile"
      input_type: ".gwroute.v1.Thing"
      output_type: ".gwroute.v1.Thing"
      options {
        [google.api.http] { get: "/v1/{path=files/**}" }
      }
    }
    method {
      name: "ArchiveThing"
      input_type: ".gwroute.v1.Thing"
      output_type: ".gwroute.v1.Thing"
      options {
        [google.api.http] { post: "/v1/things/{name}:archive" body: "*" }
      }
    }
    method {
      name: "GetKind"
      input_type: ".gwroute.v1.Thing"
      output_type: ".gwroute.v1.Thing"
      options {
        [google.api.http] { get: "/{kind}/x" }
      }
    }
    method {
      name: "GetAnywhere"
      input_type: ".gwroute.v1.Thing"
      output_type: ".gwroute.v1.Thing"
      options {
        [google.api.http] { get: "/v1/*/things/{name}" }
      }
    }
    method {
      name: "GetAll"
      input_type: ".gwroute.v1.Thing"
      output_type: ".gwroute.v1.Thing"
      options {
        [google.api.http] { get: "/**" }
      }
    }
    method {
      name: "Both"
      input_type: ".gwroute.v1.Thing"
      output_type: ".gwroute.v1.Thing"
      options {
        [google.api.http] {
          get: "/v1/both"
          additional_bindings { post: "/v1/both" body: "*" }
        }
      }
    }
  }
)pb";

class OddTemplatesTest : public ::testing::Test {
 protected:
  OddTemplatesTest() : pool_(google::protobuf::DescriptorPool::generated_pool()) {}

  void SetUp() override {
    google::protobuf::FileDescriptorProto file;
    ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(kOddFile, &file));
    const google::protobuf::FileDescriptor* fd = pool_.BuildFile(file);
    ASSERT_NE(fd, nullptr);
    service_ = fd->service(0);
  }

  google::protobuf::DescriptorPool pool_;
  const google::protobuf::ServiceDescriptor* service_ = nullptr;
};

TEST_F(OddTemplatesTest, MatchAsWithoutTheIndex) {
  absl::StatusOr<RouteTable> table = RouteTable::Build({service_});
  ASSERT_TRUE(table.ok()) << table.status();
  ExpectSameAsEveryRoute(*table);

  RouteMatch file = table->Match("GET", "/v1/files/a/b%2Fc");
  ASSERT_NE(file.route, nullptr);
  EXPECT_EQ(file.route->method->name(), "GetFile");
  EXPECT_THAT(file.values, ElementsAre("files/a/b%2Fc"));
  RouteMatch bare = table->Match("GET", "/v1/files");
  ASSERT_NE(bare.route, nullptr);
  EXPECT_EQ(bare.route->method->name(), "GetFile");
  RouteMatch any = table->Match("GET", "/elsewhere");
  ASSERT_NE(any.route, nullptr);
  EXPECT_EQ(any.route->method->name(), "GetAll");
  RouteMatch kind = table->Match("GET", "/v1/x");
  ASSERT_NE(kind.route, nullptr);
  EXPECT_EQ(kind.route->method->name(), "GetKind");
  RouteMatch archive = table->Match("POST", "/v1/things/t1:archive");
  ASSERT_NE(archive.route, nullptr);
  EXPECT_EQ(archive.route->method->name(), "ArchiveThing");
  RouteMatch watch = table->Match("GET", "/v1/things:watch");
  ASSERT_NE(watch.route, nullptr);
  EXPECT_EQ(watch.route->method->name(), "WatchThings");
}

TEST_F(OddTemplatesTest, DeadlineClassComesFromTheRpc) {
  DeadlinePolicy policy;
  policy.read = milliseconds(1000);
  policy.write = milliseconds(2000);
  policy.stream = milliseconds(60000);
  policy.max = milliseconds(5000);
  absl::StatusOr<RouteTable> table = RouteTable::Build({service_}, policy);
  ASSERT_TRUE(table.ok()) << table.status();

  const Route* get = table->Match("GET", "/v1/things/t1").route;
  ASSERT_NE(get, nullptr);
  EXPECT_EQ(get->deadline_class, DeadlineClass::kRead);
  EXPECT_EQ(get->default_timeout, milliseconds(1000));
  EXPECT_EQ(get->max_timeout, milliseconds(5000));

  const Route* post = table->Match("POST", "/v1/things/t1:archive").route;
  ASSERT_NE(post, nullptr);
  EXPECT_EQ(post->deadline_class, DeadlineClass::kWrite);
  EXPECT_EQ(post->default_timeout, milliseconds(2000));
  EXPECT_EQ(post->max_timeout, milliseconds(5000));

  // A stream's maximum is its default: the header can only shorten it.
  const Route* watch = table->Match("GET", "/v1/things:watch").route;
  ASSERT_NE(watch, nullptr);
  EXPECT_EQ(watch->deadline_class, DeadlineClass::kStream);
  EXPECT_EQ(watch->default_timeout, milliseconds(60000));
  EXPECT_EQ(watch->max_timeout, milliseconds(60000));
}

TEST_F(OddTemplatesTest, ReadMethodsAreUnaryRpcsBoundOnlyToGet) {
  absl::StatusOr<RouteTable> table = RouteTable::Build({service_});
  ASSERT_TRUE(table.ok()) << table.status();
  // Not WatchThings (a stream), ArchiveThing (POST), Both (also bound to POST).
  EXPECT_THAT(table->ReadMethods(),
              ElementsAre("/gwroute.v1.OddService/GetAll", "/gwroute.v1.OddService/GetAnywhere",
                          "/gwroute.v1.OddService/GetFile", "/gwroute.v1.OddService/GetKind",
                          "/gwroute.v1.OddService/GetThing"));
}

TEST(RouteTableTest, ReadMethodsOfTheServicesAreTheirGets) {
  absl::StatusOr<RouteTable> table = RouteTable::Build(AllServices());
  ASSERT_TRUE(table.ok()) << table.status();
  const std::vector<std::string> reads = table->ReadMethods();
  EXPECT_THAT(reads, Contains("/fangxian.identity.v1.IdentityService/GetResident"));
  EXPECT_THAT(reads, Not(Contains("/fangxian.identity.v1.IdentityService/CreateResident")));
  EXPECT_THAT(reads, Not(Contains("/fangxian.checkpoint.v1.AlertService/StreamAlerts")));
  for (const Route& r : table->routes()) {
    const bool listed = std::find(reads.begin(), reads.end(), r.grpc_method) != reads.end();
    if (r.http_method != "GET" || r.method->server_streaming()) {
      EXPECT_FALSE(listed) << r.http_method << " " << r.grpc_method;
    }
  }
}

TEST(CallTimeoutTest, HeaderSetsAnyValueUpToTheMaximum) {
  Route r;
  r.default_timeout = milliseconds(5000);
  r.max_timeout = milliseconds(30000);
  EXPECT_EQ(*CallTimeout(r, ""), milliseconds(5000));
  EXPECT_EQ(*CallTimeout(r, "200"), milliseconds(200));
  EXPECT_EQ(*CallTimeout(r, "20000"), milliseconds(20000));  // above the default
  EXPECT_EQ(*CallTimeout(r, "30000"), milliseconds(30000));
  EXPECT_EQ(*CallTimeout(r, "600000"), milliseconds(30000));  // capped
  for (const char* bad : {"soon", "0", "-5", "1.5", "1e3", "12ms", "99999999999999999999999"}) {
    absl::StatusOr<milliseconds> t = CallTimeout(r, bad);
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace fangxian::gateway
