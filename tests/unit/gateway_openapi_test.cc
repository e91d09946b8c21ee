// The OpenAPI document: for the real routes (every route present, refs resolve, security)
// and for a test service in its own pool (types, parameters, bodies, comments, streams).
#include "gateway/openapi.h"

#include <set>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "gateway/route_table.h"
#include "gateway/services.h"
#include "tests/support/http_client.h"

namespace fangxian::gateway {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;
using ::testing::ElementsAre;

// The value at `pointer` ("#/components/schemas/x" or "/paths/..."), or null.
const Value* Resolve(const Struct& doc, absl::string_view pointer) {
  if (absl::StartsWith(pointer, "#")) pointer.remove_prefix(1);
  const Struct* object = &doc;
  const Value* value = nullptr;
  for (absl::string_view part : absl::StrSplit(pointer, '/', absl::SkipEmpty())) {
    if (object == nullptr) return nullptr;
    std::string key(part);
    // JSON pointer escapes: "~1" is "/", "~0" is "~".
    for (size_t i; (i = key.find("~1")) != std::string::npos;) key.replace(i, 2, "/");
    for (size_t i; (i = key.find("~0")) != std::string::npos;) key.replace(i, 2, "~");
    auto it = object->fields().find(key);
    if (it == object->fields().end()) return nullptr;
    value = &it->second;
    object = value->has_struct_value() ? &value->struct_value() : nullptr;
  }
  return value;
}

const Struct& At(const Struct& doc, absl::string_view pointer) {
  static const Struct* const kEmpty = new Struct;
  const Value* v = Resolve(doc, pointer);
  EXPECT_TRUE(v != nullptr && v->has_struct_value()) << "no object at " << pointer;
  return v != nullptr && v->has_struct_value() ? v->struct_value() : *kEmpty;
}

std::string StringAt(const Struct& doc, absl::string_view pointer) {
  const Value* v = Resolve(doc, pointer);
  return v != nullptr && v->has_string_value() ? v->string_value() : "";
}

// Every "$ref" anywhere in `v`.
void CollectRefs(const Value& v, std::vector<std::string>* refs) {
  if (v.has_struct_value()) {
    for (const auto& [k, child] : v.struct_value().fields()) {
      if (k == "$ref" && child.has_string_value()) refs->push_back(child.string_value());
      CollectRefs(child, refs);
    }
  } else if (v.has_list_value()) {
    for (const Value& child : v.list_value().values()) CollectRefs(child, refs);
  }
}

std::vector<std::string> Refs(const Struct& doc) {
  Value root;
  *root.mutable_struct_value() = doc;
  std::vector<std::string> refs;
  CollectRefs(root, &refs);
  return refs;
}

// (name, in) of an operation's parameters.
std::vector<std::pair<std::string, std::string>> Parameters(const Struct& operation) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Struct& p : testing::JsonObjects(operation, "parameters")) {
    out.emplace_back(testing::JsonString(p, "name"), testing::JsonString(p, "in"));
  }
  return out;
}

// The schema of parameter `name` of an operation.
Struct ParameterSchema(const Struct& operation, const std::string& name) {
  for (const Struct& p : testing::JsonObjects(operation, "parameters")) {
    if (testing::JsonString(p, "name") == name) return testing::JsonObject(p, "schema");
  }
  ADD_FAILURE() << "no parameter " << name;
  return Struct();
}

// ---- The real routes.

class RealRoutesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::vector<const google::protobuf::ServiceDescriptor*> services;
    for (const RoutedService& s : RoutedServices()) services.push_back(s.descriptor);
    absl::StatusOr<RouteTable> t = RouteTable::Build(services);
    ASSERT_TRUE(t.ok()) << t.status();
    table_ = new RouteTable(*std::move(t));
    OpenApiOptions options;
    options.public_methods = PublicMethods();
    absl::StatusOr<std::string> text = OpenApiDocument(*table_, options);
    ASSERT_TRUE(text.ok()) << text.status();
    doc_ = new Struct(testing::ParseJson(*text));
  }
  static void TearDownTestSuite() {
    delete table_;
    delete doc_;
  }

  static inline RouteTable* table_ = nullptr;
  static inline Struct* doc_ = nullptr;
};

TEST_F(RealRoutesTest, IsOpenApi303WithBearerSecurity) {
  EXPECT_EQ(StringAt(*doc_, "/openapi"), "3.0.3");
  EXPECT_EQ(StringAt(*doc_, "/components/securitySchemes/bearerAuth/type"), "http");
  EXPECT_EQ(StringAt(*doc_, "/components/securitySchemes/bearerAuth/scheme"), "bearer");
  const Value* security = Resolve(*doc_, "/security");
  ASSERT_NE(security, nullptr);
  ASSERT_EQ(security->list_value().values_size(), 1);
  EXPECT_TRUE(security->list_value().values(0).struct_value().fields().count("bearerAuth"));
}

TEST_F(RealRoutesTest, EveryRouteIsAnOperation) {
  ASSERT_GT(table_->routes().size(), 100u);
  const Struct& paths = At(*doc_, "/paths");
  std::set<std::string> ids;
  size_t operations = 0;
  for (const auto& [path, item] : paths.fields()) {
    operations += item.struct_value().fields_size();
    for (const auto& [method, op] : item.struct_value().fields()) {
      EXPECT_TRUE(ids.insert(testing::JsonString(op.struct_value(), "operationId")).second)
          << "operationId repeated at " << method << " " << path;
    }
  }
  // The routes, plus /healthz, /readyz and /openapi.json (not /metrics: its own port).
  EXPECT_EQ(operations, table_->routes().size() + 3);
  EXPECT_EQ(paths.fields().count("/metrics"), 0u);
  for (const Route& r : table_->routes()) {
    SCOPED_TRACE(r.http_method + " " + r.path.text());
    // No route of ours constrains a variable ("{x=a/*}"), so the template is the path.
    auto item = paths.fields().find(r.path.text());
    ASSERT_NE(item, paths.fields().end());
    const std::string method = absl::AsciiStrToLower(r.http_method);
    ASSERT_TRUE(item->second.struct_value().fields().count(method));
    const Struct& op = item->second.struct_value().fields().at(method).struct_value();
    EXPECT_EQ(testing::JsonString(op, "operationId"),
              r.method->service()->name() + "." + r.method->name());
    EXPECT_FALSE(testing::JsonString(op, "summary").empty());
  }
}

TEST_F(RealRoutesTest, EveryRefResolves) {
  const std::vector<std::string> refs = Refs(*doc_);
  ASSERT_GT(refs.size(), 100u);
  for (const std::string& ref : refs) {
    EXPECT_TRUE(absl::StartsWith(ref, "#/components/")) << ref;
    EXPECT_NE(Resolve(*doc_, ref), nullptr) << ref;
  }
}

TEST_F(RealRoutesTest, EveryPathVariableIsARequiredPathParameter) {
  for (const auto& [path, item] : At(*doc_, "/paths").fields()) {
    std::vector<std::string> variables;
    for (size_t i = path.find('{'); i != std::string::npos; i = path.find('{', i + 1)) {
      variables.push_back(path.substr(i + 1, path.find('}', i) - i - 1));
    }
    for (const auto& [method, op] : item.struct_value().fields()) {
      std::vector<std::string> declared;
      for (const Struct& p : testing::JsonObjects(op.struct_value(), "parameters")) {
        if (testing::JsonString(p, "in") != "path") continue;
        declared.push_back(testing::JsonString(p, "name"));
        EXPECT_TRUE(p.fields().at("required").bool_value()) << path;
      }
      EXPECT_EQ(declared, variables) << method << " " << path;
    }
  }
}

TEST_F(RealRoutesTest, PublicMethodsNeedNoToken) {
  // `security: []` overrides the global bearer requirement.
  const Value* login = Resolve(*doc_, "/paths/~1v1~1auth~1login/post/security");
  ASSERT_NE(login, nullptr);
  EXPECT_EQ(login->list_value().values_size(), 0);
  EXPECT_EQ(Resolve(*doc_, "/paths/~1v1~1residents~1{resident_id}/get/security"), nullptr);
  int public_operations = 0;
  for (const auto& [path, item] : At(*doc_, "/paths").fields()) {
    for (const auto& [method, op] : item.struct_value().fields()) {
      if (op.struct_value().fields().count("security")) ++public_operations;
    }
  }
  // And /healthz, /readyz, /openapi.json.
  EXPECT_EQ(public_operations, static_cast<int>(PublicMethods().size()) + 3);
}

TEST_F(RealRoutesTest, CreateResidentTakesTheResidentFieldAsBody) {
  const Struct& op = At(*doc_, "/paths/~1v1~1residents/post");
  EXPECT_EQ(StringAt(op, "/requestBody/content/application~1json/schema/$ref"),
            "#/components/schemas/fangxian.identity.v1.Resident");
  EXPECT_EQ(StringAt(op, "/responses/200/content/application~1json/schema/$ref"),
            "#/components/schemas/fangxian.identity.v1.Resident");
  EXPECT_THAT(Parameters(op), ::testing::IsEmpty());
}

TEST_F(RealRoutesTest, ErrorsReferToTheErrorSchema) {
  const Struct& op = At(*doc_, "/paths/~1v1~1residents~1{resident_id}/get");
  for (const char* status : {"400", "401", "403", "404", "409", "429", "503", "504"}) {
    SCOPED_TRACE(status);
    const std::string ref = StringAt(op, std::string("/responses/") + status + "/$ref");
    ASSERT_TRUE(absl::StartsWith(ref, "#/components/responses/")) << ref;
    EXPECT_EQ(StringAt(*doc_, ref.substr(1) + "/content/application~1json/schema/$ref"),
              "#/components/schemas/Error");
  }
  EXPECT_EQ(StringAt(*doc_,
                     "/components/responses/Unauthenticated/headers/WWW-Authenticate/"
                     "schema/type"),
            "string");
  const Struct& error = At(*doc_, "/components/schemas/Error");
  EXPECT_THAT(testing::JsonObject(error, "properties").fields(), ::testing::SizeIs(3));
  EXPECT_EQ(StringAt(error, "/properties/code/type"), "integer");
  EXPECT_EQ(StringAt(error, "/properties/message/type"), "string");
  EXPECT_EQ(StringAt(error, "/properties/details/type"), "array");
}

TEST_F(RealRoutesTest, AlertStreamIsServerSentEvents) {
  bool found = false;
  for (const Route& r : table_->routes()) {
    if (!r.method->server_streaming()) continue;
    found = true;
    const Struct& op =
        At(At(*doc_, "/paths"), "/" + absl::StrReplaceAll(r.path.text(), {{"/", "~1"}}) + "/" +
                                    absl::AsciiStrToLower(r.http_method));
    EXPECT_EQ(StringAt(op, "/responses/200/content/text~1event-stream/schema/type"), "string");
    EXPECT_EQ(StringAt(op, "/responses/200/content/text~1event-stream/x-event-data/$ref"),
              "#/components/schemas/" + r.method->output_type()->full_name());
  }
  EXPECT_TRUE(found);
}

// ---- A test service in its own pool.

constexpr char kTestFile[] = R"pb(
  name: "openapi_test/thing.proto"
  package: "oatest.v1"
  dependency: "google/api/annotations.proto"
  dependency: "google/protobuf/timestamp.proto"
  dependency: "google/protobuf/wrappers.proto"
  dependency: "google/protobuf/struct.proto"
  syntax: "proto3"
  message_type {
    name: "Thing"
    field { name: "name" number: 1 type: TYPE_STRING label: LABEL_OPTIONAL json_name: "name" }
    field { name: "count" number: 2 type: TYPE_INT32 label: LABEL_OPTIONAL json_name: "count" }
    field { name: "big" number: 3 type: TYPE_INT64 label: LABEL_OPTIONAL json_name: "big" }
    field { name: "huge" number: 4 type: TYPE_UINT64 label: LABEL_OPTIONAL json_name: "huge" }
    field {
      name: "color"
      number: 5
      type: TYPE_ENUM
      type_name: ".oatest.v1.Color"
      label: LABEL_OPTIONAL
      json_name: "color"
    }
    field { name: "tags" number: 6 type: TYPE_STRING label: LABEL_REPEATED json_name: "tags" }
    field {
      name: "since_time"
      number: 7
      type: TYPE_MESSAGE
      type_name: ".google.protobuf.Timestamp"
      label: LABEL_OPTIONAL
      json_name: "sinceTime"
    }
    field { name: "photo" number: 8 type: TYPE_BYTES label: LABEL_OPTIONAL json_name: "photo" }
    field {
      name: "labels"
      number: 9
      type: TYPE_MESSAGE
      type_name: ".oatest.v1.Thing.LabelsEntry"
      label: LABEL_REPEATED
      json_name: "labels"
    }
    field {
      name: "parts"
      number: 10
      type: TYPE_MESSAGE
      type_name: ".oatest.v1.Thing"
      label: LABEL_REPEATED
      json_name: "parts"
    }
    field {
      name: "limit"
      number: 11
      type: TYPE_MESSAGE
      type_name: ".google.protobuf.Int32Value"
      label: LABEL_OPTIONAL
      json_name: "limit"
    }
    field {
      name: "extra"
      number: 12
      type: TYPE_MESSAGE
      type_name: ".google.protobuf.Struct"
      label: LABEL_OPTIONAL
      json_name: "extra"
    }
    field { name: "ratio" number: 13 type: TYPE_DOUBLE label: LABEL_OPTIONAL json_name: "ratio" }
    field { name: "done" number: 14 type: TYPE_BOOL label: LABEL_OPTIONAL json_name: "done" }
    nested_type {
      name: "LabelsEntry"
      field { name: "key" number: 1 type: TYPE_STRING label: LABEL_OPTIONAL json_name: "key" }
      field { name: "value" number: 2 type: TYPE_INT64 label: LABEL_OPTIONAL json_name: "value" }
      options { map_entry: true }
    }
  }
  message_type {
    name: "UpdateThingRequest"
    field {
      name: "thing"
      number: 1
      type: TYPE_MESSAGE
      type_name: ".oatest.v1.Thing"
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
      input_type: ".oatest.v1.Thing"
      output_type: ".oatest.v1.Thing"
      options {
        [google.api.http] { get: "/v1/things/{name}" }
      }
    }
    method {
      name: "UpdateThing"
      input_type: ".oatest.v1.UpdateThingRequest"
      output_type: ".oatest.v1.Thing"
      options {
        [google.api.http] {
          patch: "/v1/things/{thing.name=shelves/*}"
          body: "thing"
          additional_bindings { put: "/v1/things/{thing.name}" body: "*" }
        }
      }
    }
    method {
      name: "WatchThings"
      input_type: ".oatest.v1.Thing"
      output_type: ".oatest.v1.Thing"
      server_streaming: true
      options {
        [google.api.http] { get: "/v1/things:watch" }
      }
    }
  }
  source_code_info {
    location {
      path: [ 6, 0, 2, 0 ]
      span: [ 1, 0, 1 ]
      leading_comments: " Reads one thing. NOT_FOUND: none.\n More.\n"
    }
    location {
      path: [ 4, 0, 2, 0 ]
      span: [ 2, 0, 1 ]
      leading_comments: " The thing's name.\n"
    }
    location {
      path: [ 4, 0 ]
      span: [ 3, 0, 1 ]
      leading_comments: " A thing.\n"
    }
  }
)pb";

class TestServiceTest : public ::testing::Test {
 protected:
  TestServiceTest() : pool_(google::protobuf::DescriptorPool::generated_pool()) {}

  void SetUp() override {
    google::protobuf::FileDescriptorProto file;
    ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(kTestFile, &file));
    const google::protobuf::FileDescriptor* built = pool_.BuildFile(file);
    ASSERT_NE(built, nullptr);
    absl::StatusOr<RouteTable> t = RouteTable::Build({built->service(0)});
    ASSERT_TRUE(t.ok()) << t.status();
    table_ = *std::move(t);
    OpenApiOptions options;
    options.public_methods = {"/oatest.v1.ThingService/GetThing"};
    absl::StatusOr<std::string> text = OpenApiDocument(table_, options);
    ASSERT_TRUE(text.ok()) << text.status();
    doc_ = testing::ParseJson(*text);
  }

  std::string Type(const std::string& property) {
    return StringAt(doc_, "/components/schemas/oatest.v1.Thing/properties/" + property + "/type");
  }
  std::string Format(const std::string& property) {
    return StringAt(doc_, "/components/schemas/oatest.v1.Thing/properties/" + property + "/format");
  }

  google::protobuf::DescriptorPool pool_;
  RouteTable table_;
  Struct doc_;
};

TEST_F(TestServiceTest, FieldsHaveTheirCanonicalJsonTypes) {
  EXPECT_EQ(Type("name"), "string");
  EXPECT_EQ(Type("count"), "integer");
  EXPECT_EQ(Format("count"), "int32");
  EXPECT_EQ(Type("big"), "string");  // 64-bit integers are strings in proto3 JSON
  EXPECT_EQ(Format("big"), "int64");
  EXPECT_EQ(Type("huge"), "string");
  EXPECT_EQ(Type("sinceTime"), "string");
  EXPECT_EQ(Format("sinceTime"), "date-time");
  EXPECT_EQ(Type("photo"), "string");
  EXPECT_EQ(Format("photo"), "byte");
  EXPECT_EQ(Type("ratio"), "number");
  EXPECT_EQ(Type("done"), "boolean");
  EXPECT_EQ(Type("tags"), "array");
  EXPECT_EQ(StringAt(doc_, "/components/schemas/oatest.v1.Thing/properties/tags/items/type"),
            "string");
  // A map is an object whose values have the value type.
  EXPECT_EQ(Type("labels"), "object");
  EXPECT_EQ(StringAt(doc_,
                     "/components/schemas/oatest.v1.Thing/properties/labels/"
                     "additionalProperties/type"),
            "string");
  EXPECT_EQ(StringAt(doc_,
                     "/components/schemas/oatest.v1.Thing/properties/labels/"
                     "additionalProperties/format"),
            "int64");
  // A repeated message refers to its schema (here the message itself).
  EXPECT_EQ(StringAt(doc_, "/components/schemas/oatest.v1.Thing/properties/parts/items/$ref"),
            "#/components/schemas/oatest.v1.Thing");
  EXPECT_EQ(Type("limit"), "integer");
  EXPECT_TRUE(
      Resolve(doc_, "/components/schemas/oatest.v1.Thing/properties/limit/nullable")->bool_value());
  EXPECT_EQ(Type("extra"), "object");
  // No schema for a map entry or a well-known type.
  EXPECT_EQ(Resolve(doc_, "/components/schemas/oatest.v1.Thing.LabelsEntry"), nullptr);
  EXPECT_EQ(Resolve(doc_, "/components/schemas/google.protobuf.Timestamp"), nullptr);
}

TEST_F(TestServiceTest, EnumsAreStringsOfTheValueNames) {
  EXPECT_EQ(StringAt(doc_, "/components/schemas/oatest.v1.Thing/properties/color/$ref"),
            "#/components/schemas/oatest.v1.Color");
  const Struct& color = At(doc_, "/components/schemas/oatest.v1.Color");
  EXPECT_EQ(testing::JsonString(color, "type"), "string");
  EXPECT_THAT(testing::JsonStrings(color, "enum"), ElementsAre("COLOR_UNSPECIFIED", "COLOR_RED"));
}

TEST_F(TestServiceTest, GetTakesPathAndQueryParameters) {
  const Struct& op = At(doc_, "/paths/~1v1~1things~1{name}/get");
  // The path variable, then every other scalar field by its JSON name; not the message,
  // map or repeated-message fields, which a query string cannot carry.
  EXPECT_THAT(Parameters(op), ElementsAre(std::pair<std::string, std::string>("name", "path"),
                                          std::pair<std::string, std::string>("count", "query"),
                                          std::pair<std::string, std::string>("big", "query"),
                                          std::pair<std::string, std::string>("huge", "query"),
                                          std::pair<std::string, std::string>("color", "query"),
                                          std::pair<std::string, std::string>("tags", "query"),
                                          std::pair<std::string, std::string>("sinceTime", "query"),
                                          std::pair<std::string, std::string>("photo", "query"),
                                          std::pair<std::string, std::string>("limit", "query"),
                                          std::pair<std::string, std::string>("ratio", "query"),
                                          std::pair<std::string, std::string>("done", "query")));
  EXPECT_EQ(testing::JsonString(ParameterSchema(op, "tags"), "type"), "array");
  EXPECT_EQ(testing::JsonString(ParameterSchema(op, "sinceTime"), "format"), "date-time");
  EXPECT_EQ(testing::JsonString(ParameterSchema(op, "color"), "$ref"),
            "#/components/schemas/oatest.v1.Color");
  EXPECT_FALSE(op.fields().count("requestBody"));
}

TEST_F(TestServiceTest, BodySubFieldIsTheBodyAndTheRestAreQueryParameters) {
  // "{thing.name=shelves/*}" is named, not constrained, in OpenAPI.
  const Struct& patch = At(doc_, "/paths/~1v1~1things~1{thing.name}/patch");
  EXPECT_EQ(StringAt(patch, "/requestBody/content/application~1json/schema/$ref"),
            "#/components/schemas/oatest.v1.Thing");
  EXPECT_THAT(Parameters(patch),
              ElementsAre(std::pair<std::string, std::string>("thing.name", "path"),
                          std::pair<std::string, std::string>("reason", "query")));
  EXPECT_EQ(testing::JsonString(ParameterSchema(patch, "thing.name"), "type"), "string");
  EXPECT_EQ(testing::JsonString(patch, "operationId"), "ThingService.UpdateThing");

  // The additional binding, body "*": the whole request, no query parameters.
  const Struct& put = At(doc_, "/paths/~1v1~1things~1{thing.name}/put");
  EXPECT_EQ(StringAt(put, "/requestBody/content/application~1json/schema/$ref"),
            "#/components/schemas/oatest.v1.UpdateThingRequest");
  EXPECT_THAT(Parameters(put),
              ElementsAre(std::pair<std::string, std::string>("thing.name", "path")));
  EXPECT_EQ(testing::JsonString(put, "operationId"), "ThingService.UpdateThing_2");
}

TEST_F(TestServiceTest, CommentsGiveSummariesAndDescriptions) {
  const Struct& get = At(doc_, "/paths/~1v1~1things~1{name}/get");
  EXPECT_EQ(testing::JsonString(get, "summary"), "Reads one thing.");
  EXPECT_EQ(testing::JsonString(get, "description"), "Reads one thing. NOT_FOUND: none.\nMore.");
  EXPECT_EQ(StringAt(doc_, "/components/schemas/oatest.v1.Thing/description"), "A thing.");
  EXPECT_EQ(StringAt(doc_, "/components/schemas/oatest.v1.Thing/properties/name/description"),
            "The thing's name.");
  // Without a comment the summary is the method name.
  EXPECT_EQ(StringAt(doc_, "/paths/~1v1~1things~1{thing.name}/patch/summary"), "UpdateThing");
}

TEST_F(TestServiceTest, CommentsComeFromTheCommentsPoolWhenGiven) {
  // Routes from a pool without comments, comments from another pool with them: the
  // gateway's case (the generated pool has no SourceCodeInfo).
  google::protobuf::FileDescriptorProto file;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(kTestFile, &file));
  file.clear_source_code_info();
  google::protobuf::DescriptorPool bare(google::protobuf::DescriptorPool::generated_pool());
  const google::protobuf::FileDescriptor* built = bare.BuildFile(file);
  ASSERT_NE(built, nullptr);
  absl::StatusOr<RouteTable> t = RouteTable::Build({built->service(0)});
  ASSERT_TRUE(t.ok()) << t.status();

  OpenApiOptions without;
  absl::StatusOr<std::string> plain = OpenApiDocument(*t, without);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(StringAt(testing::ParseJson(*plain), "/paths/~1v1~1things~1{name}/get/summary"),
            "GetThing");

  OpenApiOptions with;
  with.comments = &pool_;
  absl::StatusOr<std::string> commented = OpenApiDocument(*t, with);
  ASSERT_TRUE(commented.ok());
  EXPECT_EQ(StringAt(testing::ParseJson(*commented), "/paths/~1v1~1things~1{name}/get/summary"),
            "Reads one thing.");
}

TEST_F(TestServiceTest, OnlyPublicMethodsOptOutOfTheBearerToken) {
  const Value* get = Resolve(doc_, "/paths/~1v1~1things~1{name}/get/security");
  ASSERT_NE(get, nullptr);
  EXPECT_EQ(get->list_value().values_size(), 0);
  EXPECT_EQ(Resolve(doc_, "/paths/~1v1~1things~1{thing.name}/patch/security"), nullptr);
}

TEST_F(TestServiceTest, ServerStreamingIsAnEventStream) {
  const Struct& op = At(doc_, "/paths/~1v1~1things:watch/get");
  EXPECT_THAT(testing::JsonObject(At(op, "/responses/200"), "content").fields(),
              ::testing::ElementsAre(::testing::Key("text/event-stream")));
  EXPECT_EQ(StringAt(op, "/responses/200/content/text~1event-stream/x-event-data/$ref"),
            "#/components/schemas/oatest.v1.Thing");
}

TEST_F(TestServiceTest, EveryRefResolves) {
  const std::vector<std::string> refs = Refs(doc_);
  ASSERT_FALSE(refs.empty());
  for (const std::string& ref : refs) EXPECT_NE(Resolve(doc_, ref), nullptr) << ref;
}

}  // namespace
}  // namespace fangxian::gateway
