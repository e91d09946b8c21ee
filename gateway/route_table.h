// The HTTP routes of the gateway, built once at start-up from the google.api.http
// options of the services' method descriptors (no handler is written per route).
#ifndef FANGXIAN_GATEWAY_ROUTE_TABLE_H_
#define FANGXIAN_GATEWAY_ROUTE_TABLE_H_

#include <chrono>
#include <cstddef>
#include <map>
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

// Which default deadline a route gets, from its RPC: a unary RPC mapped to GET is a read
// (and may be retried, see upstream.h), any other unary RPC a write, a server-streaming
// RPC an event stream.
enum class DeadlineClass { kRead, kWrite, kStream };

// The deadlines of the three classes (FX_GATEWAY_DEADLINE_*_MS) and the most a caller may
// ask for with X-Timeout-Ms on a read or write route. An event stream's default is also
// its maximum: the header can only shorten a stream.
struct DeadlinePolicy {
  std::chrono::milliseconds read{5000};
  std::chrono::milliseconds write{10000};
  std::chrono::milliseconds stream{3600 * 1000};
  std::chrono::milliseconds max{30000};
};

struct Route {
  std::string http_method;  // "GET", "POST", ... (custom kinds upper-cased)
  PathTemplate path;
  const google::protobuf::MethodDescriptor* method = nullptr;
  std::string grpc_method;  // "/fangxian.identity.v1.IdentityService/GetResident"
  // "" (no body), "*" (the whole request message) or the name of a top-level field.
  std::string body;
  const google::protobuf::FieldDescriptor* body_field = nullptr;  // set for a field name
  std::vector<FieldPath> variable_fields;  // one per path.variables(), same order
  DeadlineClass deadline_class = DeadlineClass::kWrite;
  std::chrono::milliseconds default_timeout{0};  // from the DeadlinePolicy of its class
  std::chrono::milliseconds max_timeout{0};      // the most X-Timeout-Ms can ask for
};

// The deadline of one call on `route`: its default, or the X-Timeout-Ms value
// `timeout_header` (when not empty) capped at the route's maximum. INVALID_ARGUMENT when
// the header is not a positive whole number of milliseconds.
absl::StatusOr<std::chrono::milliseconds> CallTimeout(const Route& route,
                                                      absl::string_view timeout_header);

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
  // Server-Sent Events); client-streaming ones are skipped with a warning. Each route's
  // deadlines come from `deadlines`.
  static absl::StatusOr<RouteTable> Build(
      const std::vector<const google::protobuf::ServiceDescriptor*>& services,
      const DeadlinePolicy& deadlines = DeadlinePolicy());

  // Of the routes whose template matches `path`, the most specific one for
  // `http_method`; ties go to the one declared first. Only the routes that the index
  // (leading literal segments, segment count) leaves possible are tried.
  RouteMatch Match(absl::string_view http_method, absl::string_view path) const;

  const std::vector<Route>& routes() const { return routes_; }

  // The RPCs ("/pkg.Service/Method") that are safe to retry: unary, and every HTTP
  // binding of them is a GET (a read). Sorted.
  std::vector<std::string> ReadMethods() const;

 private:
  // A trie over the literal segments a template starts with. Indices, not pointers, so a
  // copied or moved table stays valid.
  struct Node {
    std::map<std::string, size_t, std::less<>> children;  // literal segment -> node
    // Routes whose literal prefix ends here: by their exact segment count, and the
    // open-ended ones ("**" last) by the fewest segments they match.
    std::map<size_t, std::vector<size_t>> by_segments;
    std::vector<std::pair<size_t, size_t>> open_ended;  // (min segments, route)
  };
  void Index(size_t route);

  std::vector<Route> routes_;
  std::vector<Node> nodes_;  // nodes_[0] is the root
};

}  // namespace fangxian::gateway

#endif  // FANGXIAN_GATEWAY_ROUTE_TABLE_H_
