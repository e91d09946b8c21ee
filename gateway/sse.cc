#include "gateway/sse.h"

#include <algorithm>
#include <utility>
#include <vector>

#include <google/protobuf/message.h>
#include <google/protobuf/timestamp.pb.h>
#include <google/protobuf/util/time_util.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "common/validate.h"
#include "gateway/transcode.h"

namespace fangxian::gateway {

namespace http = boost::beast::http;

namespace {

constexpr char kTimestampType[] = "google.protobuf.Timestamp";

bool IsTimestampField(const google::protobuf::FieldDescriptor* field) {
  return field->type() == google::protobuf::FieldDescriptor::TYPE_MESSAGE &&
         !field->is_repeated() && field->message_type()->full_name() == kTimestampType;
}

}  // namespace

std::string SseDataEvent(absl::string_view id, absl::string_view json) {
  return absl::StrCat("id: ", id, "\ndata: ", json, "\n\n");
}

std::string SseDataEvent(int64_t id, absl::string_view json) {
  return SseDataEvent(absl::StrCat(id), json);
}

const google::protobuf::FieldDescriptor* SseEventIdField(const google::protobuf::Descriptor* type) {
  if (type == nullptr) return nullptr;
  for (int i = 0; i < type->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* field = type->field(i);
    if (IsTimestampField(field) && absl::EndsWith(field->name(), "_time")) return field;
  }
  return nullptr;
}

std::string SseEventId(const google::protobuf::Message& message,
                       const google::protobuf::FieldDescriptor* id_field, int64_t n) {
  const google::protobuf::Reflection* reflection = message.GetReflection();
  if (id_field == nullptr || !reflection->HasField(message, id_field)) return absl::StrCat(n);
  // Through the wire form, so a dynamic message's Timestamp reads the same as a generated one.
  google::protobuf::Timestamp time;
  if (!time.ParseFromString(reflection->GetMessage(message, id_field).SerializeAsString()) ||
      !common::IsValidTimestamp(time)) {
    return absl::StrCat(n);
  }
  return google::protobuf::util::TimeUtil::ToString(time);
}

bool ApplyLastEventId(absl::string_view last_event_id, google::protobuf::Message* request) {
  const google::protobuf::FieldDescriptor* since =
      request->GetDescriptor()->FindFieldByName("since");
  if (since == nullptr || !IsTimestampField(since) || last_event_id.empty()) return false;
  google::protobuf::Timestamp time;
  if (!google::protobuf::util::TimeUtil::FromString(std::string(last_event_id), &time)) {
    return false;
  }
  return request->GetReflection()
      ->MutableMessage(request, since)
      ->ParseFromString(time.SerializeAsString());
}

std::string SseErrorEvent(grpc::StatusCode code, absl::string_view message) {
  return absl::StrCat("event: error\ndata: ", ErrorBody(code, message), "\n\n");
}

absl::Status StreamRegistry::Add(const std::shared_ptr<SseStream>& stream) {
  std::lock_guard<std::mutex> lock(mu_);
  if (draining_) {
    return absl::UnavailableError("the gateway is shutting down; retry with another instance");
  }
  if (static_cast<int>(open_.size()) >= max_streams_) {
    return absl::UnavailableError(
        absl::StrCat("this gateway already serves ", max_streams_, " event streams; retry later"));
  }
  open_[stream.get()] = stream;
  return absl::OkStatus();
}

void StreamRegistry::Remove(const SseStream* stream) {
  std::lock_guard<std::mutex> lock(mu_);
  open_.erase(stream);
}

void StreamRegistry::EndAll() {
  std::vector<std::shared_ptr<SseStream>> streams;
  {
    std::lock_guard<std::mutex> lock(mu_);
    draining_ = true;
    for (const auto& [key, weak] : open_) {
      if (std::shared_ptr<SseStream> s = weak.lock()) streams.push_back(std::move(s));
    }
  }
  for (const auto& s : streams) s->EndForDrain();
}

int StreamRegistry::open() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int>(open_.size());
}

void SseStream::Start(Upstreams* upstreams, const std::string& service,
                      const std::string& grpc_method, std::string request_bytes,
                      const CallOptions& options) {
  std::shared_ptr<SseStream> self = shared_from_this();
  std::shared_ptr<UpstreamStream> call =
      upstreams->Stream(service, grpc_method, std::move(request_bytes), options, self);
  if (call == nullptr) {
    OnEnd(grpc::Status(grpc::StatusCode::UNAVAILABLE, "no upstream is configured for " + service));
    return;
  }
  bool cancel = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    call_ = call;
    cancel = cancel_requested_;
  }
  // The client may leave, or the drain begin, at any moment from here on.
  responder_->Watch(
      std::min(request_.open_after, request_.keepalive), request_.keepalive,
      [self] { self->OnTick(); }, [self] { self->OnClientGone(); });
  call->Start();
  if (cancel) call->Cancel();
}

void SseStream::EndForDrain() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    draining_ = true;
  }
  CancelUpstream();
}

void SseStream::OnClientGone() { CancelUpstream(); }

void SseStream::CancelUpstream() {
  std::shared_ptr<UpstreamStream> call;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (call_ == nullptr) {
      cancel_requested_ = true;
      return;
    }
    call = call_;
  }
  call->Cancel();
}

void SseStream::OpenLocked() {
  if (opened_) return;
  opened_ = true;
  HttpResponse header;
  header.result(http::status::ok);
  header.set(http::field::content_type, "text/event-stream; charset=utf-8");
  header.set(http::field::cache_control, "no-cache");
  // Tells nginx-style proxies not to buffer the stream.
  header.set("X-Accel-Buffering", "no");
  header.set("X-Request-Id", request_.request_id);
  responder_->Open(std::move(header));
}

void SseStream::OnTick() {
  std::lock_guard<std::mutex> lock(mu_);
  if (ended_) return;
  OpenLocked();
  std::weak_ptr<SseStream> weak = weak_from_this();
  responder_->Send(kSseKeepAlive, [weak](bool ok) {
    if (ok) return;
    if (std::shared_ptr<SseStream> self = weak.lock()) self->OnClientGone();
  });
}

void SseStream::OnMessage(std::string bytes) {
  std::unique_ptr<google::protobuf::Message> reply = NewMessage(request_.output);
  absl::StatusOr<std::string> json =
      reply->ParseFromString(bytes)
          ? MessageToJson(*reply)
          : absl::InternalError("an upstream message could not be decoded");
  if (!json.ok()) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      local_error_ = grpc::Status(grpc::StatusCode::INTERNAL, std::string(json.status().message()));
    }
    CancelUpstream();
    return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  OpenLocked();
  std::shared_ptr<SseStream> self = shared_from_this();
  responder_->Send(SseDataEvent(SseEventId(*reply, id_field_, next_id_++), *json), [self](bool ok) {
    // The next message is read only once this one is on its way to the client.
    if (ok) {
      std::shared_ptr<UpstreamStream> call;
      {
        std::lock_guard<std::mutex> lock(self->mu_);
        call = self->call_;
      }
      call->Next();
    } else {
      self->OnClientGone();
    }
  });
}

void SseStream::OnEnd(const grpc::Status& upstream_status) {
  grpc::Status status = upstream_status;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ended_ = true;
    if (!local_error_.ok()) {
      status = local_error_;
    } else if (draining_ && status.error_code() == grpc::StatusCode::CANCELLED) {
      status = grpc::Status(grpc::StatusCode::UNAVAILABLE,
                            "the gateway is shutting down; reconnect to continue");
    }
    if (opened_ || status.ok()) {
      OpenLocked();
      if (!status.ok()) {
        responder_->Send(SseErrorEvent(status.error_code(), status.error_message()), [](bool) {});
      }
      responder_->Finish();
    } else {
      // Nothing was sent yet: an ordinary JSON error, with its HTTP status.
      HttpResponse res = ErrorResponse(common::HttpStatusForCode(status.error_code()),
                                       status.error_code(), status.error_message());
      res.set("X-Request-Id", request_.request_id);
      LogAccess(request_.method, request_.path, static_cast<int>(res.result_int()), request_.start,
                request_.request_id, static_cast<int>(upstream_status.error_code()));
      responder_->Reply(std::move(res));
      registry_->Remove(this);
      return;
    }
  }
  LogAccess(request_.method, request_.path, 200, request_.start, request_.request_id,
            static_cast<int>(upstream_status.error_code()));
  registry_->Remove(this);
}

}  // namespace fangxian::gateway
