#include "gateway/gateway.h"

#include <algorithm>
#include <memory>
#include <utility>

#include <google/protobuf/message.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/interceptors.h"
#include "common/json.h"
#include "common/log.h"
#include "common/status.h"
#include "gateway/sse.h"
#include "gateway/transcode.h"

namespace fangxian::gateway {
namespace {

namespace http = boost::beast::http;

absl::string_view View(boost::beast::string_view s) {
  return absl::string_view(s.data(), s.size());
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
      streams_(std::make_shared<StreamRegistry>(options.max_streams)) {}

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
  finish->responder = std::move(responder);
  const std::string& method = finish->method;
  const std::string& path = finish->path;
  const absl::string_view query =
      q == absl::string_view::npos ? absl::string_view() : target.substr(q + 1);

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

  // The caller may shorten the deadline, never lengthen it. Event streams have no
  // ordinary deadline, only a maximum duration.
  const bool streaming = route.method->server_streaming();
  std::chrono::milliseconds timeout =
      streaming ? options_.stream_max_duration : options_.upstream_timeout;
  const absl::string_view timeout_header = View(request["X-Timeout-Ms"]);
  if (!timeout_header.empty()) {
    int64_t ms = 0;
    if (!absl::SimpleAtoi(timeout_header, &ms) || ms <= 0) {
      (*finish)(ErrorResponse(400, grpc::StatusCode::INVALID_ARGUMENT,
                              "X-Timeout-Ms must be a positive whole number of milliseconds"),
                -1);
      return;
    }
    timeout = std::min(timeout, std::chrono::milliseconds(ms));
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
  call.deadline = std::chrono::system_clock::now() + timeout;
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
