// Pass status: each person's green / yellow / red colour with the reasons behind it, and
// its authoritative read (GetPassStatus), which also fills the shared Redis entry
// checkpoints read when it is missing (docs/caching.md, "Pass colour"). Colours are
// written by the colour engine (pass_colour_engine.h).
#ifndef FANGXIAN_SERVICES_QUARANTINE_PASS_STATUS_H_
#define FANGXIAN_SERVICES_QUARANTINE_PASS_STATUS_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/local_cache.h"
#include "common/redis.h"
#include "common/rpc.h"
#include "fangxian/quarantine/v1/quarantine.pb.h"
#include "services/quarantine/pass_status_store.h"

namespace fangxian::quarantine {

// How long a published colour lives in Redis: bounds how stale a copy missed by a failed
// write can be.
inline constexpr absl::Duration kPassColourTtl = absl::Seconds(600);

// "fx:quarantine:v1:pass:<resident_id>".
std::string PassColourCacheKey(absl::string_view resident_id);
// "green", "yellow" or "red" (the cached value); "" for anything else.
const char* PassColourWord(v1::PassColour colour);

class PassStatuses {
 public:
  // `cache` may be null (no Redis: nothing is published). `memory_ttl`: how long a row
  // read is kept in this process for GetPassStatus (0: not at all; FX_PASS_STATUS_CACHE_MS).
  PassStatuses(PassStatusStore& store, common::RedisPool* cache,
               absl::Duration memory_ttl = absl::ZeroDuration())
      : store_(store), cache_(cache), memory_ttl_(memory_ttl), memory_(100000) {}

  // The colour of `resident_id` (GREEN without reasons when nothing is recorded), and
  // publishes it to Redis. Staff roles of the method see anyone's colour; a resident
  // their own and those of the fellow members of an active isolation order they are in
  // (one membership query, only then). Reasons only for the resident, those fellow
  // members, and grid workers and admins whose scope covers the person's area.
  absl::StatusOr<v1::PassStatus> Get(const common::CallContext& call,
                                     const std::string& resident_id, absl::Time now);

  // Get answered from this process's memory without blocking (the gRPC thread's fast
  // path): the answer, or std::nullopt when the row is not in memory.
  std::optional<absl::StatusOr<v1::PassStatus>> TryGetFromMemory(const common::CallContext& call,
                                                                 const std::string& resident_id,
                                                                 absl::Time now);

  // Drops people from memory after their colour or reasons changed here; other replicas
  // may answer from memory for up to memory_ttl.
  void Forget(const std::vector<std::string>& resident_ids);

 private:
  // Fills the shared entry if it is missing (SET NX).
  void FillCache(const std::string& resident_id, v1::PassColour colour);

  // `household`: the caller is a fellow member of the person's active order (sees the
  // reasons, as the person does).
  absl::StatusOr<v1::PassStatus> Answer(const common::CallContext& call,
                                        const std::string& resident_id,
                                        const std::optional<PassStatusRow>& row,
                                        bool household) const;

  PassStatusStore& store_;
  common::RedisPool* cache_;
  const absl::Duration memory_ttl_;
  // resident_id -> the row (nullopt: none, GREEN).
  common::LocalCache<std::optional<PassStatusRow>> memory_;
};

}  // namespace fangxian::quarantine

#endif  // FANGXIAN_SERVICES_QUARANTINE_PASS_STATUS_H_
