#include "services/publicity/loudspeaker_schedules.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/paging.h"
#include "common/validate.h"
#include "fangxian/publicity/v1/publicity.pb.h"
#include "google/protobuf/util/time_util.h"
#include "services/publicity/live_rules.h"

namespace fangxian::publicity {
namespace {

using google::protobuf::util::TimeUtil;

// A schedule that does not exist and one outside the caller's scope get the same answer.
constexpr char kScheduleNotFound[] = "schedule_id: there is no loudspeaker schedule with this id";

v1::Schedule ToProto(const ScheduleRow& row) {
  v1::Schedule out;
  out.set_schedule_id(row.schedule_id);
  out.set_name(row.name);
  out.set_checkpoint_id(row.checkpoint_id);
  out.set_area_code(row.area_code);
  for (const EntryRow& e : row.entries) *out.add_entries() = EntryToProto(e);
  for (const std::string& area : row.area_codes) out.add_area_codes(area);
  out.set_version(row.version);
  out.set_created_by(row.created_by);
  out.set_updated_by(row.updated_by);
  *out.mutable_create_time() = TimeUtil::MicrosecondsToTimestamp(row.created_at_micros);
  *out.mutable_update_time() = TimeUtil::MicrosecondsToTimestamp(row.updated_at_micros);
  return out;
}

std::vector<EntryRow> EntryRows(const google::protobuf::RepeatedPtrField<v1::ScheduleEntry>& in) {
  std::vector<EntryRow> rows;
  for (const v1::ScheduleEntry& e : in) rows.push_back(EntryFromProto(e));
  return rows;
}

// Exactly one of a checkpoint and an area, each well formed. `prefix` goes before the
// field names ("schedule." or "").
absl::Status ValidateTarget(absl::string_view prefix, const std::string& checkpoint_id,
                            const std::string& area_code) {
  if (checkpoint_id.empty() == area_code.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("give exactly one of ", prefix,
                                                   "checkpoint_id and ", prefix,
                                                   "area_code (a checkpoint's player or an "
                                                   "area's players)"));
  }
  if (!checkpoint_id.empty()) {
    return common::RequireUuid(absl::StrCat(prefix, "checkpoint_id"), checkpoint_id);
  }
  return common::RequireAreaPath(absl::StrCat(prefix, "area_code"), area_code);
}

absl::Status ValidateName(absl::string_view field, const std::string& name) {
  return common::RequireText(field, name, 100);
}

}  // namespace

absl::Status LoudspeakerSchedules::RequireScripts(const common::CallContext& call,
                                                  absl::string_view field,
                                                  const std::vector<EntryRow>& entries,
                                                  const std::vector<std::string>& schedule_areas,
                                                  bool area_schedule) {
  std::vector<std::string> ids;
  for (const EntryRow& e : entries) ids.push_back(e.content_id);
  absl::StatusOr<std::map<std::string, ScriptRef>> scripts = store_.Scripts(ids);
  if (!scripts.ok()) return scripts.status();
  for (size_t i = 0; i < entries.size(); ++i) {
    auto it = scripts->find(entries[i].content_id);
    // An item outside the caller's scope is answered as a missing one, before its kind.
    if (it == scripts->end() ||
        !common::RequireScopeAny(call, "the item", it->second.area_codes).ok()) {
      return absl::NotFoundError(absl::StrCat(field, "[", i,
                                              "].content_id: there is no content item with "
                                              "this id (create the script first)"));
    }
    const ScriptRef& script = it->second;
    if (script.kind != v1::CONTENT_KIND_LOUDSPEAKER_SCRIPT) {
      const std::string kind = v1::ContentKind_IsValid(script.kind)
                                   ? v1::ContentKind_Name(script.kind)
                                   : absl::StrCat(script.kind);
      return absl::InvalidArgumentError(
          absl::StrCat(field, "[", i, "].content_id: the item is a ", kind,
                       ", not a loudspeaker script (CONTENT_KIND_LOUDSPEAKER_SCRIPT)"));
    }
    if (!ScriptReachesSchedule(script.area_codes, schedule_areas, area_schedule)) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, "[", i,
          "].content_id: the script would never play under this schedule: it targets none "
          "of the schedule's areas, no area above them",
          area_schedule ? " and no area below them" : "",
          " (retarget the script, or schedule it where it is meant to be heard)"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Schedule> LoudspeakerSchedules::Create(
    const common::CallContext& call, const v1::CreateScheduleRequest& request) {
  const v1::Schedule& in = request.schedule();
  if (auto s = ValidateName("schedule.name", in.name()); !s.ok()) return s;
  if (auto s = ValidateTarget("schedule.", in.checkpoint_id(), in.area_code()); !s.ok()) return s;
  if (auto s = ValidateEntries("schedule.entries", in.entries()); !s.ok()) return s;

  ScheduleRow row;
  row.name = in.name();
  row.checkpoint_id = in.checkpoint_id();
  row.area_code = in.area_code();
  row.entries = EntryRows(in.entries());
  row.created_by = call.principal.subject;
  if (!in.area_code().empty()) {
    // Scope first: a caller learns nothing about areas outside it.
    if (auto s = common::RequireScope(call, "schedule.area_code", in.area_code()); !s.ok()) {
      return s;
    }
    row.area_codes = {in.area_code()};
    if (auto s = areas_.RequireKnown(call, "schedule.area_code", row.area_codes); !s.ok()) {
      return s;
    }
  } else {
    // The checkpoint service answers with the caller's token, so a checkpoint wholly
    // outside the caller's scope is NOT_FOUND there.
    absl::StatusOr<std::vector<std::string>> areas =
        checkpoints_.AreasOf(call, "schedule.checkpoint_id", in.checkpoint_id());
    if (!areas.ok()) return areas.status();
    if (auto s = common::RequireScopeAll(call, "schedule.checkpoint_id", *areas); !s.ok()) {
      return s;
    }
    row.area_codes = *std::move(areas);
  }
  if (auto s = RequireScripts(call, "schedule.entries", row.entries, row.area_codes,
                              !row.area_code.empty());
      !s.ok()) {
    return s;
  }
  absl::StatusOr<ScheduleRow> stored = store_.Insert(row);
  if (!stored.ok()) return stored.status();
  return ToProto(*stored);
}

absl::StatusOr<v1::Schedule> LoudspeakerSchedules::Get(const common::CallContext& call,
                                                       const v1::GetScheduleRequest& request) {
  if (auto s = common::RequireUuid("schedule_id", request.schedule_id()); !s.ok()) return s;
  absl::StatusOr<ScheduleRow> row =
      common::VisibleInAnyOrNotFound(call, store_.Get(request.schedule_id()), kScheduleNotFound);
  if (!row.ok()) return row.status();
  return ToProto(*row);
}

absl::StatusOr<v1::ListSchedulesResponse> LoudspeakerSchedules::List(
    const common::CallContext& call, const v1::ListSchedulesRequest& request) {
  if (!request.checkpoint_id().empty() && !request.area_code().empty()) {
    return absl::InvalidArgumentError(
        "give at most one of checkpoint_id and area_code (neither lists your whole scope)");
  }
  absl::StatusOr<int> page_size =
      common::PageSize(request.page_size(), kDefaultSchedulePageSize, kMaxSchedulePageSize);
  if (!page_size.ok()) return page_size.status();
  absl::StatusOr<std::string> after = common::DecodePageToken(request.page_token(), common::IsUuid);
  if (!after.ok()) return after.status();

  ScheduleQuery query;
  query.after_schedule_id = *after;
  query.limit = *page_size + 1;  // one more tells whether another page follows
  if (!request.checkpoint_id().empty()) {
    if (auto s = common::RequireUuid("checkpoint_id", request.checkpoint_id()); !s.ok()) return s;
    query.checkpoint_id = request.checkpoint_id();
  }
  // Also for a checkpoint: only its schedules with an area in the caller's scope (each
  // stores the areas the checkpoint covered when it was created, which may differ), so
  // one wholly outside it lists as a checkpoint without schedules.
  absl::StatusOr<std::vector<std::string>> areas =
      common::ScopeAreas(call, "area_code", request.area_code());
  if (!areas.ok()) return areas.status();
  query.areas = *std::move(areas);
  absl::StatusOr<std::vector<ScheduleRow>> rows = store_.List(query);
  if (!rows.ok()) return rows.status();
  v1::ListSchedulesResponse out;
  const size_t shown = common::TakePage(
      *rows, *page_size,
      [](const ScheduleRow& row) { return common::EncodePageToken(row.schedule_id); },
      out.mutable_next_page_token());
  for (size_t i = 0; i < shown; ++i) *out.add_schedules() = ToProto((*rows)[i]);
  return out;
}

absl::StatusOr<v1::Schedule> LoudspeakerSchedules::Update(
    const common::CallContext& call, const v1::UpdateScheduleRequest& request) {
  if (auto s = common::RequireUuid("schedule_id", request.schedule_id()); !s.ok()) return s;
  if (request.expected_version() <= 0) {
    return absl::InvalidArgumentError(
        "expected_version is required: the version of the schedule you read");
  }
  if (auto s = ValidateName("name", request.name()); !s.ok()) return s;
  if (auto s = ValidateEntries("entries", request.entries()); !s.ok()) return s;
  absl::StatusOr<ScheduleRow> current =
      common::VisibleInAnyOrNotFound(call, store_.Get(request.schedule_id()), kScheduleNotFound);
  if (!current.ok()) return current.status();
  // The areas never change, so checking them on this read is safe.
  if (auto s = common::RequireScopeAll(call, "schedule_id", current->area_codes); !s.ok()) {
    return s;
  }
  if (current->version != request.expected_version()) {
    return absl::AbortedError(absl::StrCat("the schedule is at version ", current->version,
                                           ", not ", request.expected_version(),
                                           ": read it again and reapply your change"));
  }
  const std::vector<EntryRow> entries = EntryRows(request.entries());
  if (auto s = RequireScripts(call, "entries", entries, current->area_codes,
                              !current->area_code.empty());
      !s.ok()) {
    return s;
  }
  absl::StatusOr<ScheduleRow> stored =
      store_.Update(request.schedule_id(), request.expected_version(), request.name(), entries,
                    call.principal.subject);
  if (!stored.ok()) return stored.status();
  return ToProto(*stored);
}

absl::StatusOr<v1::DeleteScheduleResponse> LoudspeakerSchedules::Delete(
    const common::CallContext& call, const v1::DeleteScheduleRequest& request) {
  if (auto s = common::RequireUuid("schedule_id", request.schedule_id()); !s.ok()) return s;
  if (request.expected_version() < 0) {
    return absl::InvalidArgumentError(
        "expected_version must be the version you read, or 0 to delete whatever the version");
  }
  absl::StatusOr<ScheduleRow> current =
      common::VisibleInAnyOrNotFound(call, store_.Get(request.schedule_id()), kScheduleNotFound);
  if (!current.ok()) return current.status();
  if (auto s = common::RequireScopeAll(call, "schedule_id", current->area_codes); !s.ok()) {
    return s;
  }
  if (auto s = store_.Delete(request.schedule_id(), request.expected_version()); !s.ok()) return s;
  return v1::DeleteScheduleResponse();
}

absl::StatusOr<v1::Playlist> LoudspeakerSchedules::Playlist(const common::CallContext& call,
                                                            const v1::GetPlaylistRequest& request) {
  (void)call;  // public: no principal, nothing to check
  if (auto s = ValidateTarget("", request.checkpoint_id(), request.area_code()); !s.ok()) return s;
  const absl::Time server_now = clock_();
  absl::StatusOr<absl::Time> at = PlaylistTime(request, server_now);
  if (!at.ok()) return at.status();
  std::vector<std::string> base;
  if (!request.area_code().empty()) {
    base = {request.area_code()};
  } else {
    absl::StatusOr<std::vector<std::string>> areas =
        store_.CheckpointAreas(request.checkpoint_id());
    if (!areas.ok()) return areas.status();
    base = *std::move(areas);
  }
  if (base.empty()) return BuildPlaylist({}, *at, server_now);  // a checkpoint without schedules
  std::set<std::string> player_areas;
  for (const std::string& area : base) {
    for (std::string& a : AreaAndAncestors(area)) player_areas.insert(std::move(a));
  }
  absl::StatusOr<std::vector<PlaylistCandidate>> candidates = store_.Candidates(
      request.checkpoint_id(), std::vector<std::string>(player_areas.begin(), player_areas.end()));
  if (!candidates.ok()) return candidates.status();
  return BuildPlaylist(*candidates, *at, server_now);
}

}  // namespace fangxian::publicity
