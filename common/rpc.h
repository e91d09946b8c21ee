// The one way a service handles a unary RPC on the gRPC callback API:
//   0. refuse a call over the server's limit of calls in flight (RESOURCE_EXHAUSTED, at
//      once: an overload costs the excess only its refusal);
//   1. refuse while the service is not ready (UNAVAILABLE, retryable);
//   2. authenticate the bearer token and check the caller holds one of the method's roles;
//   3. hand the blocking work to the worker pool (RESOURCE_EXHAUSTED when it is full);
//   4. on a worker: give up early if the call was cancelled or its deadline passed, run
//      the handler, and finish the reactor with its status.
// Handlers are plain functions (const CallContext&) -> absl::Status that fill the response;
// UnaryDeferred handlers finish later through a completion (waiting for a group commit
// without holding a thread).
#ifndef FANGXIAN_COMMON_RPC_H_
#define FANGXIAN_COMMON_RPC_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/auth.h"
#include "common/in_flight.h"
#include "common/local_cache.h"
#include "common/revocation.h"
#include "common/status.h"
#include "common/worker_pool.h"

#include "absl/strings/string_view.h"

namespace fangxian::common {

// Metadata key of the request id (accepted from callers, generated when absent).
inline constexpr char kRequestIdKey[] = "x-request-id";

// What a handler knows about its call.
struct CallContext {
  std::string request_id;
  Principal principal;
  // The roles of the method's AuthRule: scope checks count only grants of these roles,
  // so a volunteer grant never widens what an admin grant elsewhere allows.
  std::vector<absl::string_view> roles;
  std::chrono::system_clock::time_point deadline;
  std::string authorization;  // the caller's "Bearer ..." header, for pass-through

  bool InScope(absl::string_view area) const { return principal.CoversArea(area, roles); }
};

// Which roles may call a method. An empty list means any authenticated caller.
struct AuthRule {
  std::vector<absl::string_view> roles;
};

// PERMISSION_DENIED ("<field>: area X is outside your area scope") unless the call's
// grants cover `area`. For what the caller is writing.
absl::Status RequireScope(const CallContext& call, absl::string_view field, absl::string_view area);

// Every area must be covered (writing a record that spans several areas).
template <typename Areas>
absl::Status RequireScopeAll(const CallContext& call, absl::string_view field, const Areas& areas) {
  for (const auto& area : areas) {
    if (absl::Status s = RequireScope(call, field, area); !s.ok()) return s;
  }
  return absl::OkStatus();
}

// At least one area must be covered (reading a record). `what` names the record in the
// message ("this checkpoint"), which never names the record's areas: a caller outside
// the scope learns nothing about where the record lives.
template <typename Areas>
absl::Status RequireScopeAny(const CallContext& call, absl::string_view what, const Areas& areas) {
  for (const auto& area : areas) {
    if (call.InScope(area)) return absl::OkStatus();
  }
  return absl::PermissionDeniedError(std::string(what) + " is outside your area scope");
}

// A record read by id (`row`, as the store returned it) when it exists and the call's
// grants cover its `area_code`; NOT_FOUND with `not_found` as the message both when the
// store found none and when it lies outside the scope, so a caller cannot tell the two
// apart (existence is not revealed). Other failures pass through.
template <typename Row>
absl::StatusOr<Row> VisibleOrNotFound(const CallContext& call, absl::StatusOr<Row> row,
                                      absl::string_view not_found) {
  if (absl::IsNotFound(row.status())) return absl::NotFoundError(not_found);
  if (!row.ok()) return row.status();
  if (!call.InScope(row->area_code)) return absl::NotFoundError(not_found);
  return row;
}

// VisibleOrNotFound for a record that spans several areas, `areas_of(*row)` (a container
// of area codes; a content item's target areas, say): visible when the call's grants
// cover at least one of them.
template <typename Row, typename AreasOf>
absl::StatusOr<Row> VisibleInAnyOrNotFound(const CallContext& call, absl::StatusOr<Row> row,
                                           absl::string_view not_found, AreasOf areas_of) {
  if (absl::IsNotFound(row.status())) return absl::NotFoundError(not_found);
  if (!row.ok()) return row.status();
  for (const auto& area : areas_of(*row)) {
    if (call.InScope(area)) return row;
  }
  return absl::NotFoundError(not_found);
}

// The same for a record whose areas are its member `area_codes`.
template <typename Row>
absl::StatusOr<Row> VisibleInAnyOrNotFound(const CallContext& call, absl::StatusOr<Row> row,
                                           absl::string_view not_found) {
  return VisibleInAnyOrNotFound(
      call, std::move(row), not_found, [](const Row& r) -> const auto& { return r.area_codes; });
}

// The areas a List call reads (rows at or below one of them): `area` when given, after
// RequireAreaPath and RequireScope under `field`; when empty, the caller's whole scope
// (Principal::ScopeRoots of the method's roles), PERMISSION_DENIED when that is empty.
absl::StatusOr<std::vector<std::string>> ScopeAreas(const CallContext& call,
                                                    absl::string_view field,
                                                    absl::string_view area);

// Whether the caller's scope and `area` overlap: a grant of the method's roles (of any
// role when the method names none, as InScope) covers `area` or lies within it. For
// records that concern a whole area: a grid worker of one compound sees a community's
// sweep, a community admin its subdistrict's letter template.
bool ScopeOverlaps(const CallContext& call, absl::string_view area);

// Copies request id, deadline and credentials onto an outgoing call (deadline
// propagation: the downstream call never outlives ours).
void PrepareOutgoing(const CallContext& call, grpc::ClientContext* out);

// Copies a successful result into the response; returns the status either way.
template <typename T, typename Out>
absl::Status Reply(absl::StatusOr<T> result, Out* response) {
  if (result.ok()) *response = *std::move(result);
  return result.status();
}

// The `done` of RpcRuntime::UnaryDeferred: finishes its call, once. Copies share one
// state; the first completion wins, later ones are ignored. When the last copy goes away
// uncalled, the call is finished INTERNAL (and logged) so it can never hang.
class CallCompletion {
 public:
  // `slot`: the call's place under the server's in-flight limit, given back once the call
  // is finished.
  CallCompletion(grpc::ServerUnaryReactor* reactor, std::string request_id,
                 InFlightLimit::Slot slot = {})
      : state_(std::make_shared<State>(reactor, std::move(request_id), std::move(slot))) {}
  // Finishes the call with `status`, writing nothing to the response.
  void operator()(const absl::Status& status) const {
    state_->Finish([&status] { return status; });
  }
  // Finishes the call with what `fill()` returns. `fill` runs only in the winning
  // completion, before the call is finished, so it may write the response: a losing
  // completion never touches the response of a call already finished (and possibly
  // freed). Use this whenever the response is written.
  template <typename Fill>
  void Complete(Fill&& fill) const {
    state_->Finish(absl::FunctionRef<absl::Status()>(fill));
  }

 private:
  struct State {
    State(grpc::ServerUnaryReactor* r, std::string id, InFlightLimit::Slot s)
        : reactor(r), request_id(std::move(id)), slot(std::move(s)) {}
    ~State();
    void Finish(absl::FunctionRef<absl::Status()> fill);
    grpc::ServerUnaryReactor* reactor;
    std::string request_id;
    InFlightLimit::Slot slot;
    std::atomic<bool> finished{false};
  };
  std::shared_ptr<State> state_;
};

class RpcRuntime;

// The usual shape of a unary method: `(logic.*method)(call, *request)` returns
// StatusOr<Response>; it runs on the worker pool under `rule` and its result becomes the
// response.
template <typename Logic, typename Method, typename Request, typename Response>
grpc::ServerUnaryReactor* Dispatch(RpcRuntime& runtime, grpc::CallbackServerContext* ctx,
                                   const AuthRule& rule, Logic& logic, Method method,
                                   const Request* request, Response* response);

class RpcRuntime {
 public:
  using Clock = std::function<absl::Time()>;

  RpcRuntime(
      std::shared_ptr<const TokenVerifier> verifier, int workers, size_t queue_limit,
      Clock clock = [] { return absl::Now(); });

  void set_ready(bool ready) { ready_.store(ready, std::memory_order_release); }
  // At most `limit` calls in flight in this server (0: no limit); set before serving.
  void set_max_in_flight(int64_t limit) { in_flight_.set_limit(limit); }
  int64_t in_flight() const { return in_flight_.current(); }
  // Tokens of sessions in `revocations` are refused (null: no revocation checks).
  void set_revocations(const RevocationList* revocations) { revocations_ = revocations; }
  bool ready() const { return ready_.load(std::memory_order_acquire); }
  absl::Time Now() const { return clock_(); }
  size_t queued() const { return pool_.queued(); }
  // Runs `task` on the worker pool, for background work a call started (refreshing a
  // cache entry ahead of its expiry); false when the queue is full (the task is dropped).
  bool RunInBackground(std::function<void()> task) { return pool_.TrySubmit(std::move(task)); }
  // After the server stopped: runs the tasks still queued (background work included) and
  // joins the workers, so none outlives the objects its tasks use. Later tasks are refused.
  void StopWorkers() { pool_.Stop(); }

  // Authenticates and authorises the call (steps 2 of the list above).
  absl::StatusOr<CallContext> Admit(const grpc::CallbackServerContext* ctx,
                                    const AuthRule& rule) const;

  template <typename Handler>
  grpc::ServerUnaryReactor* Unary(grpc::CallbackServerContext* ctx, const AuthRule& rule,
                                  Handler handler) {
    return Run(ctx, &rule, NoFastPath(), Immediate<Handler>{std::move(handler)});
  }

  // For calls whose answer waits on work done elsewhere (the passage log's group commit):
  // `handler(call, done)` runs on the worker pool like a Unary handler but may return
  // before the call is complete, handing `done` on; `done.Complete(fill)` (or
  // `done(status)` when nothing is written to the response) finishes the call and must
  // be called once, from any thread. A second completion is ignored (its fill never
  // runs); if every copy of `done` is dropped uncalled, the call ends INTERNAL (logged)
  // rather than never. Readiness, authentication, load shedding and the queued-deadline
  // check are those of Unary.
  template <typename Handler>
  grpc::ServerUnaryReactor* UnaryDeferred(grpc::CallbackServerContext* ctx, const AuthRule& rule,
                                          Handler handler) {
    return Run(ctx, &rule, NoFastPath(), Deferred<Handler>{std::move(handler)});
  }

  // UnaryDeferred with a fast path: `fast(call, take)` runs on the gRPC thread and must
  // never block (no database, no Redis, no RPC). When it can handle the call from memory
  // it calls `take()` once, which returns the call's CallCompletion, hands that on and
  // returns true; otherwise it returns false without calling `take`, and `handler` runs
  // on the worker pool as with UnaryDeferred. Saves the worker-pool hop on cache hits.
  template <typename Fast, typename Handler>
  grpc::ServerUnaryReactor* UnaryDeferredWithFastPath(grpc::CallbackServerContext* ctx,
                                                      const AuthRule& rule, Fast fast,
                                                      Handler handler) {
    return Run(ctx, &rule, DeferredFast<Fast>{std::move(fast)},
               Deferred<Handler>{std::move(handler)});
  }

  // For hot reads that can often be answered from memory: `fast` runs on the gRPC thread
  // and must never block (no database, no Redis); it returns the call's status when it
  // could answer, std::nullopt to hand the call to `handler` on the worker pool. Saves
  // the thread hop on cache hits.
  template <typename Fast, typename Handler>
  grpc::ServerUnaryReactor* UnaryWithFastPath(grpc::CallbackServerContext* ctx,
                                              const AuthRule& rule, Fast fast, Handler handler) {
    return Run(ctx, &rule, ImmediateFast<Fast>{std::move(fast)},
               Immediate<Handler>{std::move(handler)});
  }

  // For the few methods that need no token (login, refresh, public keys): the same
  // readiness, load shedding, deadline and request id handling, with no principal.
  template <typename Handler>
  grpc::ServerUnaryReactor* UnaryPublic(grpc::CallbackServerContext* ctx, Handler handler) {
    return Run(ctx, nullptr, NoFastPath(), Immediate<Handler>{std::move(handler)});
  }

  // UnaryPublic with UnaryWithFastPath's `fast`: public hot reads (live publicity content)
  // answered from memory on the gRPC thread when they can be.
  template <typename Fast, typename Handler>
  grpc::ServerUnaryReactor* UnaryPublicWithFastPath(grpc::CallbackServerContext* ctx, Fast fast,
                                                    Handler handler) {
    return Run(ctx, nullptr, ImmediateFast<Fast>{std::move(fast)},
               Immediate<Handler>{std::move(handler)});
  }

 private:
  // Fast paths: true when the call was handled (finished, or handed on) on the gRPC thread.
  // An exception escaping a fast path (a bug) finishes the call INTERNAL, logged, as
  // RunHandler does: it must not end the process on a gRPC thread.
  struct NoFastPath {
    bool operator()(const CallContext&, grpc::ServerUnaryReactor*, InFlightLimit::Slot&) const {
      return false;
    }
  };
  template <typename Fast>
  struct ImmediateFast {
    Fast fast;
    bool operator()(const CallContext& call, grpc::ServerUnaryReactor* reactor,
                    InFlightLimit::Slot& slot) {
      std::optional<absl::Status> answered;
      try {
        answered = fast(call);
      } catch (const std::exception& e) {
        LogHandlerException(call, e.what());
        answered = absl::InternalError("internal error");
      } catch (...) {
        LogHandlerException(call, "unknown exception");
        answered = absl::InternalError("internal error");
      }
      if (!answered) return false;
      FinishCall(reactor, slot, ToGrpcStatus(*answered));
      return true;
    }
  };
  template <typename Fast>
  struct DeferredFast {
    Fast fast;
    bool operator()(const CallContext& call, grpc::ServerUnaryReactor* reactor,
                    InFlightLimit::Slot& slot) {
      // The completion `take` handed out, if any: after a throw the call is finished
      // through it (once: a completion already used elsewhere wins), else directly.
      std::optional<CallCompletion> taken;
      const char* what = nullptr;
      std::string message;
      try {
        // `take` hands out one completion, the same one if called again.
        const bool handled = fast(call, [&call, reactor, &taken, &slot] {
          if (!taken) taken.emplace(reactor, call.request_id, std::move(slot));
          return *taken;
        });
        if (handled || !taken) return handled;
        // A fast path that took the completion owns the call (a bug if it then declines):
        // the call ends through the completion, INTERNAL when nothing else finishes it.
        LogHandlerException(call, "fast path took the completion and declined the call");
        return true;
      } catch (const std::exception& e) {
        message = e.what();
        what = message.c_str();
      } catch (...) {
        what = "unknown exception";
      }
      LogHandlerException(call, what);
      const absl::Status internal = absl::InternalError("internal error");
      if (taken) {
        (*taken)(internal);
      } else {
        FinishCall(reactor, slot, ToGrpcStatus(internal));
      }
      return true;
    }
  };

  // Runs a plain handler and finishes the call with its status.
  template <typename Handler>
  struct Immediate {
    Handler handler;
    void operator()(const CallContext& call, grpc::ServerUnaryReactor* reactor,
                    InFlightLimit::Slot& slot) {
      FinishCall(reactor, slot, ToGrpcStatus(RunHandler(handler, call)));
    }
  };

  // Runs a deferred handler with a completion that finishes the call once.
  template <typename Handler>
  struct Deferred {
    Handler handler;
    void operator()(const CallContext& call, grpc::ServerUnaryReactor* reactor,
                    InFlightLimit::Slot& slot) {
      CallCompletion done(reactor, call.request_id, std::move(slot));
      try {
        handler(call, done);
        return;
      } catch (const std::exception& e) {
        LogHandlerException(call, e.what());
      } catch (...) {
        LogHandlerException(call, "unknown exception");
      }
      done(absl::InternalError("internal error"));
    }
  };

  // `rule`: the method's AuthRule, null for a method that needs no token.
  template <typename Fast, typename Body>
  grpc::ServerUnaryReactor* Run(grpc::CallbackServerContext* ctx, const AuthRule* rule, Fast fast,
                                Body body) {
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    // First of all, before the token is even looked at. Held until the call is finished:
    // by this frame, the worker's task or the call's CallCompletion, whichever finishes it.
    std::optional<InFlightLimit::Slot> slot = in_flight_.TryAcquire();
    if (!slot) {
      reactor->Finish(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                   absl::StrCat("server overloaded: ", in_flight_.limit(),
                                                " calls in progress already; retry with backoff")));
      return reactor;
    }
    if (!ready()) {
      FinishCall(reactor, *slot,
                 grpc::Status(grpc::StatusCode::UNAVAILABLE,
                              "service is starting or its database is unreachable; retry"));
      return reactor;
    }
    absl::StatusOr<CallContext> call = rule != nullptr ? Admit(ctx, *rule) : Anonymous(ctx);
    if (!call.ok()) {
      FinishCall(reactor, *slot, ToGrpcStatus(call.status()));
      return reactor;
    }
    if (fast(static_cast<const CallContext&>(*call), reactor, *slot)) return reactor;
    // Shared: the worker pool's tasks are std::function, which copies.
    auto held = std::make_shared<InFlightLimit::Slot>(std::move(*slot));
    auto task = [ctx, reactor, body = std::move(body), call = std::move(*call), held]() mutable {
      if (ctx->IsCancelled()) {
        FinishCall(reactor, *held, grpc::Status(grpc::StatusCode::CANCELLED, "call cancelled"));
        return;
      }
      if (std::chrono::system_clock::now() >= call.deadline) {
        FinishCall(
            reactor, *held,
            grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "deadline passed while queued"));
        return;
      }
      body(call, reactor, *held);
    };
    if (!pool_.TrySubmit(std::move(task))) {
      FinishCall(reactor, *held,
                 grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                              "server overloaded; retry with backoff"));
    }
    return reactor;
  }

  // Finishes a call, giving its in-flight slot back first: a caller that hears back may
  // call again at once and must find the slot free.
  static void FinishCall(grpc::ServerUnaryReactor* reactor, InFlightLimit::Slot& slot,
                         const grpc::Status& status) {
    slot.Release();
    reactor->Finish(status);
  }

  // Request id and deadline of a call, before authentication.
  static CallContext Anonymous(const grpc::CallbackServerContext* ctx);

  // Runs the handler; an escaping exception (a bug) becomes INTERNAL, logged, instead of
  // ending the process with the reactor never finished.
  template <typename Handler>
  static absl::Status RunHandler(Handler& handler, const CallContext& call) {
    try {
      return handler(call);
    } catch (const std::exception& e) {
      LogHandlerException(call, e.what());
    } catch (...) {
      LogHandlerException(call, "unknown exception");
    }
    return absl::InternalError("internal error");
  }
  static void LogHandlerException(const CallContext& call, const char* what);

  std::shared_ptr<const TokenVerifier> verifier_;
  const RevocationList* revocations_ = nullptr;
  Clock clock_;
  // Verified tokens until they expire (immutable, so safe; revocation is checked apart).
  mutable LocalCache<std::shared_ptr<const Principal>> token_cache_{16384};
  std::atomic<bool> ready_{false};
  InFlightLimit in_flight_;
  WorkerPool pool_;
};

template <typename Logic, typename Method, typename Request, typename Response>
grpc::ServerUnaryReactor* Dispatch(RpcRuntime& runtime, grpc::CallbackServerContext* ctx,
                                   const AuthRule& rule, Logic& logic, Method method,
                                   const Request* request, Response* response) {
  Logic* target = &logic;
  return runtime.Unary(ctx, rule, [target, method, request, response](const CallContext& call) {
    return Reply((target->*method)(call, *request), response);
  });
}

}  // namespace fangxian::common

#endif  // FANGXIAN_COMMON_RPC_H_
