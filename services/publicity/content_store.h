// Storage of content items, their versions, reviews, live copies and the series registry
// behind a small interface; PgContentStore is the one that ships. Every method runs on a
// connection the caller holds, so one workflow step is one transaction.
#ifndef FANGXIAN_SERVICES_PUBLICITY_CONTENT_STORE_H_
#define FANGXIAN_SERVICES_PUBLICITY_CONTENT_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/paging.h"
#include "common/pg.h"

namespace fangxian::publicity {

// The editable content of an item, as in contents and content_versions.
struct ContentBody {
  int kind = 0;  // proto number of v1::ContentKind
  std::string title;
  std::string body;
  std::string media_url;
  std::string series;                   // "" for none
  std::vector<std::string> tags;        // in the order given
  std::vector<std::string> area_codes;  // in lexical order
  std::optional<int64_t> publish_at_micros;
  std::optional<int64_t> expire_at_micros;
  std::string outlet;
  int outlet_level = 0;  // proto number of v1::OutletLevel, 0 unless a media report
};

struct ContentRow {
  std::string content_id;
  ContentBody content;
  int state = 0;  // proto number of v1::ContentState
  std::string author;
  int64_t created_at_micros = 0;
  int version = 0;
  int live_version = 0;    // 0: nothing live
  std::string updated_by;  // the last editor of the content (workflow steps do not change it)
  int64_t updated_at_micros = 0;  // the last change of any kind
  std::optional<int64_t> first_published_at_micros;
  std::string review_comment;                // of the latest review decision
  std::vector<std::string> live_area_codes;  // target areas of the live copy, lexical order
};

struct ContentVersionRow {
  int version = 0;
  ContentBody content;
  std::string edited_by;
  int64_t edited_at_micros = 0;
};

struct ContentReviewRow {
  int version = 0;
  int decision = 0;  // proto number of v1::ReviewDecision
  std::string reviewer;
  std::string comment;
  int64_t decided_at_micros = 0;
};

// Filters of List; empty / 0: no filter.
struct ContentQuery {
  std::vector<std::string> areas;  // items targeting at or below any of these (at least one)
  int state = 0;
  int kind = 0;
  std::string series;
  std::optional<common::TimeIdPosition> after;  // (updated_at, content_id) of the last row seen
  int limit = 0;
};

struct SeriesRow {
  std::string name;
  std::string description;
  std::string created_by;
  int64_t created_at_micros = 0;
};

class ContentStore {
 public:
  virtual ~ContentStore() = default;

  // Inserts a DRAFT at version 1 with its target areas and its first snapshot, authored
  // and last edited by `author` at `now`; returns the new content_id.
  virtual absl::StatusOr<std::string> Insert(common::PgConn& tx, const ContentBody& content,
                                             const std::string& author, absl::Time now) = 0;
  // NOT_FOUND when absent. `lock`: SELECT ... FOR UPDATE of the item, for a change that
  // follows in the same transaction.
  virtual absl::StatusOr<ContentRow> Get(common::PgConn& conn, const std::string& content_id,
                                         bool lock) = 0;
  // Replaces the editable content (and target areas) of the item, sets its `version`,
  // `state` and last editor, and stores the snapshot of that version.
  virtual absl::Status SaveVersion(common::PgConn& tx, const std::string& content_id,
                                   const ContentBody& content, int version, int state,
                                   const std::string& editor, absl::Time now) = 0;
  // Sets the state (and, for IN_REVIEW, who submitted it).
  virtual absl::Status SetState(common::PgConn& tx, const std::string& content_id, int state,
                                const std::string& by, absl::Time now) = 0;
  // Makes the item's current version its live copy (replacing any), shown from its
  // publish_at or `now`; sets state PUBLISHED and live_version. first_published_at keeps
  // a time already passed (the item was public then); otherwise it becomes this copy's
  // start, the later of publish_at and `now`.
  virtual absl::Status Publish(common::PgConn& tx, const std::string& content_id,
                               const std::string& reviewer, absl::Time now) = 0;
  // Deletes the live copy, if any (true when there was one), and clears live_version,
  // and first_published_at when it is still after `now` (the copy never showed).
  virtual absl::StatusOr<bool> Unpublish(common::PgConn& tx, const std::string& content_id,
                                         absl::Time now) = 0;
  virtual absl::Status AddReview(common::PgConn& tx, const std::string& content_id,
                                 const ContentReviewRow& review) = 0;
  // Removes the live copies whose expire_at is at or before `now` (at most `limit`, rows
  // another transaction holds are skipped): a PUBLISHED item becomes ARCHIVED, a revision
  // in progress keeps its state; first_published_at as in Unpublish. Returns how many were
  // removed.
  virtual absl::StatusOr<int> ExpireDue(common::PgConn& tx, absl::Time now, int limit) = 0;

  // Most recently changed first (updated_at, then content_id, descending), bodies empty,
  // at most query.limit rows.
  virtual absl::StatusOr<std::vector<ContentRow>> List(common::PgConn& conn,
                                                       const ContentQuery& query) = 0;
  // Who edited a version after the last approved one (any version when none was ever
  // approved, the author's first included): the people whose changes no reviewer has
  // passed yet. Each once, in no particular order.
  virtual absl::StatusOr<std::vector<std::string>> UnreviewedEditors(
      common::PgConn& conn, const std::string& content_id) = 0;
  // Oldest first.
  virtual absl::StatusOr<std::vector<ContentVersionRow>> Versions(
      common::PgConn& conn, const std::string& content_id) = 0;
  virtual absl::StatusOr<std::vector<ContentReviewRow>> Reviews(common::PgConn& conn,
                                                                const std::string& content_id) = 0;

  virtual absl::StatusOr<bool> SeriesExists(common::PgConn& conn, const std::string& name) = 0;
  // ALREADY_EXISTS when the name is taken.
  virtual absl::StatusOr<SeriesRow> InsertSeries(common::PgConn& tx, const SeriesRow& row,
                                                 absl::Time now) = 0;
  // By name.
  virtual absl::StatusOr<std::vector<SeriesRow>> ListSeries(common::PgConn& conn) = 0;
};

class PgContentStore final : public ContentStore {
 public:
  absl::StatusOr<std::string> Insert(common::PgConn& tx, const ContentBody& content,
                                     const std::string& author, absl::Time now) override;
  absl::StatusOr<ContentRow> Get(common::PgConn& conn, const std::string& content_id,
                                 bool lock) override;
  absl::Status SaveVersion(common::PgConn& tx, const std::string& content_id,
                           const ContentBody& content, int version, int state,
                           const std::string& editor, absl::Time now) override;
  absl::Status SetState(common::PgConn& tx, const std::string& content_id, int state,
                        const std::string& by, absl::Time now) override;
  absl::Status Publish(common::PgConn& tx, const std::string& content_id,
                       const std::string& reviewer, absl::Time now) override;
  absl::StatusOr<bool> Unpublish(common::PgConn& tx, const std::string& content_id,
                                 absl::Time now) override;
  absl::Status AddReview(common::PgConn& tx, const std::string& content_id,
                         const ContentReviewRow& review) override;
  absl::StatusOr<int> ExpireDue(common::PgConn& tx, absl::Time now, int limit) override;
  absl::StatusOr<std::vector<ContentRow>> List(common::PgConn& conn,
                                               const ContentQuery& query) override;
  absl::StatusOr<std::vector<std::string>> UnreviewedEditors(
      common::PgConn& conn, const std::string& content_id) override;
  absl::StatusOr<std::vector<ContentVersionRow>> Versions(common::PgConn& conn,
                                                          const std::string& content_id) override;
  absl::StatusOr<std::vector<ContentReviewRow>> Reviews(common::PgConn& conn,
                                                        const std::string& content_id) override;
  absl::StatusOr<bool> SeriesExists(common::PgConn& conn, const std::string& name) override;
  absl::StatusOr<SeriesRow> InsertSeries(common::PgConn& tx, const SeriesRow& row,
                                         absl::Time now) override;
  absl::StatusOr<std::vector<SeriesRow>> ListSeries(common::PgConn& conn) override;
};

}  // namespace fangxian::publicity

#endif  // FANGXIAN_SERVICES_PUBLICITY_CONTENT_STORE_H_
