#include "services/checkpoint/staffing_watch.h"

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/log.h"
#include "common/time_text.h"
#include "services/checkpoint/alert_writer.h"

namespace fangxian::checkpoint {
namespace {

// The four posts of a shift (fangxian.checkpoint.v1.Post 1..4).
constexpr int kPostCount = 4;

}  // namespace

std::string UnstaffedDedupeKey(const std::string& checkpoint_id, absl::CivilDay day, int shift,
                               int post) {
  return absl::StrCat("unstaffed:", checkpoint_id, ":", common::IsoDate(day), ":", shift, ":",
                      post);
}

StaffingWatch::StaffingWatch(common::PgPool& pool, const ShiftPattern& shifts, Options options,
                             std::function<bool()> ready, std::function<absl::Time()> clock)
    : pool_(pool),
      shifts_(shifts),
      options_(options),
      ready_(std::move(ready)),
      clock_(std::move(clock)) {}

StaffingWatch::~StaffingWatch() { Stop(); }

absl::StatusOr<int> StaffingWatch::RunOnce(absl::Time now) {
  const ShiftPattern::Slot slot = shifts_.At(now);
  if (now < slot.start + options_.grace) return 0;
  const std::string day = common::IsoDate(slot.day);
  const std::string shift = std::to_string(slot.shift);
  int raised = 0;
  absl::Status s = pool_.Transaction([&](common::PgConn& conn) -> absl::Status {
    // Every (open checkpoint, post) with nobody on duty and no alert yet, in one pass.
    auto r = conn.Exec(
        "SELECT c.checkpoint_id, p.post, "
        "  (SELECT string_agg(a.area_code, ',' ORDER BY a.area_code) "
        "   FROM checkpoint.checkpoint_areas a WHERE a.checkpoint_id = c.checkpoint_id) "
        "FROM checkpoint.checkpoints c CROSS JOIN generate_series(1, $3::int) AS p(post) "
        "WHERE c.open "
        "AND NOT EXISTS (SELECT 1 FROM checkpoint.post_assignments pa "
        "  WHERE pa.checkpoint_id = c.checkpoint_id AND pa.duty_date = $1::date "
        "  AND pa.shift = $2::smallint AND pa.post = p.post "
        "  AND pa.clock_in_at IS NOT NULL AND pa.clock_out_at IS NULL) "
        "AND NOT EXISTS (SELECT 1 FROM checkpoint.alerts al WHERE al.dedupe_key = "
        "  'unstaffed:' || c.checkpoint_id::text || $4::text || p.post) "
        "ORDER BY c.checkpoint_id, p.post",
        {day, shift, std::to_string(kPostCount), absl::StrCat(":", day, ":", shift, ":")});
    if (!r.ok()) return r.status();
    std::vector<NewAlert> alerts;
    alerts.reserve(r->rows());
    for (int i = 0; i < r->rows(); ++i) {
      NewAlert a;
      a.kind = AlertKind::kPostUnstaffed;
      a.checkpoint_id = std::string(r->Get(i, 0));
      int post = 0;
      (void)absl::SimpleAtoi(r->Get(i, 1), &post);
      if (!r->IsNull(i, 2)) a.area_codes = absl::StrSplit(r->Get(i, 2), ',', absl::SkipEmpty());
      a.detail =
          absl::StrCat("post ", post, " of shift ", slot.shift, " on ", day, " has nobody on duty");
      a.dedupe_key = UnstaffedDedupeKey(a.checkpoint_id, slot.day, slot.shift, post);
      a.raised_at = now;
      alerts.push_back(std::move(a));
    }
    std::vector<std::string> ids;
    if (auto w = InsertAlerts(conn, alerts, &ids); !w.ok()) return w;
    for (const std::string& id : ids) raised += id.empty() ? 0 : 1;
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return raised;
}

void StaffingWatch::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void StaffingWatch::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void StaffingWatch::Loop() {
  bool failing = false;  // log a failure once when it starts and once when it ends
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    lock.unlock();
    if (ready_()) {
      absl::StatusOr<int> raised = RunOnce(clock_());
      if (!raised.ok() && !failing) {
        common::LogWarning("staffing watch round failed; retrying every interval",
                           {{"error", raised.status().ToString()}});
      } else if (raised.ok() && failing) {
        common::LogInfo("staffing watch rounds succeed again");
      }
      failing = !raised.ok();
      if (raised.ok() && *raised > 0) {
        common::LogInfo("unstaffed-post alerts raised", {{"count", *raised}});
      }
    }
    lock.lock();
    cv_.wait_for(lock, absl::ToChronoMilliseconds(options_.interval), [this] { return stopping_; });
  }
}

}  // namespace fangxian::checkpoint
