#include "services/checkpoint/pass_colour.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/log.h"

namespace fangxian::checkpoint {

std::string PassColourKey(absl::string_view resident_id) {
  return absl::StrCat("fx:quarantine:v1:pass:", resident_id);
}

v1::PassColour ParsePassColourWord(absl::string_view word) {
  if (word == "green") return v1::PASS_COLOUR_GREEN;
  if (word == "yellow") return v1::PASS_COLOUR_YELLOW;
  if (word == "red") return v1::PASS_COLOUR_RED;
  return v1::PASS_COLOUR_UNSPECIFIED;
}

PassColours::PassColours(common::RedisPool* redis, std::shared_ptr<grpc::Channel> quarantine,
                         absl::Duration max_wait, absl::Duration local_ttl)
    : redis_(redis),
      quarantine_(quarantine ? quarantine::v1::QuarantineService::NewStub(quarantine) : nullptr),
      max_wait_(max_wait),
      local_ttl_(std::min(local_ttl, kMaxColourCacheTtl)) {}

std::optional<v1::PassColour> PassColours::Cached(const std::string& resident_id, absl::Time now,
                                                  bool* refresh) const {
  if (refresh != nullptr) *refresh = false;
  if (local_ttl_ <= absl::ZeroDuration()) return std::nullopt;
  return kept_.Find(resident_id, now, local_ttl_ / 4, refresh);
}

v1::PassColour PassColours::Get(const common::CallContext& call, const std::string& resident_id,
                                absl::Time now) {
  if (std::optional<v1::PassColour> kept = Cached(resident_id, now)) return *kept;
  return FetchAndKeep(call, resident_id, now, For::kPassage);
}

void PassColours::Refresh(const common::CallContext& call, const std::string& resident_id,
                          absl::Time now) {
  (void)FetchAndKeep(call, resident_id, now, For::kRefresh);
}

v1::PassColour PassColours::FetchAndKeep(const common::CallContext& call,
                                         const std::string& resident_id, absl::Time now, For why) {
  const v1::PassColour colour = Fetch(call, resident_id, why);
  if (colour != v1::PASS_COLOUR_UNSPECIFIED && local_ttl_ > absl::ZeroDuration()) {
    kept_.Insert(resident_id, colour, now + local_ttl_);
  }
  return colour;
}

v1::PassColour PassColours::Fetch(const common::CallContext& call, const std::string& resident_id,
                                  For why) {
  if (redis_ != nullptr) {
    if (std::optional<std::string> word = redis_->Get(PassColourKey(resident_id))) {
      const v1::PassColour colour = ParsePassColourWord(*word);
      if (colour != v1::PASS_COLOUR_UNSPECIFIED) return colour;
    }
  }
  if (quarantine_ == nullptr) return v1::PASS_COLOUR_UNSPECIFIED;
  grpc::ClientContext ctx;
  common::PrepareOutgoing(call, &ctx);
  ctx.set_deadline(std::min(
      call.deadline, std::chrono::system_clock::now() + absl::ToChronoMilliseconds(max_wait_)));
  quarantine::v1::GetPassStatusRequest req;
  req.set_resident_id(resident_id);
  quarantine::v1::PassStatus out;
  grpc::Status st = quarantine_->GetPassStatus(&ctx, req, &out);
  if (!st.ok()) {
    // A refresh's failure refers no one: the kept colour serves until it lapses.
    common::LogWarning(
        why == For::kPassage ? "pass colour unavailable from quarantine; the passage is referred"
                             : "pass colour refresh from quarantine failed; the kept colour "
                               "serves until it lapses",
        {{"request_id", call.request_id}, {"code", static_cast<int64_t>(st.error_code())}});
    return v1::PASS_COLOUR_UNSPECIFIED;
  }
  switch (out.colour()) {
    case quarantine::v1::PASS_COLOUR_GREEN:
      return v1::PASS_COLOUR_GREEN;
    case quarantine::v1::PASS_COLOUR_YELLOW:
      return v1::PASS_COLOUR_YELLOW;
    case quarantine::v1::PASS_COLOUR_RED:
      return v1::PASS_COLOUR_RED;
    default:
      return v1::PASS_COLOUR_UNSPECIFIED;
  }
}

}  // namespace fangxian::checkpoint
