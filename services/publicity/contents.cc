#include "services/publicity/contents.h"

#include <algorithm>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/paging.h"
#include "common/validate.h"
#include "google/protobuf/util/time_util.h"
#include "services/publicity/media_url.h"

namespace fangxian::publicity {
namespace {

using google::protobuf::util::TimeUtil;

template <typename Mutable>
void SetTime(const std::optional<int64_t>& micros, Mutable mutable_field) {
  if (micros) *mutable_field() = TimeUtil::MicrosecondsToTimestamp(*micros);
}

// The body is free text or markdown, so line breaks and tabs are allowed; it must still be
// UTF-8 without NUL, which PostgreSQL text cannot hold (it would be cut short).
absl::Status ValidateBody(absl::string_view body) {
  if (body.size() > kMaxBodyBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("content.body is too long (at most ", kMaxBodyBytes, " bytes)"));
  }
  if (common::Utf8Length(body) < 0) {
    return absl::InvalidArgumentError("content.body is not valid UTF-8");
  }
  if (body.find('\0') != absl::string_view::npos) {
    return absl::InvalidArgumentError("content.body must not contain NUL characters");
  }
  return absl::OkStatus();
}

absl::Status ValidateTags(const google::protobuf::RepeatedPtrField<std::string>& tags) {
  if (static_cast<size_t>(tags.size()) > kMaxTags) {
    return absl::InvalidArgumentError(
        absl::StrCat("content.tags: at most ", kMaxTags, " tags (got ", tags.size(), ")"));
  }
  std::set<std::string> seen;
  for (const std::string& tag : tags) {
    if (auto s = common::RequireText("content.tags", tag, kMaxTagChars); !s.ok()) return s;
    if (!seen.insert(tag).second) {
      return absl::InvalidArgumentError(absl::StrCat("content.tags: \"", tag, "\" is repeated"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateOutlet(const v1::Content& in) {
  if (in.kind() != v1::CONTENT_KIND_MEDIA_REPORT) {
    if (!in.outlet().empty() || in.outlet_level() != v1::OUTLET_LEVEL_UNSPECIFIED) {
      return absl::InvalidArgumentError(
          "content.outlet and content.outlet_level are for media reports only; leave them "
          "empty for other kinds");
    }
    return absl::OkStatus();
  }
  if (auto s = common::RequireText("content.outlet", in.outlet(), kMaxOutletChars); !s.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(s.message(), " (a media report names the outlet that ran it)"));
  }
  if (in.outlet_level() == v1::OUTLET_LEVEL_UNSPECIFIED ||
      !v1::OutletLevel_IsValid(in.outlet_level())) {
    return absl::InvalidArgumentError(
        "content.outlet_level must be NATIONAL, PROVINCE, CITY or COUNTY for a media report");
  }
  return absl::OkStatus();
}

absl::Status ValidateWindow(const v1::Content& in) {
  std::optional<int64_t> publish;
  std::optional<int64_t> expire;
  if (in.has_publish_time()) {
    absl::StatusOr<absl::Time> t =
        common::RequireTimestamp("content.publish_time", in.publish_time());
    if (!t.ok()) return t.status();
    publish = absl::ToUnixMicros(*t);
  }
  if (in.has_expire_time()) {
    absl::StatusOr<absl::Time> t =
        common::RequireTimestamp("content.expire_time", in.expire_time());
    if (!t.ok()) return t.status();
    expire = absl::ToUnixMicros(*t);
  }
  if (publish && expire && *expire <= *publish) {
    return absl::InvalidArgumentError("content.expire_time must be after content.publish_time");
  }
  return absl::OkStatus();
}

std::optional<int64_t> MicrosOf(bool has, const google::protobuf::Timestamp& ts) {
  if (!has) return std::nullopt;
  return absl::ToUnixMicros(absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos()));
}

// What a caller outside every target area of an item hears, as for a missing one.
constexpr char kContentNotFound[] = "content_id: no content item with this id";

const std::vector<std::string>& TargetAreas(const ContentRow& row) {
  return row.content.area_codes;
}

// The item read by id when the caller's scope covers at least one of its target areas;
// NOT_FOUND (kContentNotFound) both when it does not and when there is no such item.
absl::StatusOr<ContentRow> Visible(const common::CallContext& call,
                                   absl::StatusOr<ContentRow> row) {
  return common::VisibleInAnyOrNotFound(call, std::move(row), kContentNotFound, TargetAreas);
}

absl::Status RequireExpectedVersion(int expected) {
  if (expected < 1) {
    return absl::InvalidArgumentError(
        "expected_version is required: the version you read (Content.version)");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateNewContent(const v1::Content& in) {
  if (in.kind() == v1::CONTENT_KIND_UNSPECIFIED) {
    return absl::InvalidArgumentError("content.kind is required");
  }
  // proto3 enums are open: an unknown number arrives intact and must be refused here.
  if (!v1::ContentKind_IsValid(in.kind())) {
    return absl::InvalidArgumentError(
        absl::StrCat("content.kind ", in.kind(), " is not a known ContentKind"));
  }
  if (auto s = common::RequireText("content.title", in.title(), kMaxTitleChars); !s.ok()) return s;
  if (auto s = ValidateBody(in.body()); !s.ok()) return s;
  if (auto s = common::RequireText("content.series", in.series(), kMaxSeriesChars,
                                   /*required=*/false);
      !s.ok()) {
    return s;
  }
  if (auto s = common::RequireAreaPaths("content.area_codes", in.area_codes(), kMaxTargetAreas);
      !s.ok()) {
    return s;
  }
  if (!in.media_url().empty()) {
    if (auto s = CheckMediaUrl("content.media_url", in.media_url()); !s.ok()) return s;
  }
  if (auto s = ValidateWindow(in); !s.ok()) return s;
  if (auto s = ValidateTags(in.tags()); !s.ok()) return s;
  return ValidateOutlet(in);
}

ContentBody ContentBodyFrom(const v1::Content& in) {
  ContentBody c;
  c.kind = in.kind();
  c.title = in.title();
  c.body = in.body();
  c.media_url = in.media_url();
  c.series = in.series();
  c.tags.assign(in.tags().begin(), in.tags().end());
  c.area_codes.assign(in.area_codes().begin(), in.area_codes().end());
  std::sort(c.area_codes.begin(), c.area_codes.end());
  c.publish_at_micros = MicrosOf(in.has_publish_time(), in.publish_time());
  c.expire_at_micros = MicrosOf(in.has_expire_time(), in.expire_time());
  c.outlet = in.outlet();
  c.outlet_level = in.outlet_level();
  return c;
}

absl::Status CheckContentStep(ContentStep step, int state) {
  const bool draft = state == v1::CONTENT_STATE_DRAFT;
  const bool in_review = state == v1::CONTENT_STATE_IN_REVIEW;
  const bool published = state == v1::CONTENT_STATE_PUBLISHED;
  const bool archived = state == v1::CONTENT_STATE_ARCHIVED;
  switch (step) {
    case ContentStep::kUpdate:
    case ContentStep::kSubmit:
      if (draft) return absl::OkStatus();
      if (in_review) {
        return absl::FailedPreconditionError(
            "this item is IN_REVIEW; wait for the review, or have a reviewer reject it "
            "(RejectContent), before changing it");
      }
      if (step == ContentStep::kSubmit && published) {
        return absl::FailedPreconditionError(
            "this item is already PUBLISHED; call ReviseContent to open a new version");
      }
      return absl::FailedPreconditionError(
          absl::StrCat("this item is ", published ? "PUBLISHED" : "ARCHIVED",
                       "; call ReviseContent to open a new version as a draft, then edit that"));
    case ContentStep::kRevise:
      if (published || archived) return absl::OkStatus();
      if (draft) {
        return absl::FailedPreconditionError(
            "this item is already a DRAFT; edit it with UpdateContent");
      }
      return absl::FailedPreconditionError(
          "this item is IN_REVIEW; wait for the review, or have it rejected, first");
    case ContentStep::kApprove:
    case ContentStep::kReject:
      if (in_review) return absl::OkStatus();
      return absl::FailedPreconditionError(
          draft ? "this item is a DRAFT; it must be submitted for review (SubmitForReview) first"
                : "this item is not IN_REVIEW; only an item submitted for review is decided");
    case ContentStep::kArchive:
      if (!archived) return absl::OkStatus();
      return absl::FailedPreconditionError("this item is already ARCHIVED");
  }
  return absl::InternalError("unknown workflow step");
}

absl::Status CheckExpectedVersion(int expected, int current) {
  if (expected == current) return absl::OkStatus();
  return absl::AbortedError(absl::StrCat("expected_version ", expected,
                                         " is stale: the item is at version ", current,
                                         "; re-read and retry"));
}

absl::Status CheckReadyForReview(const ContentRow& row, absl::Time now) {
  if (row.content.kind == v1::CONTENT_KIND_VIDEO && row.content.media_url.empty()) {
    return absl::FailedPreconditionError(
        "a VIDEO needs content.media_url before it is submitted; update the draft first");
  }
  if (row.content.expire_at_micros && *row.content.expire_at_micros <= absl::ToUnixMicros(now)) {
    return absl::FailedPreconditionError(
        "content.expire_time has passed; update the draft with a later expire_time (or none)");
  }
  return absl::OkStatus();
}

absl::Status CheckReviewerIndependent(const ContentRow& row,
                                      const std::vector<std::string>& unreviewed_editors,
                                      absl::string_view reviewer) {
  if (row.author == reviewer || row.updated_by == reviewer ||
      std::find(unreviewed_editors.begin(), unreviewed_editors.end(), reviewer) !=
          unreviewed_editors.end()) {
    return absl::PermissionDeniedError(
        "a reviewer may not publish their own item (you wrote it, or edited a version since "
        "it was last approved); another reviewer must approve it");
  }
  return absl::OkStatus();
}

v1::Content ContentToProto(const ContentRow& row) {
  v1::Content out;
  const ContentBody& c = row.content;
  out.set_content_id(row.content_id);
  out.set_kind(static_cast<v1::ContentKind>(c.kind));
  out.set_title(c.title);
  out.set_body(c.body);
  out.set_series(c.series);
  for (const std::string& area : c.area_codes) out.add_area_codes(area);
  out.set_state(static_cast<v1::ContentState>(row.state));
  out.set_author(row.author);
  *out.mutable_create_time() = TimeUtil::MicrosecondsToTimestamp(row.created_at_micros);
  out.set_media_url(c.media_url);
  SetTime(c.publish_at_micros, [&out] { return out.mutable_publish_time(); });
  SetTime(c.expire_at_micros, [&out] { return out.mutable_expire_time(); });
  for (const std::string& tag : c.tags) out.add_tags(tag);
  out.set_outlet(c.outlet);
  out.set_outlet_level(static_cast<v1::OutletLevel>(c.outlet_level));
  out.set_version(row.version);
  out.set_live_version(row.live_version);
  *out.mutable_update_time() = TimeUtil::MicrosecondsToTimestamp(row.updated_at_micros);
  out.set_updated_by(row.updated_by);
  SetTime(row.first_published_at_micros, [&out] { return out.mutable_first_publish_time(); });
  out.set_review_comment(row.review_comment);
  return out;
}

absl::Status Contents::RequireSeries(common::PgConn& conn, const std::string& series) {
  if (series.empty()) return absl::OkStatus();
  absl::StatusOr<bool> known = store_.SeriesExists(conn, series);
  if (!known.ok()) return known.status();
  if (!*known) {
    return absl::NotFoundError(absl::StrCat("content.series: there is no series \"", series,
                                            "\" (ListSeries lists them; CreateSeries adds one)"));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Content> Contents::Create(const common::CallContext& call,
                                             const v1::Content& in) {
  if (auto s = ValidateNewContent(in); !s.ok()) return s;
  if (auto s = common::RequireScopeAll(call, "content.area_codes", in.area_codes()); !s.ok()) {
    return s;
  }
  const ContentBody content = ContentBodyFrom(in);
  // Asked of identity before the transaction, so no connection waits on it.
  if (auto s = areas_.RequireKnown(call, "content.area_codes", content.area_codes); !s.ok()) {
    return s;
  }
  const absl::Time now = clock_();
  ContentRow stored;
  absl::Status s = pg_.Transaction([&](common::PgConn& tx) -> absl::Status {
    if (auto st = RequireSeries(tx, content.series); !st.ok()) return st;
    absl::StatusOr<std::string> id = store_.Insert(tx, content, call.principal.subject, now);
    if (!id.ok()) return id.status();
    absl::StatusOr<ContentRow> row = store_.Get(tx, *id, /*lock=*/false);
    if (!row.ok()) return row.status();
    stored = *std::move(row);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return ContentToProto(stored);
}

absl::StatusOr<v1::Content> Contents::Get(const common::CallContext& call,
                                          const std::string& content_id) {
  if (auto s = common::RequireUuid("content_id", content_id); !s.ok()) return s;
  absl::StatusOr<common::PgConn> conn = pg_.Acquire();
  if (!conn.ok()) return conn.status();
  absl::StatusOr<ContentRow> row = Visible(call, store_.Get(*conn, content_id, /*lock=*/false));
  if (!row.ok()) return row.status();
  return ContentToProto(*row);
}

absl::StatusOr<v1::Content> Contents::Step(
    const common::CallContext& call, const std::string& content_id, int expected_version,
    ContentStep step,
    const std::function<absl::Status(common::PgConn&, const ContentRow&, absl::Time, bool*)>&
        change) {
  if (auto s = common::RequireUuid("content_id", content_id); !s.ok()) return s;
  if (auto s = RequireExpectedVersion(expected_version); !s.ok()) return s;
  const absl::Time now = clock_();
  bool live_changed = false;
  ContentRow after;
  absl::Status s = pg_.Transaction([&](common::PgConn& tx) -> absl::Status {
    absl::StatusOr<ContentRow> row = Visible(call, store_.Get(tx, content_id, /*lock=*/true));
    if (!row.ok()) return row.status();
    // Writers need every area the item reaches: where it is targeted and where its live
    // copy shows. (Only now may a message name an area: the caller sees the item.)
    if (auto st = common::RequireScopeAll(call, "content.area_codes", row->content.area_codes);
        !st.ok()) {
      return st;
    }
    if (auto st = common::RequireScopeAll(call, "live copy area_codes", row->live_area_codes);
        !st.ok()) {
      return st;
    }
    if (auto st = CheckExpectedVersion(expected_version, row->version); !st.ok()) return st;
    if (auto st = CheckContentStep(step, row->state); !st.ok()) return st;
    if (auto st = change(tx, *row, now, &live_changed); !st.ok()) return st;
    absl::StatusOr<ContentRow> changed = store_.Get(tx, content_id, /*lock=*/false);
    if (!changed.ok()) return changed.status();
    after = *std::move(changed);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  if (live_changed && live_changed_) live_changed_();
  return ContentToProto(after);
}

absl::StatusOr<v1::Content> Contents::Update(const common::CallContext& call,
                                             const v1::UpdateContentRequest& req) {
  if (auto s = common::RequireUuid("content_id", req.content_id()); !s.ok()) return s;
  if (auto s = RequireExpectedVersion(req.expected_version()); !s.ok()) return s;
  if (auto s = ValidateNewContent(req.content()); !s.ok()) return s;
  if (auto s = common::RequireScopeAll(call, "content.area_codes", req.content().area_codes());
      !s.ok()) {
    return s;
  }
  const ContentBody content = ContentBodyFrom(req.content());
  if (auto s = areas_.RequireKnown(call, "content.area_codes", content.area_codes); !s.ok()) {
    return s;
  }
  return Step(call, req.content_id(), req.expected_version(), ContentStep::kUpdate,
              [&](common::PgConn& tx, const ContentRow& row, absl::Time now, bool*) {
                if (auto s = RequireSeries(tx, content.series); !s.ok()) return s;
                return store_.SaveVersion(tx, row.content_id, content, row.version + 1,
                                          v1::CONTENT_STATE_DRAFT, call.principal.subject, now);
              });
}

absl::StatusOr<v1::Content> Contents::Revise(const common::CallContext& call,
                                             const v1::ReviseContentRequest& req) {
  // The live copy stays as it is until the revision is approved.
  return Step(call, req.content_id(), req.expected_version(), ContentStep::kRevise,
              [&](common::PgConn& tx, const ContentRow& row, absl::Time now, bool*) {
                return store_.SaveVersion(tx, row.content_id, row.content, row.version + 1,
                                          v1::CONTENT_STATE_DRAFT, call.principal.subject, now);
              });
}

absl::StatusOr<v1::Content> Contents::Submit(const common::CallContext& call,
                                             const v1::SubmitForReviewRequest& req) {
  return Step(call, req.content_id(), req.expected_version(), ContentStep::kSubmit,
              [&](common::PgConn& tx, const ContentRow& row, absl::Time now, bool*) {
                if (auto s = CheckReadyForReview(row, now); !s.ok()) return s;
                return store_.SetState(tx, row.content_id, v1::CONTENT_STATE_IN_REVIEW,
                                       call.principal.subject, now);
              });
}

absl::StatusOr<v1::Content> Contents::Approve(const common::CallContext& call,
                                              const v1::ApproveContentRequest& req) {
  if (auto s = common::RequireMultilineText("comment", req.comment(), kMaxReviewCommentChars,
                                            /*required=*/false);
      !s.ok()) {
    return s;
  }
  return Step(
      call, req.content_id(), req.expected_version(), ContentStep::kApprove,
      [&](common::PgConn& tx, const ContentRow& row, absl::Time now, bool* live) {
        absl::StatusOr<std::vector<std::string>> editors =
            store_.UnreviewedEditors(tx, row.content_id);
        if (!editors.ok()) return editors.status();
        if (auto s = CheckReviewerIndependent(row, *editors, call.principal.subject); !s.ok()) {
          return s;
        }
        if (auto s = CheckReadyForReview(row, now); !s.ok()) return s;
        if (auto s = store_.Publish(tx, row.content_id, call.principal.subject, now); !s.ok()) {
          return s;
        }
        *live = true;
        ContentReviewRow review;
        review.version = row.version;
        review.decision = v1::REVIEW_DECISION_APPROVED;
        review.reviewer = call.principal.subject;
        review.comment = req.comment();
        review.decided_at_micros = absl::ToUnixMicros(now);
        return store_.AddReview(tx, row.content_id, review);
      });
}

absl::StatusOr<v1::Content> Contents::Reject(const common::CallContext& call,
                                             const v1::RejectContentRequest& req) {
  if (auto s = common::RequireMultilineText("comment", req.comment(), kMaxReviewCommentChars);
      !s.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(s.message(), " (a rejection says what to change)"));
  }
  return Step(call, req.content_id(), req.expected_version(), ContentStep::kReject,
              [&](common::PgConn& tx, const ContentRow& row, absl::Time now, bool*) {
                // A live earlier version stays live: only the working copy goes back.
                if (auto s = store_.SetState(tx, row.content_id, v1::CONTENT_STATE_DRAFT,
                                             call.principal.subject, now);
                    !s.ok()) {
                  return s;
                }
                ContentReviewRow review;
                review.version = row.version;
                review.decision = v1::REVIEW_DECISION_REJECTED;
                review.reviewer = call.principal.subject;
                review.comment = req.comment();
                review.decided_at_micros = absl::ToUnixMicros(now);
                return store_.AddReview(tx, row.content_id, review);
              });
}

absl::StatusOr<v1::Content> Contents::Archive(const common::CallContext& call,
                                              const v1::ArchiveContentRequest& req) {
  return Step(call, req.content_id(), req.expected_version(), ContentStep::kArchive,
              [&](common::PgConn& tx, const ContentRow& row, absl::Time now, bool* live) {
                absl::StatusOr<bool> had_live = store_.Unpublish(tx, row.content_id, now);
                if (!had_live.ok()) return had_live.status();
                *live = *had_live;
                return store_.SetState(tx, row.content_id, v1::CONTENT_STATE_ARCHIVED,
                                       call.principal.subject, now);
              });
}

absl::StatusOr<v1::ListContentsResponse> Contents::List(const common::CallContext& call,
                                                        const v1::ListContentsRequest& req) {
  ContentQuery query;
  absl::StatusOr<std::vector<std::string>> areas =
      common::ScopeAreas(call, "area_code", req.area_code());
  if (!areas.ok()) return areas.status();
  query.areas = *std::move(areas);
  if (!v1::ContentState_IsValid(req.state())) {
    return absl::InvalidArgumentError(
        "state must be DRAFT, IN_REVIEW, PUBLISHED or ARCHIVED (or unset)");
  }
  query.state = req.state();
  if (!v1::ContentKind_IsValid(req.kind())) {
    return absl::InvalidArgumentError(
        absl::StrCat("kind ", req.kind(), " is not a known ContentKind"));
  }
  query.kind = req.kind();
  if (auto s = common::RequireText("series", req.series(), kMaxSeriesChars, /*required=*/false);
      !s.ok()) {
    return s;
  }
  query.series = req.series();
  absl::StatusOr<int> page_size =
      common::PageSize(req.page_size(), kDefaultContentPageSize, kMaxContentPageSize);
  if (!page_size.ok()) return page_size.status();
  absl::StatusOr<std::optional<common::TimeIdPosition>> after =
      common::DecodeTimeIdPageToken(req.page_token());
  if (!after.ok()) return after.status();
  query.after = *std::move(after);
  query.limit = *page_size + 1;

  absl::StatusOr<common::PgConn> conn = pg_.Acquire();
  if (!conn.ok()) return conn.status();
  absl::StatusOr<std::vector<ContentRow>> rows = store_.List(*conn, query);
  if (!rows.ok()) return rows.status();
  v1::ListContentsResponse out;
  const size_t shown = common::TakePage(
      *rows, *page_size,
      [](const ContentRow& last) {
        return common::EncodeTimeIdPageToken(last.updated_at_micros, last.content_id);
      },
      out.mutable_next_page_token());
  for (size_t i = 0; i < shown; ++i) *out.add_contents() = ContentToProto((*rows)[i]);
  return out;
}

absl::StatusOr<v1::ListContentHistoryResponse> Contents::History(
    const common::CallContext& call, const v1::ListContentHistoryRequest& req) {
  if (auto s = common::RequireUuid("content_id", req.content_id()); !s.ok()) return s;
  absl::StatusOr<common::PgConn> conn = pg_.Acquire();
  if (!conn.ok()) return conn.status();
  absl::StatusOr<ContentRow> row =
      Visible(call, store_.Get(*conn, req.content_id(), /*lock=*/false));
  if (!row.ok()) return row.status();
  absl::StatusOr<std::vector<ContentVersionRow>> versions =
      store_.Versions(*conn, req.content_id());
  if (!versions.ok()) return versions.status();
  absl::StatusOr<std::vector<ContentReviewRow>> reviews = store_.Reviews(*conn, req.content_id());
  if (!reviews.ok()) return reviews.status();
  v1::ListContentHistoryResponse out;
  for (const ContentVersionRow& v : *versions) {
    v1::ContentVersion* p = out.add_versions();
    const ContentBody& c = v.content;
    p->set_version(v.version);
    p->set_kind(static_cast<v1::ContentKind>(c.kind));
    p->set_title(c.title);
    p->set_body(c.body);
    p->set_media_url(c.media_url);
    p->set_series(c.series);
    for (const std::string& tag : c.tags) p->add_tags(tag);
    for (const std::string& area : c.area_codes) p->add_area_codes(area);
    SetTime(c.publish_at_micros, [p] { return p->mutable_publish_time(); });
    SetTime(c.expire_at_micros, [p] { return p->mutable_expire_time(); });
    p->set_outlet(c.outlet);
    p->set_outlet_level(static_cast<v1::OutletLevel>(c.outlet_level));
    p->set_edited_by(v.edited_by);
    *p->mutable_edit_time() = TimeUtil::MicrosecondsToTimestamp(v.edited_at_micros);
  }
  for (const ContentReviewRow& r : *reviews) {
    v1::ContentReview* p = out.add_reviews();
    p->set_version(r.version);
    p->set_decision(static_cast<v1::ReviewDecision>(r.decision));
    p->set_reviewer(r.reviewer);
    p->set_comment(r.comment);
    *p->mutable_decide_time() = TimeUtil::MicrosecondsToTimestamp(r.decided_at_micros);
  }
  return out;
}

absl::Status Contents::ExpireDue() {
  constexpr int kBatch = 500;
  int total = 0;
  absl::StatusOr<int> n;
  do {
    const absl::Time now = clock_();
    n = 0;
    absl::Status s = pg_.Transaction([&](common::PgConn& tx) -> absl::Status {
      n = store_.ExpireDue(tx, now, kBatch);
      return n.status();
    });
    if (!s.ok()) {
      n = s;
      break;
    }
    total += *n;
  } while (*n == kBatch);
  // Anything removed before a failure is committed: tell the readers either way.
  if (total > 0 && live_changed_) live_changed_();
  return n.status();
}

}  // namespace fangxian::publicity
