#include "services/checkpoint/alert_service.h"

#include <deque>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"

namespace fangxian::checkpoint {
namespace {

// Who reads alerts: the command centre (subdistrict and community admins), shift leaders,
// inspectors and auditors. Who acknowledges them: the same but auditors (read only).
const common::AuthRule kReadAlerts{
    {"subdistrict_admin", "community_admin", "shift_leader", "inspector", "auditor"}};
const common::AuthRule kAcknowledgeAlert{
    {"subdistrict_admin", "community_admin", "shift_leader", "inspector"}};

// The state of one StreamAlerts call, shared by its reactor, the hub and a replay task,
// so none of them can outlive what it touches. All reactor operations happen under `mu_`,
// which serialises them (gRPC runs OnWriteDone on its own thread, never inline, so
// holding the lock across StartWrite/Finish cannot deadlock).
// The alert ids one stream has queued or sent, so that none goes twice: an alert can come
// both from the replay and live, and the relay publishes at least once. Remembers the
// most recent kCapacity ids, far more than can be in flight at once.
class SentIds {
 public:
  static constexpr size_t kCapacity = 2 * kMaxAlertReplayCount;

  bool Contains(const std::string& id) const { return ids_.count(id) != 0; }
  void Add(const std::string& id) {
    if (!ids_.insert(id).second) return;
    order_.push_back(id);
    if (order_.size() > kCapacity) {
      ids_.erase(order_.front());
      order_.pop_front();
    }
  }

 private:
  std::set<std::string> ids_;
  std::deque<std::string> order_;
};

class StreamState final : public AlertHub::Subscriber {
 public:
  StreamState(grpc::ServerWriteReactor<v1::Alert>* reactor, size_t queue_limit)
      : reactor_(reactor), queue_limit_(queue_limit) {}

  // `replaying`: a replay of stored alerts will come (ReplayDone); live ones wait for it.
  void Begin(common::CallContext call, AlertAudience audience, bool replaying) {
    std::lock_guard<std::mutex> lock(mu_);
    call_ = std::move(call);
    audience_ = std::move(audience);
    replaying_ = replaying;
  }

  // Every live alert for the audience that this stream has not sent yet, however late it
  // was published: raise_time order is not publish order (the outbox may wait for Redis,
  // and a transaction may commit after a later one), so a time filter would lose alerts.
  void Deliver(const v1::Alert& alert) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (finishing() || !audience_.Matches(alert.area_codes())) return;
    if (sent_.Contains(alert.alert_id())) return;
    if (live_.size() >= queue_limit_) {
      FinishLocked(
          grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                       absl::StrCat("the stream fell more than ", queue_limit_,
                                    " alerts behind; read faster, or reconnect with since")));
      return;
    }
    sent_.Add(alert.alert_id());
    live_.push_back(RedactFor(call_, alert));
    PumpLocked();
  }

  void End(const absl::Status& status) override {
    std::lock_guard<std::mutex> lock(mu_);
    FinishLocked(common::ToGrpcStatus(status));
  }

  void ReplayDone(absl::StatusOr<std::vector<v1::Alert>> alerts) {
    std::lock_guard<std::mutex> lock(mu_);
    replaying_ = false;
    if (!alerts.ok()) {
      FinishLocked(common::ToGrpcStatus(alerts.status()));
      return;
    }
    // Live alerts that arrived during the query and were also replayed go once, in the
    // replay's (raise_time) order.
    std::set<std::string> replayed;
    for (const v1::Alert& a : *alerts) replayed.insert(a.alert_id());
    std::deque<v1::Alert> live;
    for (v1::Alert& a : live_) {
      if (replayed.count(a.alert_id()) == 0) live.push_back(std::move(a));
    }
    live_.swap(live);
    for (v1::Alert& a : *alerts) {
      sent_.Add(a.alert_id());
      replay_.push_back(std::move(a));
    }
    PumpLocked();
  }

  void WriteDone(bool ok) {
    std::lock_guard<std::mutex> lock(mu_);
    writing_ = false;
    if (!ok) FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "the client went away"));
    PumpLocked();
  }

  void Cancelled() {
    std::lock_guard<std::mutex> lock(mu_);
    FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "call cancelled"));
  }

  void Done() {
    std::lock_guard<std::mutex> lock(mu_);
    reactor_ = nullptr;
  }

  // Sends the response headers now rather than with the first alert, so a client (or the
  // gateway's event stream) knows the subscription is in place before any alert arrives.
  void SendHeaders() {
    std::lock_guard<std::mutex> lock(mu_);
    if (reactor_ != nullptr && !finishing()) reactor_->StartSendInitialMetadata();
  }

  // Finishes at once (before anything was sent).
  void Fail(grpc::Status status) {
    std::lock_guard<std::mutex> lock(mu_);
    FinishLocked(std::move(status));
  }

 private:
  bool finishing() const { return finished_ || pending_finish_.has_value(); }

  void FinishLocked(grpc::Status status) {
    if (finishing()) return;
    pending_finish_ = std::move(status);
    replay_.clear();
    live_.clear();
    PumpLocked();
  }

  // Starts the next write, or the pending finish once no write is in flight.
  void PumpLocked() {
    if (reactor_ == nullptr || writing_ || finished_) return;
    if (pending_finish_) {
      finished_ = true;
      reactor_->Finish(*pending_finish_);
      return;
    }
    if (replaying_) return;  // live alerts wait behind the replay
    std::deque<v1::Alert>& from = replay_.empty() ? live_ : replay_;
    if (from.empty()) return;
    in_flight_ = std::move(from.front());
    from.pop_front();
    writing_ = true;
    reactor_->StartWrite(&in_flight_);
  }

  std::mutex mu_;
  grpc::ServerWriteReactor<v1::Alert>* reactor_;  // null after OnDone
  const size_t queue_limit_;
  common::CallContext call_;
  AlertAudience audience_;
  bool replaying_ = false;
  std::deque<v1::Alert> replay_;  // stored alerts, sent first
  std::deque<v1::Alert> live_;    // bounded by queue_limit_
  SentIds sent_;
  v1::Alert in_flight_;
  bool writing_ = false;
  std::optional<grpc::Status> pending_finish_;
  bool finished_ = false;
};

class AlertStream final : public grpc::ServerWriteReactor<v1::Alert> {
 public:
  AlertStream(AlertHub& hub, size_t queue_limit, std::atomic<size_t>& open)
      : hub_(hub), open_(open), state_(std::make_shared<StreamState>(this, queue_limit)) {}

  const std::shared_ptr<StreamState>& state() const { return state_; }
  void set_subscription(uint64_t id) { subscription_ = id; }

  // Takes one of the replica's `max` stream slots until OnDone; false when all are taken.
  bool TakeSlot(size_t max) {
    size_t open = open_.load(std::memory_order_relaxed);
    do {
      if (open >= max) return false;
    } while (!open_.compare_exchange_weak(open, open + 1, std::memory_order_relaxed));
    has_slot_ = true;
    return true;
  }

  void OnWriteDone(bool ok) override { state_->WriteDone(ok); }
  void OnCancel() override { state_->Cancelled(); }
  void OnDone() override {
    state_->Done();
    if (subscription_ != 0) hub_.Unsubscribe(subscription_);
    if (has_slot_) open_.fetch_sub(1, std::memory_order_relaxed);
    delete this;
  }

 private:
  AlertHub& hub_;
  std::atomic<size_t>& open_;
  std::shared_ptr<StreamState> state_;
  uint64_t subscription_ = 0;
  bool has_slot_ = false;
};

}  // namespace

AlertService::AlertService(common::RpcRuntime& runtime, Alerts& alerts, AlertHub& hub,
                           size_t stream_queue_limit, size_t max_streams)
    : runtime_(runtime),
      alerts_(alerts),
      hub_(hub),
      stream_queue_limit_(stream_queue_limit),
      max_streams_(max_streams) {}

grpc::ServerUnaryReactor* AlertService::ListAlerts(grpc::CallbackServerContext* ctx,
                                                   const v1::ListAlertsRequest* request,
                                                   v1::ListAlertsResponse* response) {
  return common::Dispatch(runtime_, ctx, kReadAlerts, alerts_, &Alerts::List, request, response);
}

grpc::ServerUnaryReactor* AlertService::GetAlert(grpc::CallbackServerContext* ctx,
                                                 const v1::GetAlertRequest* request,
                                                 v1::Alert* response) {
  return runtime_.Unary(ctx, kReadAlerts, [this, request, response](const auto& call) {
    return common::Reply(alerts_.Get(call, request->alert_id()), response);
  });
}

grpc::ServerUnaryReactor* AlertService::AcknowledgeAlert(grpc::CallbackServerContext* ctx,
                                                         const v1::AcknowledgeAlertRequest* request,
                                                         v1::Alert* response) {
  return runtime_.Unary(ctx, kAcknowledgeAlert, [this, request, response](const auto& call) {
    return common::Reply(alerts_.Acknowledge(call, *request, runtime_.Now()), response);
  });
}

grpc::ServerWriteReactor<v1::Alert>* AlertService::StreamAlerts(
    grpc::CallbackServerContext* ctx, const v1::StreamAlertsRequest* request) {
  auto* stream = new AlertStream(hub_, stream_queue_limit_, open_streams_);
  const std::shared_ptr<StreamState> state = stream->state();
  if (!runtime_.ready()) {
    state->Fail(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                             "service is starting or its database is unreachable; retry"));
    return stream;
  }
  // Authentication and the checks run here: a signature check and no I/O.
  absl::StatusOr<common::CallContext> call = runtime_.Admit(ctx, kReadAlerts);
  if (!call.ok()) {
    state->Fail(common::ToGrpcStatus(call.status()));
    return stream;
  }
  absl::StatusOr<AlertAudience> audience = alerts_.StartStream(*call, *request, runtime_.Now());
  if (!audience.ok()) {
    state->Fail(common::ToGrpcStatus(audience.status()));
    return stream;
  }
  // After the caller's own checks, so a refusal costs no slot.
  if (!stream->TakeSlot(max_streams_)) {
    state->Fail(grpc::Status(
        grpc::StatusCode::RESOURCE_EXHAUSTED,
        absl::StrCat("this server already serves ", max_streams_,
                     " alert streams; retry with backoff, or through another replica")));
    return stream;
  }
  std::optional<absl::Time> since;
  if (request->has_since()) {
    since = absl::FromUnixMicros(
        google::protobuf::util::TimeUtil::TimestampToMicroseconds(request->since()));
  }
  state->Begin(*call, *audience, since.has_value());
  // Before anything can be written; gRPC sends them once this method has returned, so
  // after the subscription below is in place.
  state->SendHeaders();
  // Subscribe before the replay reads the table, so nothing raised in between is lost
  // (duplicates are dropped by alert_id).
  const uint64_t id = hub_.Subscribe(state);
  if (id == 0) {
    state->Fail(grpc::Status(grpc::StatusCode::UNAVAILABLE, "the server is shutting down"));
    return stream;
  }
  stream->set_subscription(id);
  if (since) {
    auto task = [this, state, call = *std::move(call), audience = *std::move(audience),
                 since = *since]() { state->ReplayDone(alerts_.Replay(call, audience, since)); };
    if (!replay_pool_.TrySubmit(std::move(task))) {
      state->Fail(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                               "too many streams are replaying; retry with backoff"));
    }
  }
  return stream;
}

}  // namespace fangxian::checkpoint
