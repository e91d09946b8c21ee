// HTTP/JSON <-> protobuf for one route, using the canonical proto3 JSON mapping.
// Every error here comes from untrusted input and is INVALID_ARGUMENT (HTTP 400) with a
// message the caller can act on.
#ifndef FANGXIAN_GATEWAY_TRANSCODE_H_
#define FANGXIAN_GATEWAY_TRANSCODE_H_

#include <memory>
#include <string>
#include <vector>

#include <google/protobuf/message.h>
#include <grpcpp/support/status.h>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gateway/route_table.h"

namespace fangxian::gateway {

// A new, empty message of `type`: the generated class for types in the generated pool,
// a dynamic message otherwise (tests build services in their own pools).
std::unique_ptr<google::protobuf::Message> NewMessage(const google::protobuf::Descriptor* type);

// Builds the route's request message: the JSON body (whole message for body "*", the
// named field otherwise), then query parameters (fields not in the body; repeated fields
// take repeated parameters), then path variables (which win over both).
// `path_values` are RouteMatch::values; `query` is the raw text after '?'.
absl::StatusOr<std::unique_ptr<google::protobuf::Message>> BuildRequestMessage(
    const Route& route, const std::vector<std::string>& path_values, absl::string_view query,
    absl::string_view body);

// Sets the (singular or repeated) field at `path` in `message` from its text form:
// numbers in decimal, bool as true/false, enums by name or number, bytes as base64,
// well-known message types (Timestamp, Duration, wrappers) in their JSON string form.
absl::Status SetFieldFromText(google::protobuf::Message* message, const FieldPath& path,
                              absl::string_view text);

// Canonical proto3 JSON: lowerCamelCase names, default values omitted.
absl::StatusOr<std::string> MessageToJson(const google::protobuf::Message& message);

// {"code":5,"message":"...","details":[]}: the google.rpc.Status shape.
std::string ErrorBody(grpc::StatusCode code, absl::string_view message);

}  // namespace fangxian::gateway

#endif  // FANGXIAN_GATEWAY_TRANSCODE_H_
