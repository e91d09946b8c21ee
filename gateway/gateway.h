// The gateway's request handling, independent of the socket code: match a route, build
// the request message, call the upstream asynchronously, render the reply or the error.
#ifndef FANGXIAN_GATEWAY_GATEWAY_H_
#define FANGXIAN_GATEWAY_GATEWAY_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <grpcpp/support/status.h>
#include <boost/beast/http.hpp>

#include "absl/strings/string_view.h"
#include "common/metrics.h"
#include "gateway/client_address.h"
#include "gateway/cors.h"
#include "gateway/rate_limit.h"
#include "gateway/route_table.h"
#include "gateway/upstream.h"

namespace fangxian::gateway {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

struct GatewayOptions {
  std::chrono::milliseconds readiness_timeout{1000};  // per /readyz health check
  // Server-streaming (Server-Sent Events) routes:
  // Deadlines are per route (Route::default_timeout, max_timeout; see route_table.h).
  std::chrono::milliseconds sse_keepalive{15 * 1000};  // FX_GATEWAY_SSE_KEEPALIVE_S
  int max_streams = 1000;                              // FX_GATEWAY_MAX_STREAMS
  Cors cors;                                           // FX_CORS_ORIGINS
  // Per-client limit on requests for upstreams (not /healthz, /readyz, /openapi.json, CORS
  // preflights or requests matching no route); null: unlimited. Outlives the gateway.
  RateLimiter* rate_limiter = nullptr;
  // Peers whose X-Forwarded-For names the client (FX_TRUSTED_PROXIES); none by default.
  TrustedProxies trusted_proxies;
  // Served at GET /openapi.json (built once at start-up, see openapi.h); empty: 404.
  std::string openapi_json;
};

// How the gateway answers one request; implemented by the HTTP connection. Methods may be
// called from any thread and must not block: the connection runs them in call order.
// A request ends with exactly one Reply, or with Open, any number of Send, and Finish.
class Responder {
 public:
  virtual ~Responder() = default;

  // The whole response.
  virtual void Reply(HttpResponse response) = 0;

  // For streamed responses. Until the response is complete: `on_gone` runs once if the
  // client closes the connection (or a write fails); `on_tick` runs after `first`, then
  // every `every`. The connection is closed after the response.
  virtual void Watch(std::chrono::milliseconds first, std::chrono::milliseconds every,
                     std::function<void()> on_tick, std::function<void()> on_gone) = 0;
  // Sends the header of `header` (status and fields; its body is ignored); the body
  // follows chunked.
  virtual void Open(HttpResponse header) = 0;
  // Writes `chunk` once everything before it is written; `written(false)` when the
  // client is gone. Runs `written` on the connection's thread: it must not block.
  virtual void Send(std::string chunk, std::function<void(bool ok)> written) = 0;
  // Ends the chunked body once everything before it is written.
  virtual void Finish() = 0;

  // The client's IP address as text ("" when unknown): the rate-limit key of requests
  // without a token.
  virtual std::string PeerAddress() const { return ""; }
};

class StreamRegistry;

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
  Gateway(const RouteTable* routes, Upstreams* upstreams, GatewayOptions options);
  ~Gateway();
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  // Handles one complete request, answering through `responder` (on this thread or on a
  // gRPC thread). Responses carry X-Request-Id and are access-logged. A route of a
  // server-streaming RPC answers with Server-Sent Events (see sse.h).
  void Handle(HttpRequest request, std::shared_ptr<Responder> responder) const;

  // For the drain: refuses new event streams (503) and ends the open ones.
  void EndStreams() const;

  // Adds the CORS headers an answer to a page from `origin` carries (none when CORS is off
  // or the origin is not listed): for answers the HTTP server gives itself.
  void DecorateCors(absl::string_view origin, boost::beast::http::fields* headers) const {
    options_.cors.Decorate(origin, headers);
  }

  // Counters and gauges of the gateway (see README, "Metrics"), served on
  // FX_METRICS_PORT (common::MetricsHttpServer), not on the API port. Thread-safe;
  // the server adds its own (refused connections) before it starts.
  common::Metrics& metrics() const;
  struct Stats;

 private:
  const RouteTable* routes_;
  Upstreams* upstreams_;
  GatewayOptions options_;
  // Internally synchronised; shared with the streams, which may end after the gateway.
  std::shared_ptr<StreamRegistry> streams_;
  // Shared with the responses in flight, which may complete after the gateway is gone.
  std::shared_ptr<Stats> stats_;
};

}  // namespace fangxian::gateway

#endif  // FANGXIAN_GATEWAY_GATEWAY_H_
