#include "services/checkpoint/maintenance.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/time_text.h"
#include "common/validate.h"
#include "services/checkpoint/passage_figures.h"
#include "services/checkpoint/shifts.h"

namespace fangxian::checkpoint {
namespace {

// Most days rolled up or rows deleted per pass, so one pass never holds the database long.
constexpr int kMaxDaysPerPass = 60;
constexpr int kDeleteBatch = 10000;

}  // namespace

PassageMaintenance::PassageMaintenance(common::PgPool& pg, common::RedisPool* redis,
                                       Options options, std::function<void()> after_run)
    : pg_(pg), redis_(redis), options_(options), after_run_(std::move(after_run)) {}

PassageMaintenance::~PassageMaintenance() { Stop(); }

absl::Status PassageMaintenance::EnsurePartitions(absl::Time now) {
  const absl::CivilDay today = absl::ToCivilDay(now, absl::UTCTimeZone());
  auto conn = pg_.Acquire();
  if (!conn.ok()) return conn.status();
  return conn
      ->Exec("SELECT checkpoint.ensure_passage_partitions($1::date, $2::date)",
             {common::IsoDate(today - 1), common::IsoDate(today + 2)})
      .status();
}

absl::StatusOr<int> PassageMaintenance::RollUp(absl::Time now) {
  // A day is final once its last moment plus the replay window (and the 5 minutes of clock
  // skew) has passed.
  const absl::Time final_before = now - absl::Hours(options_.max_replay_hours) - absl::Minutes(5);
  const absl::CivilDay last = absl::ToCivilDay(final_before, ChinaTimeZone()) - 1;
  auto conn = pg_.Acquire();
  if (!conn.ok()) return conn.status();
  // Resume after the newest rolled-up day; the first time, start at the oldest passage.
  auto r = conn->Exec(
      "SELECT coalesce((SELECT (max(day) + 1)::text FROM checkpoint.stats_rollups), "
      "(SELECT (min(client_time) AT TIME ZONE 'Asia/Shanghai')::date::text "
      " FROM checkpoint.passages))");
  if (!r.ok()) return r.status();
  absl::CivilDay first;
  if (r->IsNull(0, 0) || !common::ParseIsoDate(r->Get(0, 0), &first))
    return 0;  // nothing recorded yet
  int rolled = 0;
  for (absl::CivilDay day = first; day <= last && rolled < kMaxDaysPerPass; ++day) {
    const absl::Time start = ChinaDayStart(day);
    const absl::Time end = ChinaDayStart(day + 1);
    absl::Status s = pg_.Transaction([&](common::PgConn& tx) -> absl::Status {
      auto insert = tx.Exec(
          absl::StrCat("INSERT INTO checkpoint.daily_stats "
                       "(checkpoint_id, day, persons, vehicles, admitted, denied, referred, "
                       "fevers) SELECT checkpoint_id, $1::date, ",
                       kFigureAggregates, " FROM checkpoint.passages WHERE ",
                       ClientTimeWindow("$2", "$3", absl::Hours(options_.max_replay_hours)),
                       " GROUP BY checkpoint_id ON CONFLICT (checkpoint_id, day) DO NOTHING"),
          {common::IsoDate(day), common::Rfc3339Micros(start), common::Rfc3339Micros(end)});
      if (!insert.ok()) return insert.status();
      return tx
          .Exec(
              "INSERT INTO checkpoint.stats_rollups (day) VALUES ($1::date) "
              "ON CONFLICT (day) DO NOTHING",
              {common::IsoDate(day)})
          .status();
    });
    if (!s.ok()) return s;
    ++rolled;
  }
  return rolled;
}

absl::StatusOr<int> PassageMaintenance::DropOldPartitions(absl::Time cutoff) {
  auto conn = pg_.Acquire();
  if (!conn.ok()) return conn.status();
  auto r = conn->Exec(
      "SELECT c.relname FROM pg_inherits i "
      "JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent "
      "JOIN pg_namespace n ON n.oid = p.relnamespace "
      "WHERE n.nspname = 'checkpoint' AND p.relname = 'passages'");
  if (!r.ok()) return r.status();
  const absl::CivilDay cutoff_day = absl::ToCivilDay(cutoff, absl::UTCTimeZone());
  int dropped = 0;
  for (int i = 0; i < r->rows(); ++i) {
    const absl::string_view name = r->Get(i, 0);
    absl::CivilDay day;
    // Only names the partition function makes ("passages_YYYYMMDD") are considered, so the
    // name interpolated below is always one of ours.
    if (!absl::StartsWith(name, "passages_") || name.size() != 17 ||
        !common::ParseIsoDate(
            absl::StrCat(name.substr(9, 4), "-", name.substr(13, 2), "-", name.substr(15, 2)),
            &day)) {
      continue;
    }
    if (day + 1 > cutoff_day) continue;  // holds records newer than the cutoff
    auto drop = conn->Exec(absl::StrCat("DROP TABLE IF EXISTS checkpoint.", name));
    if (!drop.ok()) return drop.status();
    ++dropped;
  }
  return dropped;
}

absl::StatusOr<int64_t> PassageMaintenance::DeleteInBatches(const char* table,
                                                            const char* time_column,
                                                            absl::Time cutoff) {
  int64_t total = 0;
  for (;;) {
    auto conn = pg_.Acquire();
    if (!conn.ok()) return conn.status();
    auto r =
        conn->Exec(absl::StrCat("DELETE FROM checkpoint.", table,
                                " WHERE ctid IN (SELECT ctid FROM checkpoint.", table, " WHERE ",
                                time_column, " < $1::timestamptz LIMIT ", kDeleteBatch, ")"),
                   {common::Rfc3339Micros(cutoff)});
    if (!r.ok()) return r.status();
    total += r->affected();
    if (r->affected() < kDeleteBatch) return total;
  }
}

absl::StatusOr<PassageMaintenance::Report> PassageMaintenance::RunOnce(absl::Time now) {
  Report report;
  if (absl::Status s = EnsurePartitions(now); !s.ok()) return s;
  absl::StatusOr<int> rolled = RollUp(now);
  if (!rolled.ok()) return rolled.status();
  report.days_rolled_up = *rolled;
  // Whole UTC days older than the window go; the partition holding the cutoff stays until
  // all of it is older.
  const absl::Time cutoff = now - absl::Hours(24) * options_.retention_days;
  absl::StatusOr<int> dropped = DropOldPartitions(cutoff);
  if (!dropped.ok()) return dropped.status();
  report.partitions_dropped = *dropped;
  absl::StatusOr<int64_t> requests = DeleteInBatches("passage_requests", "recorded_at", cutoff);
  if (!requests.ok()) return requests.status();
  report.requests_deleted = *requests;
  absl::StatusOr<int64_t> alerts = DeleteInBatches("alerts", "raised_at", cutoff);
  if (!alerts.ok()) return alerts.status();
  report.alerts_deleted = *alerts;
  // Stream entry ids start with their Unix time in milliseconds. Exact trimming (not "~"):
  // what is past the window must go, and only that much is removed. A failure here is not
  // worth failing the pass: the next one trims.
  if (redis_ != nullptr) {
    const std::string min_id = absl::StrCat(absl::ToUnixMillis(cutoff));
    report.stream_trimmed = redis_->Command({"XTRIM", options_.alert_stream, "MINID", min_id}).ok();
  }
  return report;
}

void PassageMaintenance::Start() {
  thread_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_) {
      lock.unlock();
      absl::StatusOr<Report> r = RunOnce(absl::Now());
      if (r.ok()) {
        if (r->partitions_dropped + r->days_rolled_up + r->requests_deleted + r->alerts_deleted >
            0) {
          common::LogInfo("passage maintenance",
                          {{"partitions_dropped", absl::StrCat(r->partitions_dropped)},
                           {"days_rolled_up", absl::StrCat(r->days_rolled_up)},
                           {"requests_deleted", absl::StrCat(r->requests_deleted)},
                           {"alerts_deleted", absl::StrCat(r->alerts_deleted)}});
        }
      } else {
        common::LogWarning("passage maintenance failed; retrying next pass",
                           {{"error", std::string(r.status().message())}});
      }
      if (after_run_) after_run_();
      lock.lock();
      cv_.wait_for(lock, absl::ToChronoMilliseconds(options_.interval), [this] { return stop_; });
    }
  });
}

void PassageMaintenance::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace fangxian::checkpoint
