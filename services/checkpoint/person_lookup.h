// The passage log's questions to identity, asked with the operator's token and the call's
// deadline (capped): who holds this pass or ID number, registering a visitor, and which
// area a vehicle belongs to. Blocking: call from worker threads (CachedPass excepted).
//
// The holders of passes are kept in memory for `pass_cache_ttl` (FX_PASSAGE_LOCAL_CACHE_MS,
// default 2 s; 0 disables): the staleness identity itself accepts for passes (its
// FX_LOCAL_CACHE_MS), so a revoked or superseded pass may still resolve for that long.
// ResolvePass answers any recording role for a pass from anywhere, so the cache is shared
// by every caller. Only resolved passes are kept, never a refusal.
#ifndef FANGXIAN_SERVICES_CHECKPOINT_PERSON_LOOKUP_H_
#define FANGXIAN_SERVICES_CHECKPOINT_PERSON_LOOKUP_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/local_cache.h"
#include "common/rpc.h"
#include "fangxian/checkpoint/v1/passages.pb.h"
#include "fangxian/identity/v1/households.grpc.pb.h"
#include "fangxian/identity/v1/identity.grpc.pb.h"

namespace fangxian::checkpoint {

// A person as identity describes them (masked ID number).
struct PersonAtGate {
  bool known = false;  // false: identity knows nobody (see PersonLookup)
  std::string resident_id;
  std::string name;
  std::string masked_id_number;
  bool visitor = false;
};

class PersonLookup {
 public:
  // `max_wait` caps each call below the caller's own deadline; when that cap (not the
  // caller's deadline) expires the answer is UNAVAILABLE (UpstreamFailure).
  PersonLookup(std::shared_ptr<grpc::Channel> identity, absl::Duration max_wait,
               absl::Duration pass_cache_ttl);

  // The holder of a pass from memory (never blocks); std::nullopt when not kept.
  // `*refresh` (optional) is set for the one caller that should call RefreshPass in the
  // background, the entry expiring within a quarter of the TTL.
  std::optional<PersonAtGate> CachedPass(const std::string& token, absl::Time now,
                                         bool* refresh = nullptr) const;
  // Resolves the pass again and keeps the answer (blocking; failures leave the entry to
  // lapse).
  void RefreshPass(const common::CallContext& call, const std::string& token, absl::Time now);
  // The holder of a pass. known = false when identity refuses the pass (forged, expired,
  // superseded: its INVALID_ARGUMENT); other failures pass through. Answers from memory
  // when it can; keeps a resolved pass until `now` + the cache's TTL.
  absl::StatusOr<PersonAtGate> ByPass(const common::CallContext& call, const std::string& token,
                                      absl::Time now);
  // The holder of an ID number. known = false when nobody is registered with it;
  // INVALID_ARGUMENT (a malformed number) and other failures pass through.
  absl::StatusOr<PersonAtGate> ByIdNumber(const common::CallContext& call,
                                          const std::string& id_number);
  // Registers a visitor in `area_code` (identity returns the existing person when the ID
  // number is registered already). Failures, INVALID_ARGUMENT included, pass through.
  absl::StatusOr<PersonAtGate> RegisterVisitor(const common::CallContext& call,
                                               const v1::VisitorRegistration& visitor,
                                               const std::string& area_code);
  // The area of the household a (normalised) plate is registered to; std::nullopt when
  // identity finds no vehicle the caller may see.
  absl::StatusOr<std::optional<std::string>> VehicleArea(const common::CallContext& call,
                                                         const std::string& plate);

 private:
  void Prepare(const common::CallContext& call, grpc::ClientContext* ctx) const;
  // Asks identity, keeping a resolved pass until `now` + the TTL.
  absl::StatusOr<PersonAtGate> ResolveAndKeep(const common::CallContext& call,
                                              const std::string& token, absl::Time now);

  std::unique_ptr<identity::v1::IdentityService::Stub> people_;
  std::unique_ptr<identity::v1::HouseholdService::Stub> households_;
  const absl::Duration max_wait_;
  const absl::Duration pass_cache_ttl_;
  common::LocalCache<PersonAtGate> passes_{65536};
};

}  // namespace fangxian::checkpoint

#endif  // FANGXIAN_SERVICES_CHECKPOINT_PERSON_LOOKUP_H_
