#include "gateway/gateway.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <memory>
#include <utility>

#include <google/protobuf/message.h>
#include <boost/range/iterator_range.hpp>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/interceptors.h"
#include "common/json.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/status.h"
#include "gateway/sse.h"
#include "gateway/transcode.h"

namespace fangxian::gateway {
namespace {

namespace http = boost::beast::http;

absl::string_view View(boost::beast::string_view s) {
  return absl::string_view(s.data(), s.size());
}

// Every X-Forwarded-For field of `request`, in order, joined by commas (proxies may add
// a field of their own instead of appending to the last).
std::string ForwardedFor(const HttpRequest& request) {
  std::string joined;
  for (const auto& field : boost::make_iterator_range(request.equal_range("X-Forwarded-For"))) {
    if (!joined.empty()) joined += ',';
    joined.append(field.value().data(), field.value().size());
  }
  return joined;
}

HttpResponse JsonResponse(int http_status, std::string body) {
  HttpResponse res;
  res.result(static_cast<unsigned>(http_status));
  if (http_status == 499) res.reason("Client Closed Request");  // nginx's, not in Beast
  res.set(http::field::content_type, "application/json; charset=utf-8");
  // Bodies carry text stored as given (publicity content may hold markup): the browser
  // must treat every answer as data, never sniff it into HTML or run anything in it.
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
  res.body() = std::move(body);
  return res;
}

// gRPC accepts only printable ASCII in metadata values and aborts the process on
// anything else, so every header value bound for metadata is checked first.
bool IsValidMetadataValue(absl::string_view v) {
  if (v.size() > 8192) return false;
  for (char c : v) {
    if (c < 0x20 || c > 0x7E) return false;
  }
  return true;
}

// Adds the request id, writes the access log line and hands the response over, once.
struct Finisher {
  std::string method;
  std::string path;
  std::string request_id;
  std::chrono::steady_clock::time_point start;
  std::shared_ptr<Responder> responder;

  void operator()(HttpResponse res, int upstream_code) {
    res.set("X-Request-Id", request_id);
    LogAccess(method, path, static_cast<int>(res.result_int()), start, request_id, upstream_code);
    responder->Reply(std::move(res));
  }
};

// Paths answered by the gateway itself.
bool IsOwnPath(absl::string_view path) {
  return path == "/healthz" || path == "/readyz" || path == "/openapi.json";
}

}  // namespace

struct Gateway::Stats {
  // fx_gateway_http_requests_total{method,code} and fx_gateway_http_latency_seconds{method}:
  // "method" is the HTTP method and route template ("GET /v1/residents/{resident_id}"),
  // "code" the status class ("2xx"); "unmatched" for requests matching no route, so
  // client-chosen paths never become label values.
  common::Metrics requests{"fx_gateway_http"};
  std::atomic<int64_t> inflight{0};
};

namespace {

// Wraps the connection's Responder for one request: adds the CORS headers to the answer,
// and counts it (by route, status class and latency) and the requests in flight.
class ObservedResponder final : public Responder {
 public:
  ObservedResponder(std::shared_ptr<Responder> inner, std::shared_ptr<Gateway::Stats> stats,
                    http::fields extra_headers)
      : inner_(std::move(inner)),
        stats_(std::move(stats)),
        extra_headers_(std::move(extra_headers)),
        start_(std::chrono::steady_clock::now()) {
    stats_->inflight.fetch_add(1, std::memory_order_relaxed);
  }
  ~ObservedResponder() override { End(); }

  // The metrics label; set before the answer is given.
  void set_label(std::string label) { label_ = std::move(label); }

  void Reply(HttpResponse response) override {
    Count(&response);
    End();
    inner_->Reply(std::move(response));
  }
  void Watch(std::chrono::milliseconds first, std::chrono::milliseconds every,
             std::function<void()> on_tick, std::function<void()> on_gone) override {
    inner_->Watch(first, every, std::move(on_tick), std::move(on_gone));
  }
  void Open(HttpResponse header) override {
    Count(&header);
    inner_->Open(std::move(header));
  }
  void Send(std::string chunk, std::function<void(bool ok)> written) override {
    inner_->Send(std::move(chunk), std::move(written));
  }
  void Finish() override {
    End();
    inner_->Finish();
  }
  std::string PeerAddress() const override { return inner_->PeerAddress(); }

 private:
  static constexpr std::array<const char*, 6> kClasses = {"other", "1xx", "2xx",
                                                          "3xx",   "4xx", "5xx"};

  void Count(HttpResponse* response) {
    for (const auto& field : extra_headers_) response->set(field.name_string(), field.value());
    const unsigned status = response->result_int();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    stats_->requests.Record(label_, kClasses[status >= 100 && status < 600 ? status / 100 : 0],
                            seconds);
  }
  void End() {
    if (!ended_.exchange(true)) stats_->inflight.fetch_sub(1, std::memory_order_relaxed);
  }

  std::shared_ptr<Responder> inner_;
  std::shared_ptr<Gateway::Stats> stats_;
  const http::fields extra_headers_;
  const std::chrono::steady_clock::time_point start_;
  std::string label_ = "unmatched";
  std::atomic<bool> ended_{false};
};

}  // namespace

HttpResponse ErrorResponse(int http_status, grpc::StatusCode code, absl::string_view message) {
  HttpResponse res = JsonResponse(http_status, ErrorBody(code, message));
  if (code == grpc::StatusCode::UNAUTHENTICATED) {
    res.set(http::field::www_authenticate, "Bearer");
  }
  return res;
}

std::string ChooseRequestId(absl::string_view given) {
  if (common::IsValidRequestId(given)) return std::string(given);
  return common::NewRequestId();
}

void LogAccess(absl::string_view method, absl::string_view path, int status,
               std::chrono::steady_clock::time_point start, absl::string_view request_id,
               int upstream_code) {
  const double latency_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  common::LogInfo(
      "http request",
      {{"method", method},
       {"path", path},
       {"status", status},
       {"latency_ms", latency_ms},
       {"request_id", request_id},
       {"upstream_code", upstream_code < 0
                             ? absl::string_view("-")
                             : common::CodeName(static_cast<grpc::StatusCode>(upstream_code))}});
}

Gateway::Gateway(const RouteTable* routes, Upstreams* upstreams, GatewayOptions options)
    : routes_(routes),
      upstreams_(upstreams),
      options_(options),
      streams_(std::make_shared<StreamRegistry>(options.max_streams)),
      stats_(std::make_shared<Stats>()) {
  common::Metrics& m = stats_->requests;
  m.AddGauge("fx_gateway_inflight_requests", "HTTP requests being answered (event streams too).",
             [stats = stats_.get()] {
               return static_cast<double>(stats->inflight.load(std::memory_order_relaxed));
             });
  m.AddGauge("fx_gateway_open_streams", "Open Server-Sent Event streams.",
             [streams = streams_.get()] { return static_cast<double>(streams->open()); });
  if (options_.rate_limiter != nullptr && options_.rate_limiter->uses_redis()) {
    m.AddGauge("fx_redis_up", "1 while Redis answers.",
               [limiter = options_.rate_limiter] { return limiter->redis_up() ? 1.0 : 0.0; });
  }
  if (const RateLimiter* limiter = options_.rate_limiter; limiter != nullptr) {
    m.AddCounter("fx_gateway_rate_limited_total", "Requests refused by the rate limit (429).",
                 [limiter] { return static_cast<double>(limiter->refused()); });
    m.AddCounter("fx_gateway_rate_limit_local_total",
                 "Rate-limit decisions taken while this replica could not sync its buckets "
                 "with Redis (each replica limiting alone).",
                 [limiter] { return static_cast<double>(limiter->local_decisions()); });
    if (limiter->uses_redis()) {
      m.AddCounter("fx_gateway_rate_limit_syncs_total",
                   "Successful syncs of this replica's rate-limit buckets with Redis.",
                   [limiter] { return static_cast<double>(limiter->syncs()); });
    }
  }
}

common::Metrics& Gateway::metrics() const { return stats_->requests; }

Gateway::~Gateway() = default;

void Gateway::EndStreams() const { streams_->EndAll(); }

void Gateway::Handle(HttpRequest request, std::shared_ptr<Responder> responder) const {
  const absl::string_view target = View(request.target());
  const size_t q = target.find('?');
  auto finish = std::make_shared<Finisher>();
  finish->method = std::string(View(request.method_string()));
  finish->path = std::string(target.substr(0, q));
  finish->request_id = ChooseRequestId(View(request["X-Request-Id"]));
  finish->start = std::chrono::steady_clock::now();
  const absl::string_view origin = View(request[http::field::origin]);
  http::fields cors_headers;
  options_.cors.Decorate(origin, &cors_headers);
  auto observed =
      std::make_shared<ObservedResponder>(std::move(responder), stats_, std::move(cors_headers));
  finish->responder = observed;
  const std::string& method = finish->method;
  const std::string& path = finish->path;
  const absl::string_view query =
      q == absl::string_view::npos ? absl::string_view() : target.substr(q + 1);

  if (finish->method == "GET" && IsOwnPath(finish->path)) {
    observed->set_label(absl::StrCat("GET ", finish->path));
  }
  if (path == "/healthz" || path == "/readyz") {
    if (method != "GET") {
      HttpResponse res = ErrorResponse(405, grpc::StatusCode::UNIMPLEMENTED,
                                       absl::StrCat(method, " is not allowed on ", path));
      res.set(http::field::allow, "GET");
      (*finish)(std::move(res), -1);
      return;
    }
    if (path == "/healthz") {
      (*finish)(JsonResponse(200, "{\"status\":\"ok\"}"), -1);
      return;
    }
    upstreams_->CheckHealth(
        options_.readiness_timeout, [finish](std::vector<std::string> not_ready) {
          if (not_ready.empty()) {
            (*finish)(JsonResponse(200, "{\"status\":\"ready\"}"), -1);
            return;
          }
          std::sort(not_ready.begin(), not_ready.end());
          std::string names = absl::StrJoin(
              not_ready, ",",
              [](std::string* out, const std::string& n) { common::AppendJsonString(*out, n); });
          (*finish)(JsonResponse(503, absl::StrCat("{\"status\":\"not_ready\","
                                                   "\"not_ready\":[",
                                                   names, "]}")),
                    -1);
        });
    return;
  }

  if (path == "/openapi.json" && !options_.openapi_json.empty()) {
    HttpResponse res = method == "GET"
                           ? JsonResponse(200, options_.openapi_json)
                           : ErrorResponse(405, grpc::StatusCode::UNIMPLEMENTED,
                                           absl::StrCat(method, " is not allowed on ", path));
    if (method != "GET") res.set(http::field::allow, "GET");
    (*finish)(std::move(res), -1);
    return;
  }

  // A browser asks first before a cross-origin request that is not "simple" (a JSON body,
  // an Authorization header): answered here for the methods of the path, never upstream.
  if (method == "OPTIONS" && options_.cors.enabled() && !origin.empty() &&
      request.count(http::field::access_control_request_method) > 0) {
    RouteMatch preflight = routes_->Match(method, path);
    if (preflight.route == nullptr && !preflight.allowed.empty()) {
      observed->set_label("OPTIONS preflight");
      if (!options_.cors.Allows(origin)) {
        (*finish)(ErrorResponse(403, grpc::StatusCode::PERMISSION_DENIED,
                                "this origin may not call the gateway"),
                  -1);
        return;
      }
      HttpResponse res;
      res.result(http::status::no_content);
      res.set(http::field::allow, absl::StrJoin(preflight.allowed, ", "));
      options_.cors.DecoratePreflight(origin, preflight.allowed, &res.base());
      (*finish)(std::move(res), -1);
      return;
    }
  }

  RouteMatch match = routes_->Match(method, path);
  if (match.route == nullptr) {
    if (match.allowed.empty()) {
      (*finish)(ErrorResponse(404, grpc::StatusCode::NOT_FOUND,
                              absl::StrCat("no route for ", method, " ", path)),
                -1);
    } else {
      HttpResponse res =
          ErrorResponse(405, grpc::StatusCode::UNIMPLEMENTED,
                        absl::StrCat(method, " is not allowed on ", path,
                                     "; allowed: ", absl::StrJoin(match.allowed, ", ")));
      res.set(http::field::allow, absl::StrJoin(match.allowed, ", "));
      (*finish)(std::move(res), -1);
    }
    return;
  }
  const Route& route = *match.route;
  observed->set_label(absl::StrCat(route.http_method, " ", route.path.text()));

  if (options_.rate_limiter != nullptr) {
    const RateDecision decision = options_.rate_limiter->Take(RateLimiter::KeysFor(
        View(request[http::field::authorization]),
        options_.trusted_proxies.ClientAddress(observed->PeerAddress(), ForwardedFor(request))));
    if (!decision.allowed) {
      HttpResponse res =
          ErrorResponse(429, grpc::StatusCode::RESOURCE_EXHAUSTED,
                        absl::StrCat("too many requests from this client; retry after ",
                                     decision.retry_after_s, " s"));
      res.set(http::field::retry_after, std::to_string(decision.retry_after_s));
      (*finish)(std::move(res), -1);
      return;
    }
  }

  // The route's deadline class gives the default; X-Timeout-Ms may ask for any value up
  // to the route's maximum (an event stream's maximum is its default).
  const bool streaming = route.method->server_streaming();
  const absl::StatusOr<std::chrono::milliseconds> timeout =
      CallTimeout(route, View(request["X-Timeout-Ms"]));
  if (!timeout.ok()) {
    (*finish)(ErrorResponse(400, grpc::StatusCode::INVALID_ARGUMENT, timeout.status().message()),
              -1);
    return;
  }

  absl::StatusOr<std::unique_ptr<google::protobuf::Message>> message =
      BuildRequestMessage(route, match.values, query, request.body());
  if (!message.ok()) {
    (*finish)(ErrorResponse(400, grpc::StatusCode::INVALID_ARGUMENT, message.status().message()),
              -1);
    return;
  }
  // A browser reconnecting an event stream resumes from the id of the last event it got.
  if (streaming) ApplyLastEventId(View(request["Last-Event-ID"]), message->get());
  std::string bytes;
  if (!(*message)->SerializeToString(&bytes)) {
    (*finish)(ErrorResponse(400, grpc::StatusCode::INVALID_ARGUMENT, "request cannot be encoded"),
              -1);
    return;
  }

  const absl::string_view authorization = View(request[http::field::authorization]);
  if (!IsValidMetadataValue(authorization)) {
    HttpResponse res =
        ErrorResponse(401, grpc::StatusCode::UNAUTHENTICATED,
                      "the Authorization header must be printable ASCII, at most 8192 characters");
    (*finish)(std::move(res), -1);
    return;
  }
  CallOptions call;
  call.request_id = finish->request_id;
  call.authorization = std::string(authorization);
  call.deadline = std::chrono::system_clock::now() + *timeout;
  const google::protobuf::Descriptor* output = route.method->output_type();
  if (streaming) {
    SseRequest sse;
    sse.method = finish->method;
    sse.path = finish->path;
    sse.request_id = finish->request_id;
    sse.start = finish->start;
    sse.output = output;
    sse.keepalive = options_.sse_keepalive;
    auto stream = std::make_shared<SseStream>(std::move(sse), finish->responder, streams_);
    if (absl::Status admitted = streams_->Add(stream); !admitted.ok()) {
      HttpResponse res = ErrorResponse(503, grpc::StatusCode::UNAVAILABLE, admitted.message());
      res.set(http::field::retry_after, "5");
      (*finish)(std::move(res), -1);
      return;
    }
    stream->Start(upstreams_, route.method->service()->full_name(), route.grpc_method,
                  std::move(bytes), call);
    return;
  }
  upstreams_->Call(
      route.method->service()->full_name(), route.grpc_method, std::move(bytes), call,
      [finish, output](const grpc::Status& status, std::string response) {
        const int code = static_cast<int>(status.error_code());
        if (!status.ok()) {
          (*finish)(ErrorResponse(common::HttpStatusForCode(status.error_code()),
                                  status.error_code(), status.error_message()),
                    code);
          return;
        }
        std::unique_ptr<google::protobuf::Message> reply = NewMessage(output);
        if (!reply->ParseFromString(response)) {
          (*finish)(ErrorResponse(500, grpc::StatusCode::INTERNAL,
                                  "the upstream reply could not be decoded"),
                    code);
          return;
        }
        absl::StatusOr<std::string> json = MessageToJson(*reply);
        if (!json.ok()) {
          (*finish)(ErrorResponse(500, grpc::StatusCode::INTERNAL, json.status().message()), code);
          return;
        }
        (*finish)(JsonResponse(200, *std::move(json)), code);
      });
}

}  // namespace fangxian::gateway
