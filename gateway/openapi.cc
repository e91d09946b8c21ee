#include "gateway/openapi.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include <google/protobuf/descriptor.pb.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/json.h"

namespace fangxian::gateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::DescriptorPool;
using google::protobuf::EnumDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::MethodDescriptor;
using google::protobuf::ServiceDescriptor;

// A JSON value that keeps object members in insertion order, so the document reads in
// route order and is the same on every start.
class Json {
 public:
  static Json String(absl::string_view s) { return Json(Kind::kString, s); }
  // A number, true or false, written as given.
  static Json Literal(absl::string_view text) { return Json(Kind::kLiteral, text); }
  static Json Array() { return Json(Kind::kArray, ""); }

  Json() = default;  // an empty object

  // The member `key` of an object; added (an empty object) when missing. Adding a member
  // invalidates references to the other members of the same object.
  Json& operator[](absl::string_view key) {
    for (auto& [k, v] : members_) {
      if (k == key) return v;
    }
    members_.emplace_back(std::string(key), Json());
    return members_.back().second;
  }
  Json& Add(Json item) {
    items_.push_back(std::move(item));
    return *this;
  }
  bool Has(absl::string_view key) const {
    for (const auto& member : members_) {
      if (member.first == key) return true;
    }
    return false;
  }
  bool empty() const { return members_.empty() && items_.empty(); }

  void Write(std::string* out) const {
    switch (kind_) {
      case Kind::kString:
        common::AppendJsonString(*out, text_);
        return;
      case Kind::kLiteral:
        out->append(text_);
        return;
      case Kind::kArray:
        out->push_back('[');
        for (size_t i = 0; i < items_.size(); ++i) {
          if (i > 0) out->push_back(',');
          items_[i].Write(out);
        }
        out->push_back(']');
        return;
      case Kind::kObject:
        out->push_back('{');
        for (size_t i = 0; i < members_.size(); ++i) {
          if (i > 0) out->push_back(',');
          common::AppendJsonString(*out, members_[i].first);
          out->push_back(':');
          members_[i].second.Write(out);
        }
        out->push_back('}');
        return;
    }
  }

 private:
  enum class Kind { kObject, kArray, kString, kLiteral };
  Json(Kind kind, absl::string_view text) : kind_(kind), text_(text) {}

  Kind kind_ = Kind::kObject;
  std::string text_;
  std::vector<std::pair<std::string, Json>> members_;
  std::vector<Json> items_;
};

Json Str(absl::string_view s) { return Json::String(s); }

Json TypeSchema(absl::string_view type, absl::string_view format = "") {
  Json j;
  j["type"] = Str(type);
  if (!format.empty()) j["format"] = Str(format);
  return j;
}

Json RefTo(absl::string_view where) {
  Json j;
  j["$ref"] = Str(where);
  return j;
}

std::string SchemaRef(absl::string_view name) {
  return absl::StrCat("#/components/schemas/", name);
}

constexpr absl::string_view kErrorSchema = "Error";

// The error answers every operation may give (the gateway's gRPC -> HTTP table).
struct ErrorAnswer {
  const char* status;
  const char* name;
  const char* description;
  const char* header;  // a response header it carries, or null
};
constexpr ErrorAnswer kErrorAnswers[] = {
    {"400", "BadRequest",
     "INVALID_ARGUMENT, FAILED_PRECONDITION or OUT_OF_RANGE: malformed JSON, a wrong field type, "
     "an unknown field or parameter, or a request the service rejects",
     nullptr},
    {"401", "Unauthenticated", "UNAUTHENTICATED: no valid bearer token", "WWW-Authenticate"},
    {"403", "PermissionDenied",
     "PERMISSION_DENIED: the token's roles or area scope do not allow it", nullptr},
    {"404", "NotFound", "NOT_FOUND: no such route, or no such resource within the caller's scope",
     nullptr},
    {"409", "Conflict", "ALREADY_EXISTS or ABORTED", nullptr},
    {"429", "TooManyRequests", "RESOURCE_EXHAUSTED: a rate limit or quota; retry later",
     "Retry-After"},
    {"503", "Unavailable", "UNAVAILABLE: the service cannot answer now; the call may be retried",
     "Retry-After"},
    {"504", "DeadlineExceeded", "DEADLINE_EXCEEDED: no answer within the deadline", nullptr},
};

// The same element in the comments pool, or the element itself.
const Descriptor* InPool(const DescriptorPool* p, const Descriptor* d) {
  return p == nullptr ? nullptr : p->FindMessageTypeByName(d->full_name());
}
const FieldDescriptor* InPool(const DescriptorPool* p, const FieldDescriptor* d) {
  return p == nullptr ? nullptr : p->FindFieldByName(d->full_name());
}
const EnumDescriptor* InPool(const DescriptorPool* p, const EnumDescriptor* d) {
  return p == nullptr ? nullptr : p->FindEnumTypeByName(d->full_name());
}
const ServiceDescriptor* InPool(const DescriptorPool* p, const ServiceDescriptor* d) {
  return p == nullptr ? nullptr : p->FindServiceByName(d->full_name());
}
const MethodDescriptor* InPool(const DescriptorPool* p, const MethodDescriptor* d) {
  return p == nullptr ? nullptr : p->FindMethodByName(d->full_name());
}

// "// Reads one resident.\n// NOT_FOUND: ..." (already without the "//") to plain lines.
std::string CleanComment(absl::string_view raw) {
  std::vector<absl::string_view> lines;
  for (absl::string_view line : absl::StrSplit(raw, '\n')) {
    lines.push_back(absl::StripAsciiWhitespace(line));
  }
  return std::string(absl::StripAsciiWhitespace(absl::StrJoin(lines, "\n")));
}

// The first sentence of a comment, on one line.
std::string FirstSentence(absl::string_view comment) {
  std::string flat = absl::StrJoin(absl::StrSplit(comment, '\n'), " ");
  for (size_t i = 0; i + 1 < flat.size(); ++i) {
    if (flat[i] == '.' && flat[i + 1] == ' ') return flat.substr(0, i + 1);
  }
  return flat;
}

// The gRPC path of a method, as in Route::grpc_method.
std::string GrpcPath(const MethodDescriptor* m) {
  return absl::StrCat("/", m->service()->full_name(), "/", m->name());
}

// "/v1/areas/{path=areas/*}:move" -> "/v1/areas/{path}:move": OpenAPI names a variable
// but cannot constrain its segments.
std::string OpenApiPath(const PathTemplate& t) {
  std::string out;
  const std::string& text = t.text();
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '{') {
      out.push_back(text[i]);
      continue;
    }
    const size_t close = text.find('}', i);
    const size_t eq = text.find('=', i);
    const size_t name_end = eq < close ? eq : close;
    absl::StrAppend(&out, "{", text.substr(i + 1, name_end - i - 1), "}");
    i = close;
  }
  return out;
}

class Generator {
 public:
  explicit Generator(const OpenApiOptions& options) : options_(options) {}

  absl::StatusOr<std::string> Run(const RouteTable& routes) {
    Json doc;
    doc["openapi"] = Str("3.0.3");
    Json& info = doc["info"];
    info["title"] = Str(options_.title);
    info["version"] = Str(options_.version);
    info["description"] =
        Str("Generated from the google.api.http options and message descriptors of the Fangxian "
            "services; JSON is the canonical proto3 mapping (lowerCamelCase names, 64-bit "
            "integers as strings, enums by name, RFC 3339 times). Errors carry {code, message, "
            "details}, code being the gRPC status code.");

    Json paths;
    std::vector<const ServiceDescriptor*> services;
    for (const Route& r : routes.routes()) {
      if (r.method == nullptr || r.path.text().empty() || r.path.text()[0] != '/') {
        return absl::InvalidArgumentError(
            absl::StrCat("route ", r.http_method, " ", r.path.text(), " cannot be described"));
      }
      const ServiceDescriptor* s = r.method->service();
      if (std::find(services.begin(), services.end(), s) == services.end()) services.push_back(s);
      Json operation = Operation(r);
      paths[OpenApiPath(r.path)][absl::AsciiStrToLower(r.http_method)] = std::move(operation);
    }
    AddBuiltInPaths(&paths);
    doc["paths"] = std::move(paths);

    Json& components = doc["components"];
    Json& schemas = components["schemas"];
    for (auto& [name, schema] : schemas_) schemas[name] = std::move(schema);
    schemas[kErrorSchema] = ErrorSchema();
    Json& responses = components["responses"];
    for (const ErrorAnswer& e : kErrorAnswers) {
      Json response;
      response["description"] = Str(e.description);
      if (e.header != nullptr) response["headers"][e.header]["schema"] = TypeSchema("string");
      response["content"]["application/json"]["schema"] = RefTo(SchemaRef(kErrorSchema));
      responses[e.name] = std::move(response);
    }
    Json other;
    other["description"] =
        Str("Any other error: CANCELLED 499, UNIMPLEMENTED 501 (405 for a method the path does "
            "not take, with Allow), 413 for a body over the limit, INTERNAL and others 500");
    other["content"]["application/json"]["schema"] = RefTo(SchemaRef(kErrorSchema));
    responses["Error"] = std::move(other);

    Json& bearer = components["securitySchemes"]["bearerAuth"];
    bearer["type"] = Str("http");
    bearer["scheme"] = Str("bearer");
    bearer["bearerFormat"] = Str("signed access token from POST /v1/auth/login");
    Json requirement;
    requirement["bearerAuth"] = Json::Array();
    doc["security"] = Json::Array().Add(std::move(requirement));

    Json tags = Json::Array();
    for (const ServiceDescriptor* s : services) {
      Json tag;
      tag["name"] = Str(s->name());
      const std::string comment = Comment(s);
      if (!comment.empty()) tag["description"] = Str(comment);
      tags.Add(std::move(tag));
    }
    doc["tags"] = std::move(tags);

    std::string out;
    doc.Write(&out);
    return out;
  }

 private:
  template <typename D>
  std::string Comment(const D* d) const {
    const D* source = InPool(options_.comments, d);
    if (source == nullptr) source = d;
    google::protobuf::SourceLocation location;
    if (!source->GetSourceLocation(&location)) return "";
    return CleanComment(location.leading_comments.empty() ? location.trailing_comments
                                                          : location.leading_comments);
  }

  // "IdentityService.Login"; a method with several bindings gets "_2", "_3"...
  std::string OperationId(const MethodDescriptor* m) {
    const std::string base = absl::StrCat(m->service()->name(), ".", m->name());
    std::string id = base;
    for (int n = 2; !operation_ids_.insert(id).second; ++n) id = absl::StrCat(base, "_", n);
    return id;
  }

  Json Operation(const Route& r) {
    const MethodDescriptor* m = r.method;
    Json op;
    op["operationId"] = Str(OperationId(m));
    op["tags"] = Json::Array().Add(Str(m->service()->name()));
    const std::string comment = Comment(m);
    op["summary"] = Str(comment.empty() ? m->name() : FirstSentence(comment));
    if (!comment.empty()) op["description"] = Str(comment);

    Json parameters = Json::Array();
    const Descriptor* input = m->input_type();
    for (size_t i = 0; i < r.path.variables().size() && i < r.variable_fields.size(); ++i) {
      Json p;
      p["name"] = Str(r.path.variables()[i].field_path);
      p["in"] = Str("path");
      p["required"] = Json::Literal("true");
      const FieldDescriptor* leaf = r.variable_fields[i].back();
      const std::string field_comment = Comment(leaf);
      if (!field_comment.empty()) p["description"] = Str(field_comment);
      p["schema"] = FieldSchema(leaf);
      parameters.Add(std::move(p));
    }
    // Query parameters: the top-level fields not bound in the path nor in the body, whose
    // text form the gateway parses (scalars, enums, string-form well-known types).
    if (r.body != "*") {
      for (int i = 0; i < input->field_count(); ++i) {
        const FieldDescriptor* f = input->field(i);
        if (f == r.body_field || !IsQueryable(f)) continue;
        bool in_path = false;
        for (const FieldPath& v : r.variable_fields) in_path = in_path || v.front() == f;
        if (in_path) continue;
        Json p;
        p["name"] = Str(f->json_name());
        p["in"] = Str("query");
        const std::string field_comment = Comment(f);
        if (!field_comment.empty()) p["description"] = Str(field_comment);
        p["schema"] = FieldSchema(f);
        if (f->is_repeated()) {
          p["style"] = Str("form");
          p["explode"] = Json::Literal("true");
        }
        parameters.Add(std::move(p));
      }
    }
    if (!parameters.empty()) op["parameters"] = std::move(parameters);

    if (!r.body.empty()) {
      const Descriptor* body_type = r.body_field == nullptr ? input : r.body_field->message_type();
      Json& body = op["requestBody"];
      if (r.body_field != nullptr) {
        const std::string field_comment = Comment(r.body_field);
        if (!field_comment.empty()) body["description"] = Str(field_comment);
      }
      body["content"]["application/json"]["schema"] = MessageSchema(body_type);
    }

    Json& responses = op["responses"];
    Json& ok = responses["200"];
    const Descriptor* output = m->output_type();
    if (m->server_streaming()) {
      ok["description"] =
          Str(absl::StrCat("Server-Sent Events: the data of each event is one ",
                           output->full_name(), " in JSON; `: keep-alive` comments between them"));
      Json& media = ok["content"]["text/event-stream"];
      media["schema"] = TypeSchema("string");
      media["x-event-data"] = MessageSchema(output);
    } else {
      ok["description"] = Str(output->full_name());
      ok["content"]["application/json"]["schema"] = MessageSchema(output);
    }
    for (const ErrorAnswer& e : kErrorAnswers) {
      responses[e.status] = RefTo(absl::StrCat("#/components/responses/", e.name));
    }
    responses["default"] = RefTo("#/components/responses/Error");

    if (options_.public_methods.count(GrpcPath(m)) > 0) op["security"] = Json::Array();
    return op;
  }

  static bool IsQueryable(const FieldDescriptor* f) {
    if (f->is_map()) return false;
    if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) return true;
    if (f->is_repeated()) return false;
    const std::string& n = f->message_type()->full_name();
    return n == "google.protobuf.Timestamp" || n == "google.protobuf.Duration" ||
           n == "google.protobuf.FieldMask" || IsWrapper(f->message_type());
  }

  static bool IsWrapper(const Descriptor* type) {
    return type->file()->name() == "google/protobuf/wrappers.proto";
  }

  // The schema of a field's JSON value: arrays for repeated, objects for maps.
  Json FieldSchema(const FieldDescriptor* f) {
    if (f->is_map()) {
      Json j = TypeSchema("object");
      j["additionalProperties"] = FieldSchema(f->message_type()->map_value());
      return j;
    }
    if (f->is_repeated()) {
      Json j = TypeSchema("array");
      j["items"] = ValueSchema(f);
      return j;
    }
    return ValueSchema(f);
  }

  // One value of the field's type (ignoring repeated), canonical proto3 JSON.
  Json ValueSchema(const FieldDescriptor* f) {
    switch (f->type()) {
      case FieldDescriptor::TYPE_INT32:
      case FieldDescriptor::TYPE_SINT32:
      case FieldDescriptor::TYPE_SFIXED32:
        return TypeSchema("integer", "int32");
      case FieldDescriptor::TYPE_UINT32:
      case FieldDescriptor::TYPE_FIXED32: {
        Json j = TypeSchema("integer", "int64");
        j["minimum"] = Json::Literal("0");
        j["maximum"] = Json::Literal("4294967295");
        return j;
      }
      // 64-bit integers are JSON strings (numbers are accepted on input too).
      case FieldDescriptor::TYPE_INT64:
      case FieldDescriptor::TYPE_SINT64:
      case FieldDescriptor::TYPE_SFIXED64:
        return TypeSchema("string", "int64");
      case FieldDescriptor::TYPE_UINT64:
      case FieldDescriptor::TYPE_FIXED64:
        return TypeSchema("string", "uint64");
      case FieldDescriptor::TYPE_DOUBLE:
        return TypeSchema("number", "double");
      case FieldDescriptor::TYPE_FLOAT:
        return TypeSchema("number", "float");
      case FieldDescriptor::TYPE_BOOL:
        return TypeSchema("boolean");
      case FieldDescriptor::TYPE_STRING:
        return TypeSchema("string");
      case FieldDescriptor::TYPE_BYTES:
        return TypeSchema("string", "byte");
      case FieldDescriptor::TYPE_ENUM:
        return EnumSchema(f->enum_type());
      case FieldDescriptor::TYPE_MESSAGE:
      case FieldDescriptor::TYPE_GROUP:
        return MessageSchema(f->message_type());
    }
    return Json();
  }

  Json EnumSchema(const EnumDescriptor* e) {
    if (e->full_name() == "google.protobuf.NullValue") {
      Json j;
      j["nullable"] = Json::Literal("true");
      j["enum"] = Json::Array().Add(Json::Literal("null"));
      return j;
    }
    const std::string& name = e->full_name();
    if (schemas_.count(name) == 0) {
      Json j = TypeSchema("string");
      Json values = Json::Array();
      for (int i = 0; i < e->value_count(); ++i) values.Add(Str(e->value(i)->name()));
      j["enum"] = std::move(values);
      const std::string comment = Comment(e);
      if (!comment.empty()) j["description"] = Str(comment);
      schemas_[name] = std::move(j);
    }
    return RefTo(SchemaRef(name));
  }

  // Well-known types inline in their JSON form; other messages by reference to
  // components/schemas (added, with everything they reach, on first use).
  Json MessageSchema(const Descriptor* m) {
    const std::string& name = m->full_name();
    if (name == "google.protobuf.Timestamp") return TypeSchema("string", "date-time");
    if (name == "google.protobuf.Duration") {
      Json j = TypeSchema("string");
      j["description"] = Str("seconds with an \"s\" suffix, e.g. \"1.5s\"");
      return j;
    }
    if (name == "google.protobuf.FieldMask") {
      Json j = TypeSchema("string");
      j["description"] = Str("comma-separated lowerCamelCase field paths");
      return j;
    }
    if (IsWrapper(m)) {
      Json j = ValueSchema(m->FindFieldByName("value"));
      j["nullable"] = Json::Literal("true");
      return j;
    }
    if (name == "google.protobuf.Struct") {
      Json j = TypeSchema("object");
      j["additionalProperties"] = Json::Literal("true");
      return j;
    }
    if (name == "google.protobuf.Value") {
      Json j;
      j["nullable"] = Json::Literal("true");
      return j;  // any JSON value
    }
    if (name == "google.protobuf.ListValue") {
      Json j = TypeSchema("array");
      j["items"] = Json();
      return j;
    }
    if (name == "google.protobuf.Any") {
      Json j = TypeSchema("object");
      j["properties"]["@type"] = TypeSchema("string");
      j["additionalProperties"] = Json::Literal("true");
      return j;
    }
    if (name == "google.protobuf.Empty") return TypeSchema("object");
    if (schemas_.count(name) == 0) {
      schemas_[name] = Json();  // reserved first: a message may refer to itself
      Json j = TypeSchema("object");
      const std::string comment = Comment(m);
      if (!comment.empty()) j["description"] = Str(comment);
      Json properties;
      for (int i = 0; i < m->field_count(); ++i) {
        const FieldDescriptor* f = m->field(i);
        Json schema = FieldSchema(f);
        const std::string field_comment = Comment(f);
        // Siblings of a $ref are ignored in OpenAPI 3.0, so only inline schemas get one.
        if (!field_comment.empty() && !schema.Has("$ref")) {
          schema["description"] = Str(field_comment);
        }
        properties[f->json_name()] = std::move(schema);
      }
      if (m->field_count() > 0) j["properties"] = std::move(properties);
      schemas_[name] = std::move(j);
    }
    return RefTo(SchemaRef(name));
  }

  static Json ErrorSchema() {
    Json j = TypeSchema("object");
    j["description"] = Str("The error body of every non-2xx answer (the google.rpc.Status shape)");
    j["required"] = Json::Array().Add(Str("code")).Add(Str("message"));
    Json& p = j["properties"];
    p["code"] = TypeSchema("integer", "int32");
    p["code"]["description"] = Str("the gRPC status code (3 INVALID_ARGUMENT, 5 NOT_FOUND, ...)");
    p["message"] = TypeSchema("string");
    Json details = TypeSchema("array");
    details["items"] = TypeSchema("object");
    details["items"]["additionalProperties"] = Json::Literal("true");
    p["details"] = std::move(details);
    return j;
  }

  // /healthz, /readyz and this document: answered by the gateway itself, without a token.
  // (/metrics is on its own port, FX_METRICS_PORT, not part of the API.)
  static void AddBuiltInPaths(Json* paths) {
    struct BuiltIn {
      const char* path;
      const char* id;
      const char* summary;
    };
    constexpr BuiltIn kBuiltIns[] = {
        {"/healthz", "Gateway.Healthz", "The gateway process is up"},
        {"/readyz", "Gateway.Readyz", "Every upstream service is SERVING (503 otherwise)"},
        {"/openapi.json", "Gateway.OpenApi", "This document"},
    };
    for (const BuiltIn& b : kBuiltIns) {
      Json& op = (*paths)[b.path]["get"];
      op["operationId"] = Str(b.id);
      op["tags"] = Json::Array().Add(Str("Gateway"));
      op["summary"] = Str(b.summary);
      op["security"] = Json::Array();
      Json& ok = op["responses"]["200"];
      ok["description"] = Str("OK");
      ok["content"]["application/json"]["schema"] = TypeSchema("object");
      if (absl::string_view(b.path) == "/readyz") {
        Json& not_ready = op["responses"]["503"];
        not_ready["description"] = Str("Some upstream is not serving (listed in not_ready)");
        not_ready["content"]["application/json"]["schema"] = TypeSchema("object");
      }
    }
  }

  const OpenApiOptions& options_;
  std::map<std::string, Json> schemas_;  // components/schemas, by full proto name
  std::set<std::string> operation_ids_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<DescriptorPool>> CommentsPool(absl::string_view serialized_set) {
  google::protobuf::FileDescriptorSet set;
  if (!set.ParseFromArray(serialized_set.data(), static_cast<int>(serialized_set.size()))) {
    return absl::InvalidArgumentError("the descriptor set cannot be parsed");
  }
  auto pool = std::make_unique<DescriptorPool>();
  for (const google::protobuf::FileDescriptorProto& file : set.file()) {
    if (pool->BuildFile(file) == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("the descriptor set's file ", file.name(), " does not build"));
    }
  }
  return pool;
}

std::set<std::string> PublicMethods() {
  return {
      "/fangxian.identity.v1.IdentityService/Login",
      "/fangxian.identity.v1.IdentityService/RefreshSession",
      "/fangxian.identity.v1.IdentityService/GetPublicKeys",
      // A player device has no account.
      "/fangxian.publicity.v1.LoudspeakerService/GetPlaylist",
      // Front ends list series and residents read live content without an account.
      "/fangxian.publicity.v1.PublicityService/ListSeries",
      "/fangxian.publicity.v1.PublicContentService/ListLiveContent",
      "/fangxian.publicity.v1.PublicContentService/GetLiveContent",
  };
}

absl::StatusOr<std::string> OpenApiDocument(const RouteTable& routes,
                                            const OpenApiOptions& options) {
  return Generator(options).Run(routes);
}

}  // namespace fangxian::gateway
