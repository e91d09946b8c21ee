#include "gateway/route_table.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
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
absl::StatusOr<Route> MakeRoute(const MethodDescriptor* m, const google::api::HttpRule& rule,
                                const DeadlinePolicy& deadlines) {
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
  if (m->server_streaming()) {
    r.deadline_class = DeadlineClass::kStream;
    r.default_timeout = deadlines.stream;
    r.max_timeout = deadlines.stream;
  } else {
    r.deadline_class = r.http_method == "GET" ? DeadlineClass::kRead : DeadlineClass::kWrite;
    r.default_timeout = r.deadline_class == DeadlineClass::kRead ? deadlines.read : deadlines.write;
    r.max_timeout = std::max(deadlines.max, r.default_timeout);
  }
  return r;
}

// What the index needs of a template, read from its text: the grammar puts a '/' before
// every segment (also inside "{var=a/*}") and none in literals or the verb, and a
// segment that is not a literal starts with '{' or '*'.
struct TemplateShape {
  std::vector<absl::string_view> literal_prefix;  // the literal segments it starts with
  size_t segments = 0;                            // how many it has
  bool open_ended = false;                        // ends with "**": matches segments - 1 or more
};

TemplateShape ShapeOf(const PathTemplate& t) {
  TemplateShape shape;
  absl::string_view text = t.text();
  if (!t.verb().empty()) text.remove_suffix(t.verb().size() + 1);
  shape.segments = static_cast<size_t>(std::count(text.begin(), text.end(), '/'));
  shape.open_ended = absl::EndsWith(text, "**") || absl::EndsWith(text, "**}");
  text.remove_prefix(1);
  const absl::string_view literals = text.substr(0, text.find_first_of("{*"));
  for (absl::string_view part : absl::StrSplit(literals, '/')) {
    if (part.empty()) break;  // the '/' before the first non-literal segment
    shape.literal_prefix.push_back(part);
  }
  return shape;
}

}  // namespace

absl::StatusOr<std::chrono::milliseconds> CallTimeout(const Route& route,
                                                      absl::string_view timeout_header) {
  if (timeout_header.empty()) return route.default_timeout;
  int64_t ms = 0;
  if (!absl::SimpleAtoi(timeout_header, &ms) || ms <= 0) {
    return absl::InvalidArgumentError(
        "X-Timeout-Ms must be a positive whole number of milliseconds");
  }
  return std::min(route.max_timeout, std::chrono::milliseconds(ms));
}

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
    const std::vector<const google::protobuf::ServiceDescriptor*>& services,
    const DeadlinePolicy& deadlines) {
  RouteTable table;
  table.nodes_.emplace_back();
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
        absl::StatusOr<Route> r = MakeRoute(m, *one, deadlines);
        if (!r.ok()) return r.status();
        if (!seen.insert({r->http_method, r->path.text()}).second) {
          return MethodError(m, absl::StrCat(r->http_method, " ", r->path.text(),
                                             " is already mapped by another method"));
        }
        table.routes_.push_back(*std::move(r));
        table.Index(table.routes_.size() - 1);
      }
    }
  }
  return table;
}

void RouteTable::Index(size_t route) {
  const TemplateShape shape = ShapeOf(routes_[route].path);
  size_t node = 0;
  for (absl::string_view literal : shape.literal_prefix) {
    auto it = nodes_[node].children.find(literal);
    if (it == nodes_[node].children.end()) {
      nodes_.emplace_back();
      it = nodes_[node].children.emplace(std::string(literal), nodes_.size() - 1).first;
    }
    node = it->second;
  }
  if (shape.open_ended) {
    nodes_[node].open_ended.emplace_back(shape.segments - 1, route);
  } else {
    nodes_[node].by_segments[shape.segments].push_back(route);
  }
}

std::vector<std::string> RouteTable::ReadMethods() const {
  std::map<std::string, bool> read;  // grpc_method -> every binding a unary GET
  for (const Route& r : routes_) {
    const bool is_read = r.deadline_class == DeadlineClass::kRead;
    auto [it, added] = read.emplace(r.grpc_method, is_read);
    if (!added) it->second = it->second && is_read;
  }
  std::vector<std::string> out;
  for (const auto& [method, is_read] : read) {
    if (is_read) out.push_back(method);
  }
  return out;
}

RouteMatch RouteTable::Match(absl::string_view http_method, absl::string_view path) const {
  RouteMatch best;
  if (path.empty() || path[0] != '/' || nodes_.empty()) return best;
  // The path is split once, to walk the trie; only the routes stored along the walk with
  // a fitting segment count are matched in full.
  const std::vector<absl::string_view> parts = absl::StrSplit(path.substr(1), '/');
  std::vector<size_t> candidates;
  size_t node = 0;
  for (size_t depth = 0;; ++depth) {
    const Node& n = nodes_[node];
    if (auto it = n.by_segments.find(parts.size()); it != n.by_segments.end()) {
      candidates.insert(candidates.end(), it->second.begin(), it->second.end());
    }
    for (const auto& [min_segments, route] : n.open_ended) {
      if (parts.size() >= min_segments) candidates.push_back(route);
    }
    if (depth == parts.size()) break;
    // The last segment may carry the verb (":stream"), which no literal contains.
    absl::string_view key = parts[depth];
    if (depth + 1 == parts.size()) key = key.substr(0, key.find(':'));
    auto child = n.children.find(key);
    if (child == n.children.end()) break;
    node = child->second;
  }
  std::sort(candidates.begin(), candidates.end());  // declaration order breaks ties

  int best_score = -1;
  std::vector<std::string> values;
  for (size_t i : candidates) {
    const Route& r = routes_[i];
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
