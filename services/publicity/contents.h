// Content items (notices, articles, videos, loudspeaker scripts, media reports) and their
// review workflow: the business rules, independent of gRPC. Takes plain values and the
// caller's identity; each change is one transaction that locks the item first.
#ifndef FANGXIAN_SERVICES_PUBLICITY_CONTENTS_H_
#define FANGXIAN_SERVICES_PUBLICITY_CONTENTS_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/pg.h"
#include "common/rpc.h"
#include "fangxian/publicity/v1/publicity.pb.h"
#include "services/publicity/area_directory.h"
#include "services/publicity/content_store.h"

namespace fangxian::publicity {

inline constexpr size_t kMaxBodyBytes = 65536;
inline constexpr size_t kMaxTargetAreas = 100;
inline constexpr size_t kMaxTitleChars = 200;
inline constexpr size_t kMaxSeriesChars = 50;
inline constexpr size_t kMaxTags = 20;
inline constexpr size_t kMaxTagChars = 30;
inline constexpr size_t kMaxOutletChars = 100;
inline constexpr size_t kMaxReviewCommentChars = 2000;
inline constexpr int kDefaultContentPageSize = 20;
inline constexpr int kMaxContentPageSize = 100;

// The input rules of CreateContent and UpdateContent that need neither a database nor a
// caller: INVALID_ARGUMENT naming the field (content.<name>), or OK. Output-only fields
// are ignored.
absl::Status ValidateNewContent(const v1::Content& in);

// The editable content of `in` (already validated), area codes in lexical order and
// times cut to the microsecond, as stored.
ContentBody ContentBodyFrom(const v1::Content& in);

// Workflow steps after creation, and the states each is allowed from.
enum class ContentStep { kUpdate, kRevise, kSubmit, kApprove, kReject, kArchive };
// FAILED_PRECONDITION saying what to do first, or OK:
//   update: DRAFT only (PUBLISHED/ARCHIVED → ReviseContent; IN_REVIEW → wait or reject);
//   revise: PUBLISHED or ARCHIVED; submit: DRAFT; approve, reject: IN_REVIEW;
//   archive: anything not ARCHIVED.
absl::Status CheckContentStep(ContentStep step, int state);
// ABORTED ("re-read and retry") unless `expected` is the item's `current` version.
absl::Status CheckExpectedVersion(int expected, int current);
// What must hold of the stored item to submit it, or to approve it, at `now`:
// FAILED_PRECONDITION when a VIDEO has no media_url or its expire_at is not after `now`.
absl::Status CheckReadyForReview(const ContentRow& row, absl::Time now);
// PERMISSION_DENIED when `reviewer` wrote the item, edited it last, or is one of
// `unreviewed_editors` (ContentStore::UnreviewedEditors: who edited a version after the
// last approved one): a reviewer passes only changes that are none of theirs.
absl::Status CheckReviewerIndependent(const ContentRow& row,
                                      const std::vector<std::string>& unreviewed_editors,
                                      absl::string_view reviewer);

v1::Content ContentToProto(const ContentRow& row);

class Contents {
 public:
  // `live_changed` (may be empty) runs after every commit that changed what the public
  // sees (publicity.live_contents): approval, archiving and expiry.
  Contents(common::PgPool& pg, ContentStore& store, AreaDirectory& areas,
           common::RpcRuntime::Clock clock, std::function<void()> live_changed)
      : pg_(pg),
        store_(store),
        areas_(areas),
        clock_(std::move(clock)),
        live_changed_(std::move(live_changed)) {}

  // Creates a draft authored by the caller, whose scope must cover every target area.
  absl::StatusOr<v1::Content> Create(const common::CallContext& call, const v1::Content& in);
  // The caller's scope must cover at least one target area of the item; otherwise
  // NOT_FOUND, as for a missing item (so is ListContentHistory).
  absl::StatusOr<v1::Content> Get(const common::CallContext& call, const std::string& content_id);
  absl::StatusOr<v1::Content> Update(const common::CallContext& call,
                                     const v1::UpdateContentRequest& req);
  absl::StatusOr<v1::Content> Revise(const common::CallContext& call,
                                     const v1::ReviseContentRequest& req);
  absl::StatusOr<v1::Content> Submit(const common::CallContext& call,
                                     const v1::SubmitForReviewRequest& req);
  absl::StatusOr<v1::Content> Approve(const common::CallContext& call,
                                      const v1::ApproveContentRequest& req);
  absl::StatusOr<v1::Content> Reject(const common::CallContext& call,
                                     const v1::RejectContentRequest& req);
  absl::StatusOr<v1::Content> Archive(const common::CallContext& call,
                                      const v1::ArchiveContentRequest& req);
  absl::StatusOr<v1::ListContentsResponse> List(const common::CallContext& call,
                                                const v1::ListContentsRequest& req);
  absl::StatusOr<v1::ListContentHistoryResponse> History(const common::CallContext& call,
                                                         const v1::ListContentHistoryRequest& req);

  // Removes live copies whose expiry has passed (a PUBLISHED item becomes ARCHIVED), in
  // batches, until none is left; for the periodic expiry task. Safe on several replicas
  // at once.
  absl::Status ExpireDue();

 private:
  // One workflow step in one transaction: checks content_id and expected_version, locks
  // the item (NOT_FOUND, also when the caller's scope covers none of its target areas),
  // checks the caller's scope covers every target area (of the working and the live copy;
  // PERMISSION_DENIED naming the area), the version and that `step` is allowed, then runs
  // `change(tx, row, now)`; `live` says whether the change touched the live copy (the
  // hook then runs after commit). Returns the item as committed.
  absl::StatusOr<v1::Content> Step(
      const common::CallContext& call, const std::string& content_id, int expected_version,
      ContentStep step,
      const std::function<absl::Status(common::PgConn&, const ContentRow&, absl::Time, bool*)>&
          change);
  // NOT_FOUND naming content.series unless the series is registered ("" passes).
  absl::Status RequireSeries(common::PgConn& conn, const std::string& series);

  common::PgPool& pg_;
  ContentStore& store_;
  AreaDirectory& areas_;
  common::RpcRuntime::Clock clock_;
  std::function<void()> live_changed_;
};

}  // namespace fangxian::publicity

#endif  // FANGXIAN_SERVICES_PUBLICITY_CONTENTS_H_
