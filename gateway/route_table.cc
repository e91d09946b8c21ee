#include "gateway/route_table.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/log.h"
#include "google/api/annotations.pb.h"

namespace fangxian::gateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::MethodDescriptor;

const FieldDescriptor* FindField(const Descriptor* type, absl::string_view name, bool json_names) {
  const std::string n(name);
  if (const FieldDescriptor* f = type->FindFieldByName(n)) return f;
  if (!json_names) return nullptr;
  for (int i = 0; i < type->field_count(); ++i) {
    if (type->field(i)->json_name() == n) return type->field(i);
  }
  return nullptr;
}

absl::Status MethodError(const MethodDescriptor* m, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("google.api.http of ", m->full_name(), ": ", what));
}

// One HttpRule (without its additional_bindings) to a Route.
absl::StatusOr<Route> MakeRoute(const MethodDescriptor* m, const google::api::HttpRule& rule) {
  Route r;
  std::string path;
  switch (rule.pattern_case()) {
    case google::api::HttpRule::kGet:
      r.http_method = "GET";
      path = rule.get();
      break;
    case google::api::HttpRule::kPut:
      r.http_method = "PUT";
      path = rule.put();
      break;
    case google::api::HttpRule::kPost:
      r.http_method = "POST";
      path = rule.post();
      break;
    case google::api::HttpRule::kDelete:
      r.http_method = "DELETE";
      path = rule.delete_();
      break;
    case google::api::HttpRule::kPatch:
      r.http_method = "PATCH";
      path = rule.patch();
      break;
    case google::api::HttpRule::kCustom:
      r.http_method = absl::AsciiStrToUpper(rule.custom().kind());
      path = rule.custom().path();
      if (r.http_method.empty()) return MethodError(m, "custom pattern without a kind");
      break;
    default:
      return MethodError(m, "no HTTP method and path");
  }
  absl::StatusOr<PathTemplate> t = PathTemplate::Parse(path);
  if (!t.ok()) return MethodError(m, t.status().message());
  r.path = *std::move(t);
  r.method = m;
  r.grpc_method = absl::StrCat("/", m->service()->full_name(), "/", m->name());

  const Descriptor* input = m->input_type();
  for (const PathTemplate::Variable& v : r.path.variables()) {
    absl::StatusOr<FieldPath> fp = ResolveFieldPath(input, v.field_path, false);
    if (!fp.ok()) {
      return MethodError(
          m, absl::StrCat("path variable {", v.field_path, "}: ", fp.status().message()));
    }
    const FieldDescriptor* leaf = fp->back();
    if (leaf->is_repeated() || leaf->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      return MethodError(
          m, absl::StrCat("path variable {", v.field_path, "} must name a singular scalar field"));
    }
    r.variable_fields.push_back(*std::move(fp));
  }

  r.body = rule.body();
  if (!r.body.empty() && r.body != "*") {
    r.body_field = input->FindFieldByName(r.body);
    if (r.body_field == nullptr) {
      return MethodError(
          m, absl::StrCat("body \"", r.body, "\" is not a field of ", input->full_name()));
    }
    if (r.body_field->is_repeated() ||
        r.body_field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
      return MethodError(m, absl::StrCat("body \"", r.body, "\" must be a singular message field"));
    }
  }
  if (r.http_method == "GET" && !r.body.empty()) {
    return MethodError(m, "a GET mapping cannot take a body");
  }
  if (!rule.response_body().empty()) {
    return MethodError(m, "response_body is not supported");
  }
  return r;
}

}  // namespace

absl::StatusOr<FieldPath> ResolveFieldPath(const Descriptor* type, absl::string_view dotted,
                                           bool json_names) {
  FieldPath out;
  const Descriptor* current = type;
  for (absl::string_view part : absl::StrSplit(dotted, '.')) {
    if (current == nullptr) {
      return absl::NotFoundError(
          absl::StrCat("\"", dotted, "\" goes through a field that is not a message"));
    }
    const FieldDescriptor* f = FindField(current, part, json_names);
    if (f == nullptr) {
      return absl::NotFoundError(absl::StrCat("no field \"", part, "\" in ", current->full_name()));
    }
    if (!out.empty() && out.back()->is_repeated()) {
      return absl::NotFoundError(absl::StrCat("\"", dotted, "\" goes through a repeated field"));
    }
    out.push_back(f);
    current = f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && !f->is_map() ? f->message_type()
                                                                                : nullptr;
  }
  return out;
}

absl::StatusOr<RouteTable> RouteTable::Build(
    const std::vector<const google::protobuf::ServiceDescriptor*>& services) {
  RouteTable table;
  std::set<std::pair<std::string, std::string>> seen;  // (method, template)
  for (const google::protobuf::ServiceDescriptor* s : services) {
    for (int i = 0; i < s->method_count(); ++i) {
      const MethodDescriptor* m = s->method(i);
      if (!m->options().HasExtension(google::api::http)) continue;
      // Server streaming is served as Server-Sent Events; a request body cannot be
      // streamed over HTTP/1.1 JSON, so client streaming is not routed.
      if (m->client_streaming()) {
        common::LogWarning("client-streaming method not routed", {{"method", m->full_name()}});
        continue;
      }
      const google::api::HttpRule& rule = m->options().GetExtension(google::api::http);
      std::vector<const google::api::HttpRule*> rules = {&rule};
      for (const google::api::HttpRule& extra : rule.additional_bindings()) {
        if (extra.additional_bindings_size() > 0) {
          return MethodError(m, "additional_bindings cannot nest");
        }
        rules.push_back(&extra);
      }
      for (const google::api::HttpRule* one : rules) {
        absl::StatusOr<Route> r = MakeRoute(m, *one);
        if (!r.ok()) return r.status();
        if (!seen.insert({r->http_method, r->path.text()}).second) {
          return MethodError(m, absl::StrCat(r->http_method, " ", r->path.text(),
                                             " is already mapped by another method"));
        }
        table.routes_.push_back(*std::move(r));
      }
    }
  }
  return table;
}

RouteMatch RouteTable::Match(absl::string_view http_method, absl::string_view path) const {
  RouteMatch best;
  int best_score = -1;
  std::vector<std::string> values;
  for (const Route& r : routes_) {
    if (!r.path.Match(path, &values)) continue;
    if (r.http_method != http_method) {
      if (std::find(best.allowed.begin(), best.allowed.end(), r.http_method) ==
          best.allowed.end()) {
        best.allowed.push_back(r.http_method);
      }
      continue;
    }
    const int score = r.path.Specificity();
    if (score > best_score) {
      best_score = score;
      best.route = &r;
      best.values = std::move(values);
    }
  }
  if (best.route != nullptr) {
    best.allowed.clear();
  } else {
    std::sort(best.allowed.begin(), best.allowed.end());
  }
  return best;
}

}  // namespace fangxian::gateway
