// The OpenAPI 3.0.3 document of the gateway, generated from the same route table and
// message descriptors that it serves (GET /openapi.json), so it cannot drift from them.
#ifndef FANGXIAN_GATEWAY_OPENAPI_H_
#define FANGXIAN_GATEWAY_OPENAPI_H_

#include <memory>
#include <set>
#include <string>

#include <google/protobuf/descriptor.h>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gateway/route_table.h"

namespace fangxian::gateway {

struct OpenApiOptions {
  std::string title = "Fangxian HTTP/JSON API";
  std::string version = "v1";
  // gRPC methods ("/pkg.Service/Method") that need no bearer token: their operations get
  // `security: []`. Every other operation needs the bearer token.
  std::set<std::string> public_methods;
  // Where to read the proto comments (summaries and descriptions) from, looked up by full
  // name: a pool built from a descriptor set with SourceCodeInfo. Null: the descriptors'
  // own pool (the generated pool has no comments; the method name is the summary then).
  const google::protobuf::DescriptorPool* comments = nullptr;
};

// A pool of the files in `serialized_set` (a FileDescriptorSet with its imports, in
// dependency order, as protoc --include_imports writes it), for OpenApiOptions::comments.
// INVALID_ARGUMENT when it cannot be parsed or a file does not build.
absl::StatusOr<std::unique_ptr<google::protobuf::DescriptorPool>> CommentsPool(
    absl::string_view serialized_set);

// The methods that answer without a token, by design (docs/auth.md): sign-in, session
// refresh, the token-verification keys, and what residents and player devices read.
std::set<std::string> PublicMethods();

// The JSON text of the document: every route as a path (template variables as `{field}`)
// with its operation (operationId "Service.Method"), path and query parameters, request
// body, response schema (components/schemas, canonical proto3 JSON types), the error
// responses with the {code, message, details} body, and bearer security. Server-streaming
// methods answer text/event-stream. INVALID_ARGUMENT when a route cannot be described.
absl::StatusOr<std::string> OpenApiDocument(const RouteTable& routes,
                                            const OpenApiOptions& options);

}  // namespace fangxian::gateway

#endif  // FANGXIAN_GATEWAY_OPENAPI_H_
