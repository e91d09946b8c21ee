// Resident registration and lookup: the business rules, independent of gRPC. Takes
// plain values and the caller's identity; returns the masked resident.
#ifndef FANGXIAN_SERVICES_IDENTITY_RESIDENTS_H_
#define FANGXIAN_SERVICES_IDENTITY_RESIDENTS_H_

#include <functional>
#include <string>
#include <vector>

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

// Fills the three stored forms of a normalised ID number (NormalizeIdNumber) into `row`:
// sealed under `cipher`, its keyed lookup hash and the masked text. The one place they are
// made, for the service and for tools that write residents (bench/seed.cc).
void SetIdNumber(const PiiCipher& cipher, absl::string_view normalized, ResidentRow* row);
// FAILED_PRECONDITION: the resident has moved out (no new pass, no changes).
absl::Status ResidentMovedOut();

// Validates an UpdateResident request without touching storage: the resident id, the
// mask (only "name", "phone", "area_code"; never "id_number") and the named fields.
// Returns the named fields, without duplicates, in that order.
absl::StatusOr<std::vector<std::string>> CheckResidentUpdate(const v1::UpdateResidentRequest& req);

// SearchResidents' page size: 0 means the default; over the maximum is refused.
inline constexpr int kDefaultResidentPageSize = 50;
inline constexpr int kMaxResidentPageSize = 200;

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
  // A visitor row in the checkpoint's area, or the person already registered with the ID
  // number (returned as is, nothing written).
  absl::StatusOr<v1::Resident> RegisterVisitor(const common::CallContext& call,
                                               const v1::RegisterVisitorRequest& req,
                                               absl::Time now);
  // Changes the fields named in the mask (CheckResidentUpdate), within the caller's scope
  // over both the current and the new area, audited; drops both cache entries.
  absl::StatusOr<v1::Resident> Update(const common::CallContext& call,
                                      const v1::UpdateResidentRequest& req);
  // Marks the resident moved out at `now` (the row stays), audited; drops both cache
  // entries.
  absl::StatusOr<v1::Resident> MoveOut(const common::CallContext& call,
                                       const v1::MoveOutResidentRequest& req, absl::Time now);
  // Residents at or below req.area_code (which the caller's scope must cover), masked.
  absl::StatusOr<v1::SearchResidentsResponse> Search(const common::CallContext& call,
                                                     const v1::SearchResidentsRequest& req,
                                                     absl::Time now);
  // Validates a new person and builds the row to insert (ID number sealed, hashed and
  // masked); the caller's scope must cover the area. Errors name the field
  // ("resident.phone ..."); bulk import reports them per CSV row.
  absl::StatusOr<ResidentRow> NewRow(const common::CallContext& call, const v1::Resident& in,
                                     absl::Time now) const;

 private:
  // Drops the Redis entries a change makes stale: the resident and the pass summary.
  // Passes' in-memory copy of the summary expires by itself (FX_LOCAL_CACHE_MS).
  void Invalidate(const std::string& resident_id);

  ResidentStore& store_;
  const PiiCipher& cipher_;
  common::RedisPool* cache_;
  const absl::Duration cache_ttl_;
};

}  // namespace fangxian::identity

#endif  // FANGXIAN_SERVICES_IDENTITY_RESIDENTS_H_
