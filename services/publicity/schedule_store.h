// Storage of loudspeaker schedules behind a small interface; PgScheduleStore is the one
// that ships. Every write is one transaction: a schedule, its areas and its entries are
// stored together or not at all.
#ifndef FANGXIAN_SERVICES_PUBLICITY_SCHEDULE_STORE_H_
#define FANGXIAN_SERVICES_PUBLICITY_SCHEDULE_STORE_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/pg.h"
#include "services/publicity/loudspeaker_rules.h"

namespace fangxian::publicity {

struct ScheduleRow {
  std::string schedule_id;
  std::string name;
  std::string checkpoint_id;            // empty for an area's schedule
  std::string area_code;                // empty for a checkpoint's schedule
  std::vector<std::string> area_codes;  // the schedule's areas, in lexical order when read
  std::vector<EntryRow> entries;        // in the order given
  int version = 0;
  std::string created_by;
  std::string updated_by;
  int64_t created_at_micros = 0;
  int64_t updated_at_micros = 0;
};

// A content item an entry names, as RequireScripts checks it.
struct ScriptRef {
  int kind = 0;                         // v1::ContentKind number
  std::vector<std::string> area_codes;  // the item's target areas (its working copy)
};

// What ListSchedules reads: the schedules with an area at or below one of `areas` and,
// when `checkpoint_id` is set, of that checkpoint only; by schedule_id after
// `after_schedule_id`, at most `limit`.
struct ScheduleQuery {
  std::string checkpoint_id;
  std::vector<std::string> areas;
  std::string after_schedule_id;
  int limit = 0;
};

class ScheduleStore {
 public:
  virtual ~ScheduleStore() = default;
  // The kind and target areas of each of `content_ids` that exists.
  virtual absl::StatusOr<std::map<std::string, ScriptRef>> Scripts(
      const std::vector<std::string>& content_ids) = 0;
  // Inserts the schedule (version 1, created/updated by `row.created_by`) with its areas
  // and entries; returns it as stored.
  virtual absl::StatusOr<ScheduleRow> Insert(const ScheduleRow& row) = 0;
  // NOT_FOUND when absent.
  virtual absl::StatusOr<ScheduleRow> Get(const std::string& schedule_id) = 0;
  // Replaces name and entries when the version is still `expected_version`, and bumps it.
  // ABORTED when the version moved on or the schedule is gone meanwhile.
  virtual absl::StatusOr<ScheduleRow> Update(const std::string& schedule_id, int expected_version,
                                             const std::string& name,
                                             const std::vector<EntryRow>& entries,
                                             const std::string& updated_by) = 0;
  // Deletes the schedule when its version is `expected_version` (any version when 0).
  // ABORTED when the version moved on; NOT_FOUND when it is gone.
  virtual absl::Status Delete(const std::string& schedule_id, int expected_version) = 0;
  virtual absl::StatusOr<std::vector<ScheduleRow>> List(const ScheduleQuery& query) = 0;
  // The areas stored on the checkpoint's schedules (none when it has no schedule).
  virtual absl::StatusOr<std::vector<std::string>> CheckpointAreas(
      const std::string& checkpoint_id) = 0;
  // The entries that may play at a player: those of the checkpoint's schedules (when
  // `checkpoint_id` is set) and of the area schedules whose area is one of
  // `player_areas`, each with its script's live copy when that targets one of
  // `player_areas`.
  virtual absl::StatusOr<std::vector<PlaylistCandidate>> Candidates(
      const std::string& checkpoint_id, const std::vector<std::string>& player_areas) = 0;
};

class PgScheduleStore final : public ScheduleStore {
 public:
  explicit PgScheduleStore(common::PgPool& pool) : pool_(pool) {}
  absl::StatusOr<std::map<std::string, ScriptRef>> Scripts(
      const std::vector<std::string>& content_ids) override;
  absl::StatusOr<ScheduleRow> Insert(const ScheduleRow& row) override;
  absl::StatusOr<ScheduleRow> Get(const std::string& schedule_id) override;
  absl::StatusOr<ScheduleRow> Update(const std::string& schedule_id, int expected_version,
                                     const std::string& name, const std::vector<EntryRow>& entries,
                                     const std::string& updated_by) override;
  absl::Status Delete(const std::string& schedule_id, int expected_version) override;
  absl::StatusOr<std::vector<ScheduleRow>> List(const ScheduleQuery& query) override;
  absl::StatusOr<std::vector<std::string>> CheckpointAreas(
      const std::string& checkpoint_id) override;
  absl::StatusOr<std::vector<PlaylistCandidate>> Candidates(
      const std::string& checkpoint_id, const std::vector<std::string>& player_areas) override;

 private:
  common::PgPool& pool_;
};

}  // namespace fangxian::publicity

#endif  // FANGXIAN_SERVICES_PUBLICITY_SCHEDULE_STORE_H_
