// The gateway's request handling, independent of the socket code: match a route, build
// the request message, call the upstream asynchronously, render the reply or the error.
#ifndef FANGXIAN_GATEWAY_GATEWAY_H_
#define FANGXIAN_GATEWAY_GATEWAY_H_

#include <chrono>
#include <functional>
#include <string>

#include <grpcpp/support/status.h>
#include <boost/beast/http.hpp>

#include "absl/strings/string_view.h"
#include "gateway/route_table.h"
#include "gateway/upstream.h"

namespace fangxian::gateway {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

struct GatewayOptions {
  std::chrono::milliseconds upstream_timeout{10000};  // FX_UPSTREAM_TIMEOUT_MS
  std::chrono::milliseconds readiness_timeout{1000};  // per /readyz health check
};

// A response with the JSON error body {code, message, details}; UNAUTHENTICATED adds
// WWW-Authenticate: Bearer.
HttpResponse ErrorResponse(int http_status, grpc::StatusCode code, absl::string_view message);

// The X-Request-Id to use: the caller's when it is 1-128 characters of [A-Za-z0-9._-],
// a new one otherwise.
std::string ChooseRequestId(absl::string_view given);

// One access-log line. Never the query string, a body or the Authorization header.
// `upstream_code` < 0: no upstream call was made.
void LogAccess(absl::string_view method, absl::string_view path, int status,
               std::chrono::steady_clock::time_point start, absl::string_view request_id,
               int upstream_code);

class Gateway {
 public:
  using Done = std::function<void(HttpResponse)>;

  Gateway(const RouteTable* routes, Upstreams* upstreams, GatewayOptions options)
      : routes_(routes), upstreams_(upstreams), options_(options) {}

  // Handles one complete request. `done` runs exactly once, on this thread or on a gRPC
  // thread; the response carries X-Request-Id and is access-logged.
  void Handle(HttpRequest request, Done done) const;

 private:
  const RouteTable* routes_;
  Upstreams* upstreams_;
  GatewayOptions options_;
};

}  // namespace fangxian::gateway

#endif  // FANGXIAN_GATEWAY_GATEWAY_H_
