// Resident registration and lookup: the business rules, independent of gRPC. Takes
// plain values and the caller's identity; returns the masked resident.
#ifndef FANGXIAN_SERVICES_IDENTITY_RESIDENTS_H_
#define FANGXIAN_SERVICES_IDENTITY_RESIDENTS_H_

#include <functional>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/redis.h"
#include "common/rpc.h"
#include "fangxian/identity/v1/identity.pb.h"
#include "services/identity/pii_cipher.h"
#include "services/identity/resident_store.h"

namespace fangxian::identity {

// Redis cache entry of a resident as returned to callers (masked), cache-aside.
// Key contract: docs/caching.md.
std::string ResidentCacheKey(absl::string_view resident_id);

// The answer for a missing resident and for one outside the caller's scope alike.
absl::Status ResidentNotFound();

class Residents {
 public:
  // `cache` may be null (no caching).
  Residents(ResidentStore& store, const PiiCipher& cipher, common::RedisPool* cache,
            absl::Duration cache_ttl);

  absl::StatusOr<v1::Resident> Create(const common::CallContext& call, const v1::Resident& in,
                                      absl::Time now);
  absl::StatusOr<v1::Resident> Get(const common::CallContext& call, const std::string& resident_id);
  // The full ID number and phone, for callers with pii.read and a stated purpose; the
  // read is audited before anything is returned.
  absl::StatusOr<v1::Resident> GetUnmasked(const common::CallContext& call,
                                           const std::string& resident_id,
                                           const std::string& purpose);

 private:
  ResidentStore& store_;
  const PiiCipher& cipher_;
  common::RedisPool* cache_;
  const absl::Duration cache_ttl_;
};

}  // namespace fangxian::identity

#endif  // FANGXIAN_SERVICES_IDENTITY_RESIDENTS_H_
