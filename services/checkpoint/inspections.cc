#include "services/checkpoint/inspections.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/paging.h"
#include "common/time_text.h"
#include "common/validate.h"
#include "google/protobuf/util/time_util.h"
#include "services/checkpoint/shifts.h"

namespace fangxian::checkpoint {
namespace {

using google::protobuf::util::TimeUtil;

}  // namespace

absl::Status ValidateInspection(const v1::RecordInspectionRequest& req, absl::CivilDay today) {
  if (auto s = common::RequireUuid("checkpoint_id", req.checkpoint_id()); !s.ok()) return s;
  if (!req.has_score()) return absl::InvalidArgumentError("score is required (0 to 100)");
  if (req.score() < 0 || req.score() > 100) {
    return absl::InvalidArgumentError(
        absl::StrCat("score must be from 0 to 100, got ", req.score()));
  }
  if (auto s = common::RequireText("notes", req.notes(), kMaxInspectionNotesChars, false);
      !s.ok()) {
    return s;
  }
  if (req.findings_size() > kMaxFindings) {
    return absl::InvalidArgumentError(
        absl::StrCat("findings: at most ", kMaxFindings, ", got ", req.findings_size()));
  }
  for (int i = 0; i < req.findings_size(); ++i) {
    if (auto s = common::RequireText(absl::StrCat("findings[", i, "]"), req.findings(i),
                                     kMaxFindingChars);
        !s.ok()) {
      return s;
    }
  }
  if (req.findings_size() == 0) {
    if (!req.rectification_deadline().empty()) {
      return absl::InvalidArgumentError(
          "rectification_deadline is only for inspections with findings; leave it empty");
    }
  } else {
    absl::CivilDay deadline;
    if (req.rectification_deadline().empty()) {
      return absl::InvalidArgumentError(
          "rectification_deadline is required when there are findings (YYYY-MM-DD)");
    }
    if (!common::ParseIsoDate(req.rectification_deadline(), &deadline)) {
      return absl::InvalidArgumentError("rectification_deadline must be a real day as YYYY-MM-DD");
    }
    if (deadline < today) {
      return absl::InvalidArgumentError(absl::StrCat("rectification_deadline must be today (",
                                                     common::IsoDate(today),
                                                     ", China time) or later"));
    }
  }
  if (!req.reinspection_of().empty()) {
    if (auto s = common::RequireUuid("reinspection_of", req.reinspection_of()); !s.ok()) return s;
  }
  return absl::OkStatus();
}

v1::RankCheckpointsResponse RankRatings(std::vector<RatingRow> rows) {
  std::sort(rows.begin(), rows.end(), [](const RatingRow& a, const RatingRow& b) {
    if (a.average_score.has_value() != b.average_score.has_value()) {
      return a.average_score.has_value();  // rated first
    }
    if (a.average_score && *a.average_score != *b.average_score) {
      return *a.average_score > *b.average_score;
    }
    if (a.name != b.name) return a.name < b.name;
    return a.checkpoint_id < b.checkpoint_id;
  });
  v1::RankCheckpointsResponse out;
  int rank = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    const RatingRow& row = rows[i];
    v1::RankedCheckpoint* r = out.add_checkpoints();
    r->set_checkpoint_id(row.checkpoint_id);
    r->set_name(row.name);
    r->set_inspection_count(row.inspection_count);
    if (!row.average_score) continue;
    // Competition ranking: an equal average shares the rank of the first with it.
    if (i == 0 || *rows[i - 1].average_score != *row.average_score) rank = static_cast<int>(i) + 1;
    r->set_rank(rank);
    r->set_average_score(*row.average_score);
  }
  return out;
}

v1::Inspection InspectionToProto(const InspectionRow& row) {
  v1::Inspection out;
  out.set_inspection_id(row.inspection_id);
  out.set_checkpoint_id(row.checkpoint_id);
  out.set_inspector_id(row.inspector_id);
  *out.mutable_inspect_time() = TimeUtil::MicrosecondsToTimestamp(row.inspected_at_micros);
  out.set_posts_staffed(row.posts_staffed);
  out.set_cadre_present(row.cadre_present);
  out.set_kit_complete(row.kit_complete);
  out.set_log_complete(row.log_complete);
  out.set_score(row.score);
  out.set_notes(row.notes);
  out.set_rectification_deadline(row.rectification_deadline);
  out.set_reinspection_of(row.reinspection_of);
  for (const FindingRow& f : row.findings) {
    v1::Finding* finding = out.add_findings();
    finding->set_finding_id(f.finding_id);
    finding->set_text(f.text);
    finding->set_state(f.closed_at_micros ? v1::FINDING_STATE_CLOSED : v1::FINDING_STATE_OPEN);
    if (f.closed_at_micros) {
      *finding->mutable_close_time() = TimeUtil::MicrosecondsToTimestamp(*f.closed_at_micros);
    }
    finding->set_closed_by_inspection_id(f.closed_by_inspection);
  }
  return out;
}

absl::StatusOr<v1::Inspection> Inspections::Record(const common::CallContext& call,
                                                   const v1::RecordInspectionRequest& req) {
  const absl::Time now = clock_();
  if (auto s = ValidateInspection(req, common::ChinaToday(now)); !s.ok()) return s;
  if (auto row = checkpoints_.Visible(call, req.checkpoint_id()); !row.ok()) return row.status();
  if (!req.reinspection_of().empty()) {
    // An inspection never changes checkpoint, so this check cannot go stale.
    absl::StatusOr<std::string> earlier = store_.CheckpointOf(req.reinspection_of());
    if (!earlier.ok()) return earlier.status();
    if (*earlier != req.checkpoint_id()) {
      return absl::InvalidArgumentError(
          "reinspection_of is an inspection of another checkpoint; re-inspect that one");
    }
  }
  InspectionRow row;
  row.checkpoint_id = req.checkpoint_id();
  row.inspector_id = call.principal.subject;
  row.posts_staffed = req.posts_staffed();
  row.cadre_present = req.cadre_present();
  row.kit_complete = req.kit_complete();
  row.log_complete = req.log_complete();
  row.score = req.score();
  row.notes = req.notes();
  row.rectification_deadline = req.rectification_deadline();
  row.reinspection_of = req.reinspection_of();
  for (const std::string& text : req.findings())
    row.findings.push_back(FindingRow{"", text, {}, ""});
  absl::StatusOr<InspectionRow> stored = store_.Insert(row, now);
  if (!stored.ok()) return stored.status();
  return InspectionToProto(*stored);
}

absl::StatusOr<v1::ListInspectionsResponse> Inspections::List(
    const common::CallContext& call, const v1::ListInspectionsRequest& req) {
  if (auto s = common::RequireUuid("checkpoint_id", req.checkpoint_id()); !s.ok()) return s;
  absl::StatusOr<int> page_size =
      common::PageSize(req.page_size(), kDefaultInspectionPageSize, kMaxInspectionPageSize);
  if (!page_size.ok()) return page_size.status();
  absl::StatusOr<std::optional<InspectionPosition>> after =
      common::DecodeTimeIdPageToken(req.page_token());
  if (!after.ok()) return after.status();
  if (auto row = checkpoints_.Visible(call, req.checkpoint_id()); !row.ok()) return row.status();
  absl::StatusOr<std::vector<InspectionRow>> rows =
      store_.List(req.checkpoint_id(), *after, *page_size + 1);
  if (!rows.ok()) return rows.status();
  v1::ListInspectionsResponse out;
  const size_t shown = common::TakePage(
      *rows, *page_size,
      [](const InspectionRow& last) {
        return common::EncodeTimeIdPageToken(last.inspected_at_micros, last.inspection_id);
      },
      out.mutable_next_page_token());
  for (size_t i = 0; i < shown; ++i) *out.add_inspections() = InspectionToProto((*rows)[i]);
  return out;
}

absl::StatusOr<v1::RankCheckpointsResponse> Inspections::Rank(
    const common::CallContext& call, const v1::RankCheckpointsRequest& req) {
  if (auto s = common::RequireAreaPath("area_code", req.area_code()); !s.ok()) return s;
  if (req.days() < 0 || req.days() > kMaxRankingDays) {
    return absl::InvalidArgumentError(absl::StrCat("days must be from 1 to ", kMaxRankingDays,
                                                   " (0 means ", kDefaultRankingDays, ")"));
  }
  const int days = req.days() == 0 ? kDefaultRankingDays : req.days();
  if (auto s = common::RequireScope(call, "area_code", req.area_code()); !s.ok()) return s;
  absl::StatusOr<std::vector<RatingRow>> rows =
      store_.Ratings(req.area_code(), clock_() - absl::Hours(24) * days);
  if (!rows.ok()) return rows.status();
  return RankRatings(*std::move(rows));
}

}  // namespace fangxian::checkpoint
