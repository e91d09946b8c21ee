#include "gateway/transcode.h"

#include <algorithm>

#include <set>
#include <utility>

#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/stubs/common.h>
#include <google/protobuf/util/json_util.h>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/json.h"

namespace fangxian::gateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

std::string PathName(const FieldPath& path) {
  return absl::StrJoin(path, ".",
                       [](std::string* out, const FieldDescriptor* f) { out->append(f->name()); });
}

bool IsBlank(absl::string_view s) { return absl::StripAsciiWhitespace(s).empty(); }

google::protobuf::StringPiece Piece(absl::string_view s) {
  return google::protobuf::StringPiece(s.data(), s.size());
}

// google.protobuf.Int32Value and friends: one field named "value".
bool IsWrapper(const Descriptor* type) {
  const std::string& n = type->full_name();
  return n == "google.protobuf.DoubleValue" || n == "google.protobuf.FloatValue" ||
         n == "google.protobuf.Int64Value" || n == "google.protobuf.UInt64Value" ||
         n == "google.protobuf.Int32Value" || n == "google.protobuf.UInt32Value" ||
         n == "google.protobuf.BoolValue" || n == "google.protobuf.StringValue" ||
         n == "google.protobuf.BytesValue";
}

// Types whose JSON form is a string (so a query value can be parsed as that string).
bool IsStringFormWellKnown(const Descriptor* type) {
  const std::string& n = type->full_name();
  return n == "google.protobuf.Timestamp" || n == "google.protobuf.Duration" ||
         n == "google.protobuf.FieldMask";
}

template <typename T>
absl::Status SetNumber(Message* m, const FieldDescriptor* f, absl::string_view text,
                       bool (*parse)(absl::string_view, T*),
                       void (Reflection::*set)(Message*, const FieldDescriptor*, T) const,
                       void (Reflection::*add)(Message*, const FieldDescriptor*, T) const,
                       absl::string_view want) {
  T v{};
  if (!parse(text, &v)) {
    return absl::InvalidArgumentError(absl::StrCat("field \"", f->name(), "\" must be ", want));
  }
  const Reflection* r = m->GetReflection();
  (r->*(f->is_repeated() ? add : set))(m, f, v);
  return absl::OkStatus();
}

bool ParseInt32(absl::string_view s, int32_t* v) { return absl::SimpleAtoi(s, v); }
bool ParseInt64(absl::string_view s, int64_t* v) { return absl::SimpleAtoi(s, v); }
bool ParseUint32(absl::string_view s, uint32_t* v) { return absl::SimpleAtoi(s, v); }
bool ParseUint64(absl::string_view s, uint64_t* v) { return absl::SimpleAtoi(s, v); }
bool ParseDouble(absl::string_view s, double* v) { return absl::SimpleAtod(s, v); }
bool ParseFloat(absl::string_view s, float* v) { return absl::SimpleAtof(s, v); }
bool ParseBool(absl::string_view s, bool* v) {
  if (s == "true" || s == "1") {
    *v = true;
    return true;
  }
  if (s == "false" || s == "0") {
    *v = false;
    return true;
  }
  return false;
}

}  // namespace

absl::Status SetFieldFromText(Message* message, const FieldPath& path, absl::string_view text) {
  Message* m = message;
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    m = m->GetReflection()->MutableMessage(m, path[i]);
  }
  const FieldDescriptor* f = path.back();
  const Reflection* r = m->GetReflection();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      return SetNumber<int32_t>(m, f, text, ParseInt32, &Reflection::SetInt32,
                                &Reflection::AddInt32, "a 32-bit whole number");
    case FieldDescriptor::CPPTYPE_INT64:
      return SetNumber<int64_t>(m, f, text, ParseInt64, &Reflection::SetInt64,
                                &Reflection::AddInt64, "a 64-bit whole number");
    case FieldDescriptor::CPPTYPE_UINT32:
      return SetNumber<uint32_t>(m, f, text, ParseUint32, &Reflection::SetUInt32,
                                 &Reflection::AddUInt32, "a non-negative 32-bit whole number");
    case FieldDescriptor::CPPTYPE_UINT64:
      return SetNumber<uint64_t>(m, f, text, ParseUint64, &Reflection::SetUInt64,
                                 &Reflection::AddUInt64, "a non-negative 64-bit whole number");
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return SetNumber<double>(m, f, text, ParseDouble, &Reflection::SetDouble,
                               &Reflection::AddDouble, "a number");
    case FieldDescriptor::CPPTYPE_FLOAT:
      return SetNumber<float>(m, f, text, ParseFloat, &Reflection::SetFloat, &Reflection::AddFloat,
                              "a number");
    case FieldDescriptor::CPPTYPE_BOOL:
      return SetNumber<bool>(m, f, text, ParseBool, &Reflection::SetBool, &Reflection::AddBool,
                             "true or false");
    case FieldDescriptor::CPPTYPE_ENUM: {
      const google::protobuf::EnumValueDescriptor* v =
          f->enum_type()->FindValueByName(std::string(text));
      int number = 0;
      if (v == nullptr && absl::SimpleAtoi(text, &number)) {
        v = f->enum_type()->FindValueByNumber(number);
      }
      if (v == nullptr) {
        return absl::InvalidArgumentError(absl::StrCat(
            "field \"", f->name(), "\" must be one of the names of ", f->enum_type()->full_name()));
      }
      if (f->is_repeated()) {
        r->AddEnum(m, f, v);
      } else {
        r->SetEnum(m, f, v);
      }
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string value;
      if (f->type() == FieldDescriptor::TYPE_BYTES) {
        if (!absl::Base64Unescape(text, &value) && !absl::WebSafeBase64Unescape(text, &value)) {
          return absl::InvalidArgumentError(
              absl::StrCat("field \"", f->name(), "\" must be base64"));
        }
      } else {
        if (!google::protobuf::internal::IsStructurallyValidUTF8(text.data(),
                                                                 static_cast<int>(text.size()))) {
          return absl::InvalidArgumentError(
              absl::StrCat("field \"", f->name(), "\" must be valid UTF-8"));
        }
        value = std::string(text);
      }
      if (f->is_repeated()) {
        r->AddString(m, f, std::move(value));
      } else {
        r->SetString(m, f, std::move(value));
      }
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      const Descriptor* type = f->message_type();
      if (f->is_repeated() || (!IsWrapper(type) && !IsStringFormWellKnown(type))) {
        return absl::InvalidArgumentError(
            absl::StrCat("field \"", f->name(), "\" is a message; set its fields one by one (\"",
                         f->name(), ".<field>=...\")"));
      }
      Message* sub = r->MutableMessage(m, f);
      if (IsWrapper(type)) {
        return SetFieldFromText(sub, {type->FindFieldByName("value")}, text);
      }
      const auto s =
          google::protobuf::util::JsonStringToMessage(Piece(common::JsonString(text)), sub);
      if (!s.ok()) {
        return absl::InvalidArgumentError(absl::StrCat("field \"", f->name(), "\" is not a valid ",
                                                       type->full_name(), " string"));
      }
      return absl::OkStatus();
    }
  }
  return absl::InvalidArgumentError(absl::StrCat("field \"", f->name(), "\" cannot be set"));
}

std::unique_ptr<Message> NewMessage(const Descriptor* type) {
  if (type->file()->pool() == google::protobuf::DescriptorPool::generated_pool()) {
    return std::unique_ptr<Message>(
        google::protobuf::MessageFactory::generated_factory()->GetPrototype(type)->New());
  }
  static google::protobuf::DynamicMessageFactory* dynamic = [] {
    auto* f = new google::protobuf::DynamicMessageFactory();
    f->SetDelegateToGeneratedFactory(true);
    return f;
  }();
  return std::unique_ptr<Message>(dynamic->GetPrototype(type)->New());
}

absl::StatusOr<std::unique_ptr<Message>> BuildRequestMessage(
    const Route& route, const std::vector<std::string>& path_values, absl::string_view query,
    absl::string_view body) {
  const Descriptor* input = route.method->input_type();
  std::unique_ptr<Message> msg = NewMessage(input);

  // 1. Body.
  if (route.body.empty()) {
    if (!IsBlank(body)) {
      return absl::InvalidArgumentError("this route takes no request body");
    }
  } else if (!IsBlank(body)) {
    Message* target = route.body_field == nullptr
                          ? msg.get()
                          : msg->GetReflection()->MutableMessage(msg.get(), route.body_field);
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = false;  // a typo must not be dropped silently
    const auto s = google::protobuf::util::JsonStringToMessage(Piece(body), target, options);
    if (!s.ok()) {
      // protobuf appends the surrounding bytes of the body after a newline; the body may
      // hold personal data, so only the first line (what is wrong, and where) goes back.
      absl::string_view why(s.message().data(), s.message().size());
      why = why.substr(0, std::min(why.find('\n'), size_t{200}));
      return absl::InvalidArgumentError(absl::StrCat(
          "request body is not valid JSON for ", target->GetDescriptor()->full_name(), ": ", why));
    }
  }

  // 2. Query parameters.
  std::set<std::string> singular_seen;
  for (absl::string_view pair : absl::StrSplit(query, '&', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(pair, absl::MaxSplits('=', 1));
    std::string key;
    std::string value;
    if (!PercentDecode(kv.first, true, &key) || !PercentDecode(kv.second, true, &value)) {
      return absl::InvalidArgumentError("query string has a malformed %-escape");
    }
    absl::StatusOr<FieldPath> fp = ResolveFieldPath(input, key, true);
    if (!fp.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown query parameter \"", key, "\": ", fp.status().message()));
    }
    if (route.body == "*" || (route.body_field != nullptr && fp->front() == route.body_field)) {
      return absl::InvalidArgumentError(
          absl::StrCat("query parameter \"", key, "\" names a field of the request body"));
    }
    for (const FieldPath& var : route.variable_fields) {
      if (var == *fp) {
        return absl::InvalidArgumentError(
            absl::StrCat("query parameter \"", key, "\" names a path variable"));
      }
    }
    if (!fp->back()->is_repeated() && !singular_seen.insert(PathName(*fp)).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("query parameter \"", key, "\" given more than once"));
    }
    if (absl::Status s = SetFieldFromText(msg.get(), *fp, value); !s.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("query parameter \"", key, "\": ", s.message()));
    }
  }

  // 3. Path variables.
  for (size_t i = 0; i < route.variable_fields.size() && i < path_values.size(); ++i) {
    if (absl::Status s = SetFieldFromText(msg.get(), route.variable_fields[i], path_values[i]);
        !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("path: ", s.message()));
    }
  }
  return msg;
}

absl::StatusOr<std::string> MessageToJson(const Message& message) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;  // lowerCamelCase, defaults omitted
  const auto s = google::protobuf::util::MessageToJsonString(message, &out, options);
  if (!s.ok()) {
    return absl::InternalError(absl::StrCat("cannot render the response as JSON: ",
                                            std::string(s.message().data(), s.message().size())));
  }
  return out;
}

std::string ErrorBody(grpc::StatusCode code, absl::string_view message) {
  return absl::StrCat("{\"code\":", static_cast<int>(code),
                      ",\"message\":", common::JsonString(message), ",\"details\":[]}");
}

}  // namespace fangxian::gateway
