// The HTTP routes of the gateway, built once at start-up from the google.api.http
// options of the services' method descriptors (no handler is written per route).
#ifndef FANGXIAN_GATEWAY_ROUTE_TABLE_H_
#define FANGXIAN_GATEWAY_ROUTE_TABLE_H_

#include <string>
#include <vector>

#include <google/protobuf/descriptor.h>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gateway/path_template.h"

namespace fangxian::gateway {

// A chain of fields from a message down to a leaf: "resident.area_code".
using FieldPath = std::vector<const google::protobuf::FieldDescriptor*>;

// Resolves a dotted path of field names in `type`. Each name may be the proto name or,
// with `json_names`, the lowerCamelCase JSON name. Every step but the last must be a
// singular message field. NOT_FOUND names the unknown part.
absl::StatusOr<FieldPath> ResolveFieldPath(const google::protobuf::Descriptor* type,
                                           absl::string_view dotted, bool json_names);

struct Route {
  std::string http_method;  // "GET", "POST", ... (custom kinds upper-cased)
  PathTemplate path;
  const google::protobuf::MethodDescriptor* method = nullptr;
  std::string grpc_method;  // "/fangxian.identity.v1.IdentityService/GetResident"
  // "" (no body), "*" (the whole request message) or the name of a top-level field.
  std::string body;
  const google::protobuf::FieldDescriptor* body_field = nullptr;  // set for a field name
  std::vector<FieldPath> variable_fields;  // one per path.variables(), same order
};

struct RouteMatch {
  const Route* route = nullptr;      // null when nothing matches this method and path
  std::vector<std::string> values;   // path variable values, decoded
  std::vector<std::string> allowed;  // when route is null: methods the path accepts
};

class RouteTable {
 public:
  // Every method of `services` with a google.api.http option (and its
  // additional_bindings) becomes a route. A mapping that cannot be served is an
  // INVALID_ARGUMENT naming the method. Server-streaming methods are routed (served as
  // Server-Sent Events); client-streaming ones are skipped with a warning.
  static absl::StatusOr<RouteTable> Build(
      const std::vector<const google::protobuf::ServiceDescriptor*>& services);

  // Of the routes whose template matches `path`, the most specific one for
  // `http_method`; ties go to the one declared first.
  RouteMatch Match(absl::string_view http_method, absl::string_view path) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace fangxian::gateway

#endif  // FANGXIAN_GATEWAY_ROUTE_TABLE_H_
