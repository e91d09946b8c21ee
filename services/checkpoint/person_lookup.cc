#include "services/checkpoint/person_lookup.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/status.h"
#include "common/upstream.h"

namespace fangxian::checkpoint {
namespace {

PersonAtGate FromSummary(const identity::v1::PersonSummary& s) {
  PersonAtGate p;
  p.known = true;
  p.resident_id = s.resident_id();
  p.name = s.name();
  p.masked_id_number = s.id_number();
  p.visitor = s.visitor();
  return p;
}

// identity's failure as ours (UNAVAILABLE when only our own cap on the wait expired).
absl::Status Upstream(const grpc::Status& st, const common::CallContext& call) {
  return common::UpstreamFailure(st, "identity", call.deadline);
}

}  // namespace

PersonLookup::PersonLookup(std::shared_ptr<grpc::Channel> identity, absl::Duration max_wait,
                           absl::Duration pass_cache_ttl)
    : people_(identity::v1::IdentityService::NewStub(identity)),
      households_(identity::v1::HouseholdService::NewStub(identity)),
      max_wait_(max_wait),
      pass_cache_ttl_(pass_cache_ttl) {}

std::optional<PersonAtGate> PersonLookup::CachedPass(const std::string& token, absl::Time now,
                                                     bool* refresh) const {
  if (refresh != nullptr) *refresh = false;
  if (pass_cache_ttl_ <= absl::ZeroDuration()) return std::nullopt;
  return passes_.Find(token, now, pass_cache_ttl_ / 4, refresh);
}

void PersonLookup::RefreshPass(const common::CallContext& call, const std::string& token,
                               absl::Time now) {
  (void)ResolveAndKeep(call, token, now);
}

void PersonLookup::Prepare(const common::CallContext& call, grpc::ClientContext* ctx) const {
  common::PrepareOutgoing(call, ctx);
  ctx->set_deadline(std::min(
      call.deadline, std::chrono::system_clock::now() + absl::ToChronoMilliseconds(max_wait_)));
}

absl::StatusOr<PersonAtGate> PersonLookup::ByPass(const common::CallContext& call,
                                                  const std::string& token, absl::Time now) {
  if (std::optional<PersonAtGate> kept = CachedPass(token, now)) return *std::move(kept);
  return ResolveAndKeep(call, token, now);
}

absl::StatusOr<PersonAtGate> PersonLookup::ResolveAndKeep(const common::CallContext& call,
                                                          const std::string& token,
                                                          absl::Time now) {
  grpc::ClientContext ctx;
  Prepare(call, &ctx);
  identity::v1::ResolvePassRequest req;
  req.set_token(token);
  identity::v1::PersonSummary out;
  grpc::Status st = people_->ResolvePass(&ctx, req, &out);
  if (st.ok()) {
    PersonAtGate person = FromSummary(out);
    if (pass_cache_ttl_ > absl::ZeroDuration())
      passes_.Insert(token, person, now + pass_cache_ttl_);
    return person;
  }
  if (st.error_code() == grpc::StatusCode::INVALID_ARGUMENT) return PersonAtGate{};
  return Upstream(st, call);
}

absl::StatusOr<PersonAtGate> PersonLookup::ByIdNumber(const common::CallContext& call,
                                                      const std::string& id_number) {
  grpc::ClientContext ctx;
  Prepare(call, &ctx);
  identity::v1::ResolveIdNumberRequest req;
  req.set_id_number(id_number);
  identity::v1::PersonSummary out;
  grpc::Status st = people_->ResolveIdNumber(&ctx, req, &out);
  if (st.ok()) return FromSummary(out);
  if (st.error_code() == grpc::StatusCode::NOT_FOUND) return PersonAtGate{};
  if (st.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
    // identity's message names its own field; ours is id_number too.
    return absl::InvalidArgumentError(st.error_message());
  }
  return Upstream(st, call);
}

absl::StatusOr<PersonAtGate> PersonLookup::RegisterVisitor(const common::CallContext& call,
                                                           const v1::VisitorRegistration& visitor,
                                                           const std::string& area_code) {
  grpc::ClientContext ctx;
  Prepare(call, &ctx);
  identity::v1::RegisterVisitorRequest req;
  req.set_name(visitor.name());
  req.set_id_number(visitor.id_number());
  req.set_phone(visitor.phone());
  req.set_area_code(area_code);
  identity::v1::Resident out;
  grpc::Status st = people_->RegisterVisitor(&ctx, req, &out);
  if (!st.ok()) {
    if (st.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
      // Name the field as the caller sent it: identity's "resident.id_number: ..." is our
      // "visitor.id_number: ...".
      const std::string full = st.error_message();
      absl::string_view message = full;
      absl::ConsumePrefix(&message, "resident.");
      return absl::InvalidArgumentError(absl::StrCat("visitor.", message));
    }
    return Upstream(st, call);
  }
  PersonAtGate p;
  p.known = true;
  p.resident_id = out.resident_id();
  p.name = out.name();
  p.masked_id_number = out.id_number();
  p.visitor = out.visitor();
  return p;
}

absl::StatusOr<std::optional<std::string>> PersonLookup::VehicleArea(
    const common::CallContext& call, const std::string& plate) {
  grpc::ClientContext ctx;
  Prepare(call, &ctx);
  identity::v1::LookupVehicleByPlateRequest req;
  req.set_plate(plate);
  identity::v1::LookupVehicleByPlateResponse out;
  grpc::Status st = households_->LookupVehicleByPlate(&ctx, req, &out);
  if (st.ok()) return std::optional<std::string>(out.area_code());
  if (st.error_code() == grpc::StatusCode::NOT_FOUND) return std::optional<std::string>();
  return Upstream(st, call);
}

}  // namespace fangxian::checkpoint
