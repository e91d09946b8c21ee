#include "gateway/upstream.h"

#include <algorithm>
#include <atomic>
#include <utility>

#include "common/rpc.h"
#include "grpc/health/v1/health.pb.h"

namespace fangxian::gateway {

struct Upstreams::Pending {
  grpc::ClientContext context;
  grpc::ByteBuffer request;
  grpc::ByteBuffer response;
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

}  // namespace

bool IsServingHealthResponse(const std::string& bytes) {
  grpc::health::v1::HealthCheckResponse response;
  return response.ParseFromString(bytes) &&
         response.status() == grpc::health::v1::HealthCheckResponse::SERVING;
}

Upstreams::Upstreams(const std::vector<UpstreamSpec>& specs) {
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
    grpc::ChannelArguments args;
    // A DNS name with several A records spreads calls over all of them.
    args.SetLoadBalancingPolicyName("round_robin");
    ch->channel = grpc::CreateCustomChannel(spec.address, grpc::InsecureChannelCredentials(), args);
    ch->stub = std::make_unique<grpc::GenericStub>(ch->channel);
    by_service_[spec.service] = ch.get();
    channels_.push_back(std::move(ch));
  }
}

Upstreams::~Upstreams() {
  CancelAll();
  WaitIdle(std::chrono::seconds(5));
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
  p->context.set_deadline(options.deadline);
  if (!options.request_id.empty()) {
    p->context.AddMetadata(common::kRequestIdKey, options.request_id);
  }
  if (!options.authorization.empty()) {
    p->context.AddMetadata("authorization", options.authorization);
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    pending_.insert(p);
  }
  ch.stub->UnaryCall(&p->context, grpc_method, grpc::StubOptions(), &p->request, &p->response,
                     [this, p](grpc::Status status) { Finish(p, status); });
}

void Upstreams::Finish(Pending* p, const grpc::Status& status) {
  std::string bytes;
  if (status.ok()) bytes = FromByteBuffer(p->response);
  Done done = std::move(p->done);
  // Our services always answer with x-request-id in their initial metadata. Without it
  // the failure came from the transport (connection refused, DNS, ...), whose message
  // names internal addresses: callers get a plain, retryable one instead.
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE &&
      p->context.GetServerInitialMetadata().count(common::kRequestIdKey) == 0) {
    done(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                      "the " + p->upstream + " service is unavailable; retry later"),
         std::move(bytes));
  } else {
    done(status, std::move(bytes));
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    pending_.erase(p);
    delete p;
    if (pending_.empty()) idle_.notify_all();
  }
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
  std::lock_guard<std::mutex> lock(mu_);
  for (Pending* p : pending_) p->context.TryCancel();
}

bool Upstreams::WaitIdle(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return idle_.wait_for(lock, timeout, [this] { return pending_.empty(); });
}

}  // namespace fangxian::gateway
