// Server-streaming RPCs as Server-Sent Events: the framing, the SseStream that ties one
// upstream stream to one HTTP response, and the registry that bounds and drains them.
//
// The response is `200 text/event-stream`, chunked; each upstream message is one event
// `id: <id>\ndata: <canonical JSON on one line>\n\n`, written before the next message is
// read. The id is what a browser sends back as `Last-Event-ID` when it reconnects, so it
// is a resume point where the message has one (see SseEventIdField, ApplyLastEventId)
// and the running number 1, 2, ... of the stream otherwise. The header goes out with the first
// message, or with a keep-alive comment one second after the start when no message has come by then
// (then one every keep-alive interval): until that moment an upstream error is an ordinary JSON
// error response (401, 403, 400, ...); after it, an `event: error` event.
#ifndef FANGXIAN_GATEWAY_SSE_H_
#define FANGXIAN_GATEWAY_SSE_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <grpcpp/support/status.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "gateway/gateway.h"
#include "gateway/upstream.h"

namespace fangxian::gateway {

// "id: <id>\ndata: <json>\n\n". Canonical JSON escapes newlines, so `json` is one line.
std::string SseDataEvent(absl::string_view id, absl::string_view json);
std::string SseDataEvent(int64_t id, absl::string_view json);

// The field of a streamed message type that gives its events their ids: the first
// top-level google.protobuf.Timestamp field, in declaration order, whose name ends in
// "_time" (AlertService's Alert: raise_time). Null when there is none.
const google::protobuf::FieldDescriptor* SseEventIdField(const google::protobuf::Descriptor* type);

// The id of the event of `message`: its SseEventIdField as RFC 3339 UTC
// ("2026-03-05T08:00:00.123456Z") when that field is set, else `n`.
std::string SseEventId(const google::protobuf::Message& message,
                       const google::protobuf::FieldDescriptor* id_field, int64_t n);

// Resuming a stream: when `request` (a streaming route's request message) has a top-level
// google.protobuf.Timestamp field named `since` and `last_event_id` (the Last-Event-ID
// header) is an RFC 3339 time, sets `since` to it, replacing a `since` of the query (the
// browser repeats the URL it first opened). Any other id (a running number, from a stream
// without time ids) leaves the request as it is. True when it set `since`.
bool ApplyLastEventId(absl::string_view last_event_id, google::protobuf::Message* request);

// "event: error\ndata: {"code":..,"message":..,"details":[]}\n\n": how a stream that has
// already started reports its upstream's failure.
std::string SseErrorEvent(grpc::StatusCode code, absl::string_view message);

// A comment line: ignored by clients, keeps proxies from closing an idle connection.
inline constexpr char kSseKeepAlive[] = ": keep-alive\n\n";

class SseStream;

// The open streams: at most `max_streams` at once, and all of them ended on drain.
class StreamRegistry {
 public:
  explicit StreamRegistry(int max_streams) : max_streams_(max_streams) {}

  // UNAVAILABLE when `max_streams` are open or the gateway is draining.
  absl::Status Add(const std::shared_ptr<SseStream>& stream);
  void Remove(const SseStream* stream);
  // From now on refuses new streams, and ends the open ones: each gets an `event: error`
  // (UNAVAILABLE, reconnect) and its response completes, so a drain is not held up.
  void EndAll();
  int open() const;

 private:
  const int max_streams_;
  mutable std::mutex mu_;
  bool draining_ = false;
  std::map<const SseStream*, std::weak_ptr<SseStream>> open_;
};

// What an SseStream needs to know about its request.
struct SseRequest {
  std::string method;  // HTTP method and path (no query), for the access log
  std::string path;
  std::string request_id;
  std::chrono::steady_clock::time_point start;
  const google::protobuf::Descriptor* output = nullptr;  // the RPC's response type
  std::chrono::milliseconds keepalive{15000};
  // With no message by then, the header goes out (with a keep-alive comment) this long
  // after the start, so clients see the stream open; upstream refusals (bad token, out
  // of scope) come well before it and stay ordinary JSON errors.
  std::chrono::milliseconds open_after{1000};
};

class SseStream final : public StreamListener, public std::enable_shared_from_this<SseStream> {
 public:
  SseStream(SseRequest request, std::shared_ptr<Responder> responder,
            std::shared_ptr<StreamRegistry> registry)
      : request_(std::move(request)),
        responder_(std::move(responder)),
        registry_(registry),
        id_field_(SseEventIdField(request_.output)) {}

  // Starts the upstream call and watches the client. Call once, right after creation.
  void Start(Upstreams* upstreams, const std::string& service, const std::string& grpc_method,
             std::string request_bytes, const CallOptions& options);

  // Ends the stream because the gateway drains.
  void EndForDrain();

  void OnMessage(std::string bytes) override;
  void OnEnd(const grpc::Status& status) override;

 private:
  void OnTick();
  void OnClientGone();
  void CancelUpstream();
  void OpenLocked();  // sends the response header once

  const SseRequest request_;
  const std::shared_ptr<Responder> responder_;
  const std::shared_ptr<StreamRegistry> registry_;
  const google::protobuf::FieldDescriptor* const id_field_;  // null: running numbers

  std::mutex mu_;
  std::shared_ptr<UpstreamStream> call_;
  bool cancel_requested_ = false;  // before call_ was set
  bool opened_ = false;
  bool ended_ = false;
  bool draining_ = false;
  grpc::Status local_error_;  // a failure of the gateway's own (a reply it cannot render)
  int64_t next_id_ = 1;
};

}  // namespace fangxian::gateway

#endif  // FANGXIAN_GATEWAY_SSE_H_
