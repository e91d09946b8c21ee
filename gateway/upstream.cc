#include "gateway/upstream.h"

#include <algorithm>
#include <atomic>
#include <iterator>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/json.h"
#include "common/rpc.h"
#include "common/upstream.h"
#include "grpc/health/v1/health.pb.h"

namespace fangxian::gateway {

struct Upstreams::Pending {
  grpc::ClientContext context;
  grpc::ByteBuffer request;
  grpc::ByteBuffer response;
  grpc::Status status;
  std::unique_ptr<grpc::GenericClientAsyncResponseReader> reader;
  Done done;
  std::string upstream;  // short name, for messages
};

namespace {

constexpr char kHealthCheckMethod[] = "/grpc.health.v1.Health/Check";

grpc::ByteBuffer ToByteBuffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

std::string FromByteBuffer(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Valid() || !buffer.Dump(&slices).ok()) return out;
  out.reserve(buffer.Length());
  for (const grpc::Slice& s : slices) {
    out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return out;
}

void PrepareContext(grpc::ClientContext& context, const CallOptions& options) {
  context.set_deadline(options.deadline);
  if (!options.request_id.empty()) {
    context.AddMetadata(common::kRequestIdKey, options.request_id);
  }
  if (!options.authorization.empty()) {
    context.AddMetadata("authorization", options.authorization);
  }
}

// Our services always answer with x-request-id in their initial metadata. Without it
// the failure came from the transport (connection refused, DNS, ...), whose message
// names internal addresses: callers get a plain, retryable one instead.
grpc::Status PublicStatus(const grpc::Status& status, const grpc::ClientContext& context,
                          const std::string& upstream) {
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE &&
      context.GetServerInitialMetadata().count(common::kRequestIdKey) == 0) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                        "the " + upstream + " service is unavailable; retry later");
  }
  return status;
}

}  // namespace

// A server-streaming call made as a generic bidi call (grpc 1.51 has no generic
// server-streaming reactor; on the wire they are the same): the one request is written
// with WritesDone, then messages are read one at a time.
//
// A hold keeps the call from finishing while the listener may still call Next() from
// outside a reaction; it is released when no further read will be started (a read
// failed, or Cancel() came while no read was outstanding).
class Upstreams::StreamCall final
    : public UpstreamStream,
      public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>,
      public std::enable_shared_from_this<Upstreams::StreamCall> {
 public:
  StreamCall(Upstreams* owner, grpc::GenericStub* stub, std::string upstream,
             std::string grpc_method, const std::string& request_bytes, const CallOptions& options,
             std::shared_ptr<StreamListener> listener)
      : owner_(owner),
        stub_(stub),
        upstream_(std::move(upstream)),
        grpc_method_(std::move(grpc_method)),
        listener_(std::move(listener)) {
    PrepareContext(context_, options);
    request_ = ToByteBuffer(request_bytes);
  }

  void Start() override {
    self_ = shared_from_this();
    stub_->PrepareBidiStreamingCall(&context_, grpc_method_, grpc::StubOptions(), this);
    AddHold();
    {
      std::lock_guard<std::mutex> lock(mu_);
      held_ = true;
      reading_ = true;
    }
    StartWriteLast(&request_, grpc::WriteOptions());
    StartRead(&response_);
    StartCall();
  }

  void Next() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!held_ || reading_) return;
      reading_ = true;
    }
    StartRead(&response_);
  }

  void Cancel() override {
    context_.TryCancel();
    bool release = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (held_ && !reading_) {
        held_ = false;
        release = true;
      }
    }
    if (release) RemoveHold();
  }

  void OnReadDone(bool ok) override {
    bool release = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      reading_ = false;
      if (!ok && held_) {
        held_ = false;
        release = true;
      }
    }
    if (release) {
      RemoveHold();
      return;
    }
    if (ok) listener_->OnMessage(FromByteBuffer(response_));
  }

  void OnDone(const grpc::Status& status) override {
    listener_->OnEnd(PublicStatus(status, context_, upstream_));
    listener_.reset();
    {
      std::lock_guard<std::mutex> lock(owner_->mu_);
      owner_->streams_.erase(this);
      if (owner_->pending_.empty() && owner_->streams_.empty()) owner_->idle_.notify_all();
    }
    // Whoever still holds the UpstreamStream keeps this object (and its context) alive.
    std::shared_ptr<StreamCall> last = std::move(self_);
  }

 private:
  Upstreams* owner_;
  grpc::GenericStub* stub_;
  const std::string upstream_;
  const std::string grpc_method_;
  std::shared_ptr<StreamListener> listener_;
  std::shared_ptr<StreamCall> self_;  // alive until OnDone
  grpc::ClientContext context_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
  std::mutex mu_;
  bool held_ = false;  // the hold taken in Start
  bool reading_ = false;
};

namespace {

// Reads that are never sent twice although they are GETs: each call is expensive or
// writes an audit entry, so a retry would double the cost or the audit trail (for an
// attempt whose first try may well have run). Reads that audit on every call are POSTs
// elsewhere (GetResidentUnmasked); keep this list in step with RecordAccess callers.
constexpr absl::string_view kNeverRetried[] = {
    // A whole area's residents, with a "resident.export" audit row per call.
    "/fangxian.identity.v1.ResidentImportService/ExportResidents",
};

bool NeverRetried(absl::string_view method) {
  return std::find(std::begin(kNeverRetried), std::end(kNeverRetried), method) !=
         std::end(kNeverRetried);
}

}  // namespace

std::string RetryServiceConfig(const std::vector<std::string>& methods, int max_attempts) {
  if (methods.empty() || max_attempts < 2) return "";
  std::string names;
  for (const std::string& m : methods) {
    if (NeverRetried(m)) continue;
    // "/pkg.Service/Method"
    std::vector<absl::string_view> parts = absl::StrSplit(m, '/');
    if (parts.size() != 3 || !parts[0].empty()) continue;
    if (!names.empty()) names += ",";
    names += "{\"service\":";
    common::AppendJsonString(names, parts[1]);
    names += ",\"method\":";
    common::AppendJsonString(names, parts[2]);
    names += "}";
  }
  if (names.empty()) return "";
  return absl::StrCat(
      "{\"methodConfig\":[{\"name\":[", names,
      "],\"retryPolicy\":{\"maxAttempts\":", std::min(max_attempts, 5),
      ",\"initialBackoff\":\"0.05s\",\"maxBackoff\":\"0.5s\",\"backoffMultiplier\":2,"
      "\"retryableStatusCodes\":[\"UNAVAILABLE\"]}}],"
      "\"retryThrottling\":{\"maxTokens\":10,\"tokenRatio\":0.1}}");
}

bool IsServingHealthResponse(const std::string& bytes) {
  grpc::health::v1::HealthCheckResponse response;
  return response.ParseFromString(bytes) &&
         response.status() == grpc::health::v1::HealthCheckResponse::SERVING;
}

Upstreams::Upstreams(const std::vector<UpstreamSpec>& specs, const UpstreamOptions& options) {
  // The services each channel serves, so its retry policy names their reads only.
  std::map<std::pair<std::string, std::string>, std::set<std::string>> services;
  for (const UpstreamSpec& spec : specs) {
    services[{spec.name, spec.address}].insert(spec.service);
  }
  for (const UpstreamSpec& spec : specs) {
    // Services served by one process (identity's IdentityService and AreaService) share
    // its channel, so /readyz checks and names that process once.
    auto shared = std::find_if(channels_.begin(), channels_.end(), [&](const auto& ch) {
      return ch->spec.name == spec.name && ch->spec.address == spec.address;
    });
    if (shared != channels_.end()) {
      by_service_[spec.service] = shared->get();
      continue;
    }
    auto ch = std::make_unique<Channel>();
    ch->spec = spec;
    const std::set<std::string>& served = services[{spec.name, spec.address}];
    std::vector<std::string> reads;
    for (const std::string& m : options.retryable_methods) {
      const size_t slash = m.find('/', 1);
      if (slash != std::string::npos && served.count(m.substr(1, slash - 1)) > 0) {
        reads.push_back(m);
      }
    }
    ch->channel = common::UpstreamChannel(spec.address,
                                          RetryServiceConfig(reads, options.retry_max_attempts));
    ch->stub = std::make_unique<grpc::GenericStub>(ch->channel);
    by_service_[spec.service] = ch.get();
    channels_.push_back(std::move(ch));
  }
  for (int i = 0; i < std::max(options.completion_threads, 1); ++i) {
    auto c = std::make_unique<Completions>();
    c->thread = std::thread([this, cq = &c->cq] {
      void* tag;
      bool ok;
      while (cq->Next(&tag, &ok)) {
        auto* p = static_cast<Pending*>(tag);
        Finish(p, p->status);
      }
    });
    completions_.push_back(std::move(c));
  }
}

Upstreams::~Upstreams() {
  CancelAll();
  WaitIdle(std::chrono::seconds(5));
  for (auto& c : completions_) c->cq.Shutdown();
  for (auto& c : completions_) c->thread.join();
}

void Upstreams::Call(const std::string& service, const std::string& grpc_method,
                     std::string request_bytes, const CallOptions& options, Done done) {
  auto it = by_service_.find(service);
  if (it == by_service_.end()) {
    done(grpc::Status(grpc::StatusCode::UNAVAILABLE, "no upstream is configured for " + service),
         std::string());
    return;
  }
  Start(*it->second, grpc_method, std::move(request_bytes), options, std::move(done));
}

void Upstreams::Start(Channel& ch, const std::string& grpc_method, std::string request_bytes,
                      const CallOptions& options, Done done) {
  auto* p = new Pending;
  p->done = std::move(done);
  p->upstream = ch.spec.name;
  p->request = ToByteBuffer(request_bytes);
  PrepareContext(p->context, options);
  {
    std::lock_guard<std::mutex> lock(mu_);
    pending_.insert(p);
  }
  Completions& c = *completions_[next_completions_.fetch_add(1, std::memory_order_relaxed) %
                                 completions_.size()];
  p->reader = ch.stub->PrepareUnaryCall(&p->context, grpc_method, p->request, &c.cq);
  p->reader->StartCall();
  p->reader->Finish(&p->response, &p->status, p);
}

void Upstreams::Finish(Pending* p, const grpc::Status& status) {
  std::string bytes;
  if (status.ok()) bytes = FromByteBuffer(p->response);
  Done done = std::move(p->done);
  done(PublicStatus(status, p->context, p->upstream), std::move(bytes));
  {
    std::lock_guard<std::mutex> lock(mu_);
    pending_.erase(p);
    delete p;
    if (pending_.empty() && streams_.empty()) idle_.notify_all();
  }
}

std::shared_ptr<UpstreamStream> Upstreams::Stream(const std::string& service,
                                                  const std::string& grpc_method,
                                                  std::string request_bytes,
                                                  const CallOptions& options,
                                                  std::shared_ptr<StreamListener> listener) {
  auto it = by_service_.find(service);
  if (it == by_service_.end()) return nullptr;
  auto call =
      std::make_shared<StreamCall>(this, it->second->stub.get(), it->second->spec.name, grpc_method,
                                   request_bytes, options, std::move(listener));
  {
    std::lock_guard<std::mutex> lock(mu_);
    streams_.insert(call.get());
  }
  return call;
}

void Upstreams::CheckHealth(std::chrono::milliseconds timeout,
                            std::function<void(std::vector<std::string>)> done) {
  struct Join {
    std::mutex mu;
    size_t remaining = 0;
    std::vector<std::string> not_ready;
    std::function<void(std::vector<std::string>)> done;
  };
  auto join = std::make_shared<Join>();
  join->remaining = channels_.size();
  join->done = std::move(done);
  if (channels_.empty()) {
    join->done({});
    return;
  }
  CallOptions options;
  options.deadline = std::chrono::system_clock::now() + timeout;
  for (const auto& ch : channels_) {
    const std::string name = ch->spec.name;
    Start(*ch, kHealthCheckMethod, grpc::health::v1::HealthCheckRequest().SerializeAsString(),
          options, [join, name](const grpc::Status& status, std::string response) {
            bool last = false;
            {
              std::lock_guard<std::mutex> lock(join->mu);
              if (!status.ok() || !IsServingHealthResponse(response)) {
                join->not_ready.push_back(name);
              }
              last = --join->remaining == 0;
            }
            if (last) join->done(std::move(join->not_ready));
          });
  }
}

void Upstreams::CancelAll() {
  std::vector<std::shared_ptr<StreamCall>> streams;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (Pending* p : pending_) p->context.TryCancel();
    // A stream leaves streams_ in its OnDone, before it lets go of itself: those still
    // here are alive. Cancel() runs outside the lock (it may finish the call inline).
    for (StreamCall* s : streams_) {
      streams.push_back(s->shared_from_this());
    }
  }
  for (const auto& s : streams) s->Cancel();
}

bool Upstreams::WaitIdle(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return idle_.wait_for(lock, timeout, [this] { return pending_.empty() && streams_.empty(); });
}

}  // namespace fangxian::gateway
