#include "common/rpc.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/log.h"
#include "common/validate.h"

namespace fangxian::common {
namespace {

absl::string_view MetadataValue(const grpc::CallbackServerContext* ctx, absl::string_view key) {
  const auto& md = ctx->client_metadata();
  auto it = md.find(grpc::string_ref(key.data(), key.size()));
  if (it == md.end()) return {};
  return {it->second.data(), it->second.size()};
}

// Calls without a deadline get this one, so no work runs unbounded.
constexpr auto kDefaultDeadline = std::chrono::seconds(30);

}  // namespace

void PrepareOutgoing(const CallContext& call, grpc::ClientContext* out) {
  out->set_deadline(call.deadline);
  if (!call.request_id.empty()) out->AddMetadata(kRequestIdKey, call.request_id);
  if (!call.authorization.empty()) out->AddMetadata("authorization", call.authorization);
}

RpcRuntime::RpcRuntime(std::shared_ptr<const TokenVerifier> verifier, int workers,
                       size_t queue_limit, Clock clock)
    : verifier_(std::move(verifier)), clock_(std::move(clock)), pool_(workers, queue_limit) {}

absl::Status RequireScope(const CallContext& call, absl::string_view field,
                          absl::string_view area) {
  if (call.InScope(area)) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat(field, ": area ", area, " is outside your area scope"));
}

absl::StatusOr<std::vector<std::string>> ScopeAreas(const CallContext& call,
                                                    absl::string_view field,
                                                    absl::string_view area) {
  if (!area.empty()) {
    if (absl::Status s = RequireAreaPath(field, area); !s.ok()) return s;
    if (absl::Status s = RequireScope(call, field, area); !s.ok()) return s;
    return std::vector<std::string>{std::string(area)};
  }
  std::vector<std::string> roots = call.principal.ScopeRoots(call.roles);
  if (roots.empty()) {
    return absl::PermissionDeniedError("your grants for this method cover no area");
  }
  return roots;
}

bool ScopeOverlaps(const CallContext& call, absl::string_view area) {
  if (call.InScope(area)) return true;
  return std::any_of(
      call.principal.grants.begin(), call.principal.grants.end(), [&](const Grant& g) {
        const bool role_ok = call.roles.empty() || std::find(call.roles.begin(), call.roles.end(),
                                                             g.role) != call.roles.end();
        return role_ok && AreaWithin(g.area, area);
      });
}

void CallCompletion::State::Finish(absl::FunctionRef<absl::Status()> fill) {
  if (finished.exchange(true)) return;
  const grpc::Status status = ToGrpcStatus(fill());
  slot.Release();  // before the caller hears back, so its next call finds the slot free
  reactor->Finish(status);
}

CallCompletion::State::~State() {
  if (finished.load()) return;
  LogError("deferred call dropped without an answer", {{"request_id", request_id}});
  Finish([] { return absl::InternalError("internal error"); });
}

void RpcRuntime::LogHandlerException(const CallContext& call, const char* what) {
  LogError("handler threw an exception", {{"request_id", call.request_id}, {"error", what}});
}

CallContext RpcRuntime::Anonymous(const grpc::CallbackServerContext* ctx) {
  CallContext call;
  call.request_id = std::string(MetadataValue(ctx, kRequestIdKey));
  const auto now = std::chrono::system_clock::now();
  call.deadline = std::min(ctx->deadline(), now + kDefaultDeadline);
  return call;
}

absl::StatusOr<CallContext> RpcRuntime::Admit(const grpc::CallbackServerContext* ctx,
                                              const AuthRule& rule) const {
  CallContext call = Anonymous(ctx);
  call.authorization = std::string(MetadataValue(ctx, "authorization"));
  const absl::string_view token = BearerToken(call.authorization);
  if (token.empty()) {
    return absl::UnauthenticatedError(
        "missing credentials: send \"authorization: Bearer <access token>\"");
  }
  // Verified tokens are remembered until they expire (revocation is checked below, on
  // every call).
  const absl::Time now = clock_();
  std::optional<std::shared_ptr<const Principal>> cached = token_cache_.Find(token, now);
  absl::StatusOr<Principal> principal =
      cached ? absl::StatusOr<Principal>(**cached) : verifier_->Verify(token, now);
  if (!principal.ok()) return principal.status();
  if (!cached) {
    token_cache_.Insert(token, std::make_shared<const Principal>(*principal), principal->expires);
  }
  if (revocations_ != nullptr && !principal->session_id.empty() &&
      revocations_->IsRevoked(principal->session_id)) {
    return absl::UnauthenticatedError("this session has ended; log in again");
  }
  if (!rule.roles.empty() && !principal->HasAnyRole(rule.roles)) {
    return absl::PermissionDeniedError(
        absl::StrCat("this call needs one of the roles: ", absl::StrJoin(rule.roles, ", ")));
  }
  call.principal = std::move(*principal);
  call.roles = rule.roles;
  return call;
}

}  // namespace fangxian::common
