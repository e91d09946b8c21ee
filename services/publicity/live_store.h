// Reads of the live (published) copy of content: publicity.live_contents and
// live_content_areas, nothing else. PgLiveStore is the one that ships.
#ifndef FANGXIAN_SERVICES_PUBLICITY_LIVE_STORE_H_
#define FANGXIAN_SERVICES_PUBLICITY_LIVE_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/paging.h"
#include "common/pg.h"

namespace fangxian::publicity {

struct LiveRow {
  std::string content_id;
  int kind = 0;  // proto number of v1::ContentKind
  std::string title;
  // Get: the whole body. List: its start only, at least one character more than an
  // excerpt shows (so Excerpt knows whether it was cut).
  std::string body;
  std::string media_url;
  std::string series;  // "" when none
  std::vector<std::string> tags;
  absl::Time publish_at;
  std::optional<absl::Time> expire_at;
  std::string outlet;
  int outlet_level = 0;                 // proto number of v1::OutletLevel
  std::vector<std::string> area_codes;  // Get only: the target areas
};

struct LiveQuery {
  std::vector<std::string> areas;  // items targeting any of these (the area and its ancestors)
  std::string series;              // "" any
  int kind = 0;                    // 0 any
  int limit = 0;                   // rows to read at most
  std::optional<common::TimeIdPosition> after;  // keyset: rows after this one
  absl::Time now;                               // live at this time
};

struct LivePage {
  std::vector<LiveRow> rows;  // live at query.now, publish_at DESC then content_id
  // The first publish_at or expire_at after query.now among the items targeting
  // query.areas (any series or kind): when the answer may change by time alone.
  std::optional<absl::Time> next_change;
  bool series_known = true;  // false when query.series names no series
};

class LiveStore {
 public:
  virtual ~LiveStore() = default;
  virtual absl::StatusOr<LivePage> List(const LiveQuery& query) = 0;
  // The live copy of one item with its target areas, whatever its window; std::nullopt
  // when the item has none (never approved, archived, or no such item).
  virtual absl::StatusOr<std::optional<LiveRow>> Get(const std::string& content_id) = 0;
};

class PgLiveStore final : public LiveStore {
 public:
  explicit PgLiveStore(common::PgPool& pool) : pool_(pool) {}
  absl::StatusOr<LivePage> List(const LiveQuery& query) override;
  absl::StatusOr<std::optional<LiveRow>> Get(const std::string& content_id) override;

 private:
  common::PgPool& pool_;
};

}  // namespace fangxian::publicity

#endif  // FANGXIAN_SERVICES_PUBLICITY_LIVE_STORE_H_
