// Resident passes (the QR code shown at checkpoints) and the person summary behind them.
//
// Token: "fxp1." base64url(payload) "." base64url(tag), where payload is the resident id
// (16 bytes), the pass version (4 bytes) and the expiry (8 bytes, Unix seconds), all
// big-endian, and tag is a 16-byte keyed BLAKE2b MAC under a key derived from
// FX_PII_HASH_KEY. Only identity resolves passes, so a MAC is enough (and cheap on the
// hot path); a new pass bumps the resident's pass_version, so earlier ones stop working.
#ifndef FANGXIAN_SERVICES_IDENTITY_PASSES_H_
#define FANGXIAN_SERVICES_IDENTITY_PASSES_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/local_cache.h"
#include "common/redis.h"
#include "common/rpc.h"
#include "fangxian/identity/v1/identity.pb.h"
#include "services/identity/pii_cipher.h"
#include "services/identity/resident_store.h"

namespace fangxian::identity {

struct PassClaims {
  std::string resident_id;  // canonical UUID text
  uint32_t version = 0;
  absl::Time expires;
};

class PassCodec {
 public:
  // `master_key`: 32 bytes (FX_PII_HASH_KEY); the MAC key is derived from it.
  explicit PassCodec(absl::string_view master_key);
  std::string Encode(const PassClaims& claims) const;
  // INVALID_ARGUMENT with the reason ("not a pass", "forged", "expired").
  absl::StatusOr<PassClaims> Decode(absl::string_view token, absl::Time now) const;

 private:
  std::string mac_key_;
};

// Redis key of a resident's cached summary (value: PersonSummary + pass version).
std::string PersonSummaryCacheKey(absl::string_view resident_id);

class Passes {
 public:
  // Summaries are cached in Redis for `cache_ttl` (shared by replicas, invalidated on
  // change) and in memory for `local_ttl` (a replaced pass may still resolve on another
  // replica for that long).
  Passes(ResidentStore& store, const PiiCipher& cipher, const PassCodec& codec,
         common::RedisPool* cache, absl::Duration pass_ttl, absl::Duration cache_ttl,
         absl::Duration local_ttl);

  absl::StatusOr<v1::Pass> Issue(const common::CallContext& call, const std::string& resident_id,
                                 absl::Time now);
  absl::StatusOr<v1::PersonSummary> Resolve(const std::string& token, absl::Time now);
  // Drops this replica's and the shared cached summary of a resident (after a change).
  void Forget(const std::string& resident_id);
  // Resolve without blocking: answers from memory (a bad token, or a summary held
  // locally), std::nullopt when Resolve must go to Redis or the database.
  std::optional<absl::StatusOr<v1::PersonSummary>> TryResolveFromMemory(const std::string& token,
                                                                        absl::Time now);
  absl::StatusOr<v1::PersonSummary> ResolveIdNumber(const std::string& id_number, absl::Time now);

 private:
  // The summary and current pass version, from the cache or the database (then cached).
  absl::StatusOr<std::pair<v1::PersonSummary, uint32_t>> Summary(const std::string& resident_id,
                                                                 absl::Time now);

  ResidentStore& store_;
  const PiiCipher& cipher_;
  const PassCodec& codec_;
  common::RedisPool* cache_;
  const absl::Duration pass_ttl_;
  const absl::Duration cache_ttl_;
  const absl::Duration local_ttl_;
  common::LocalCache<std::pair<v1::PersonSummary, uint32_t>> local_{65536};
};

}  // namespace fangxian::identity

#endif  // FANGXIAN_SERVICES_IDENTITY_PASSES_H_
