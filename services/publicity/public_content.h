// Public reading of live content (ListLiveContent, GetLiveContent): the business rules,
// independent of gRPC. Reads only the live copy (LiveStore); answers are kept in memory
// for `cache_ttl` (FX_PUBLICITY_LIVE_CACHE_MS), never past the next moment an item of the
// answer goes live or leaves, and a miss is filled once however many callers ask
// (docs/publicity.md, "Public reading and the cache").
#ifndef FANGXIAN_SERVICES_PUBLICITY_PUBLIC_CONTENT_H_
#define FANGXIAN_SERVICES_PUBLICITY_PUBLIC_CONTENT_H_

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/flight_cache.h"
#include "common/rpc.h"
#include "fangxian/publicity/v1/public_content.pb.h"
#include "services/publicity/live_store.h"
#include "services/publicity/view_counter.h"

namespace fangxian::publicity {

class PublicContent {
 public:
  // `views`: where successful GetLive reads are counted. `clock`: "now" for windows,
  // cache expiry and view days (RpcRuntime::Now in the server).
  PublicContent(LiveStore& store, ViewCounter& views, absl::Duration cache_ttl,
                common::RpcRuntime::Clock clock)
      : store_(store), views_(views), cache_ttl_(cache_ttl), clock_(std::move(clock)) {}

  // A list as cached and shared by every caller until it lapses: the
  // ListLiveContentResponse serialized once (the RPC sends these bytes as they are: no
  // copy of the message, no encoding and UTF-8 check of its texts per call).
  struct LiveList {
    std::string wire;
  };
  using SharedList = std::shared_ptr<const LiveList>;

  // ListLiveContent answered without blocking (input errors, cache hits), else
  // std::nullopt: then call List on a worker. `deadline`: the call's; a caller waiting
  // for another's read of the same answer gives up then (DEADLINE_EXCEEDED).
  std::optional<absl::StatusOr<SharedList>> TryList(
      const v1::ListLiveContentRequest& request) const;
  absl::StatusOr<SharedList> List(const v1::ListLiveContentRequest& request,
                                  std::chrono::system_clock::time_point deadline);

  // GetLiveContent likewise; a successful answer counts one view.
  std::optional<absl::StatusOr<v1::LiveContent>> TryGet(const v1::GetLiveContentRequest& request);
  absl::StatusOr<v1::LiveContent> Get(const v1::GetLiveContentRequest& request,
                                      std::chrono::system_clock::time_point deadline);

  // Drops every cached answer (wired to content changes on this replica: an approval or
  // an archive shows at once here, within cache_ttl on other replicas).
  void InvalidateAll();

 private:
  using ListAnswer = absl::StatusOr<LiveList>;
  // The list in `answer`, sharing its ownership, or its error.
  static absl::StatusOr<SharedList> Shared(std::shared_ptr<const ListAnswer> answer);
  // An item's live copy as GetLive needs it; `item` unset when the item has none.
  struct ItemAnswer {
    std::optional<v1::LiveContent> item;  // body included
    std::vector<std::string> area_codes;
    absl::Time publish_at;
    std::optional<absl::Time> expire_at;
  };
  using ItemValue = std::shared_ptr<const absl::StatusOr<ItemAnswer>>;

  // The answer to `request` for the item read (NOT_FOUND unless live for the area).
  absl::StatusOr<v1::LiveContent> Answer(const v1::GetLiveContentRequest& request,
                                         const ItemValue& value, absl::Time now);

  LiveStore& store_;
  ViewCounter& views_;
  const absl::Duration cache_ttl_;
  const common::RpcRuntime::Clock clock_;
  common::FlightCache<std::shared_ptr<const ListAnswer>> lists_{16384};
  common::FlightCache<ItemValue> items_{1024};  // bodies up to 64 KiB each
};

}  // namespace fangxian::publicity

#endif  // FANGXIAN_SERVICES_PUBLICITY_PUBLIC_CONTENT_H_
