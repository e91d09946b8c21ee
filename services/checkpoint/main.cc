// checkpoint_server: wiring only. Configuration: README.md, "Configuration".
#include "common/outbox_relay.h"
#include "common/server.h"
#include "common/upstream.h"
#include "services/checkpoint/alert_service.h"
#include "services/checkpoint/alert_writer.h"
#include "services/checkpoint/checkpoint_service.h"
#include "services/checkpoint/inspection_service.h"
#include "services/checkpoint/live_counters.h"
#include "services/checkpoint/maintenance.h"
#include "services/checkpoint/migrations.h"
#include "services/checkpoint/passage_service.h"
#include "services/checkpoint/roster_service.h"
#include "services/checkpoint/shifts.h"
#include "services/checkpoint/staffing_watch.h"
#include "services/checkpoint/statistics_service.h"

int main() {
  using namespace fangxian;
  common::BlockTerminationSignals();
  common::EnvConfig env;
  common::ServerConfig config = common::ReadServerConfig(env, 50052);
  // identity: the cadre check of the roster and the passage log's person lookups.
  const std::string identity_addr = env.HostPort("FX_IDENTITY_ADDR", "127.0.0.1:50051");
  // The duty shifts of a day, shared by the roster, the staffing watch and the passage log.
  absl::StatusOr<checkpoint::ShiftPattern> shifts = checkpoint::ShiftPattern::Parse(
      env.String("FX_CHECKPOINT_SHIFTS", checkpoint::kDefaultShiftPattern));
  if (!shifts.ok()) env.AddError("FX_CHECKPOINT_SHIFTS", std::string(shifts.status().message()));
  // The unstaffed-post watch: how often it looks, and how long into a shift a post may
  // stay without anyone clocked in.
  checkpoint::StaffingWatch::Options watch_options;
  watch_options.interval =
      absl::Milliseconds(env.Int("FX_STAFFING_WATCH_MS", 60000, 10, 24 * 3600 * 1000));
  watch_options.grace = absl::Seconds(env.Int("FX_UNSTAFFED_GRACE_S", 900, 0, 24 * 3600));
  // Alerts: how often the outbox relay looks for events, and how far a live subscriber
  // may fall behind before it is dropped.
  const absl::Duration outbox_poll =
      absl::Milliseconds(env.Int("FX_OUTBOX_POLL_MS", 200, 10, 60000));
  const size_t alert_stream_queue = env.Int("FX_ALERT_STREAM_QUEUE", 256, 1, 100000);
  // The Redis Stream alert events go to (quarantine reads the same; tests give each run
  // its own).
  const std::string alert_stream = env.String("FX_ALERT_STREAM", checkpoint::kAlertStreamKey);
  const size_t alert_max_streams = env.Int("FX_ALERT_MAX_STREAMS", 1000, 1, 100000);
  const common::RedisPool::Options redis_options = config.redis;
  // The passage log: quarantine for pass colours on a cache miss, group commit, the
  // offline replay window and the staleness of the duty cache (README.md).
  const std::string quarantine_addr = env.HostPort("FX_QUARANTINE_ADDR", "127.0.0.1:50053");
  const bool group_commit = env.Bool("FX_PASSAGE_GROUP_COMMIT", true);
  const size_t batch_max = env.Int("FX_PASSAGE_BATCH_MAX", 256, 1, 10000);
  const int committers = static_cast<int>(env.Int("FX_PASSAGE_COMMITTERS", 1, 1, 64));
  const absl::Duration gather_wait =
      absl::Microseconds(env.Int("FX_PASSAGE_GATHER_US", 1000, 0, 100000));
  const absl::Duration max_replay = absl::Hours(env.Int("FX_PASSAGE_MAX_REPLAY_H", 72, 1, 720));
  const absl::Duration duty_cache =
      absl::Milliseconds(env.Int("FX_PASSAGE_DUTY_CACHE_MS", 2000, 0, 60000));
  const absl::Duration upstream_wait =
      absl::Milliseconds(env.Int("FX_PASSAGE_UPSTREAM_TIMEOUT_MS", 2000, 50, 30000));
  // How long a resolved pass is kept in memory (0: not at all); identity accepts the same
  // staleness for passes (its FX_LOCAL_CACHE_MS).
  const absl::Duration pass_cache =
      absl::Milliseconds(env.Int("FX_PASSAGE_LOCAL_CACHE_MS", 2000, 0, 60000));
  const int pg_pool_size = config.pg.size;
  // The committers' own connections (one each): reads never hold up a commit.
  common::PgPool::Options writer_pg = config.pg;
  writer_pg.size = group_commit ? committers : pg_pool_size;
  // The key of the digest stored with each passage request id (it covers the ID number).
  const std::string digest_key = env.Key32("FX_PASSAGE_DIGEST_KEY");
  // Retention of passage records and the housekeeping pass (docs/checkpoint.md).
  checkpoint::PassageMaintenance::Options maintenance_options;
  maintenance_options.retention_days =
      static_cast<int>(env.Int("FX_PASSAGE_RETENTION_DAYS", 28, 7, 3650));
  maintenance_options.interval =
      absl::Seconds(env.Int("FX_MAINTENANCE_INTERVAL_S", 3600, 1, 7 * 86400));
  maintenance_options.max_replay_hours = static_cast<int>(absl::ToInt64Hours(max_replay));
  maintenance_options.alert_stream = alert_stream;
  // A day is rolled up only once no more late records can arrive for it; its partitions
  // must outlive that, with two days to spare.
  if (absl::Hours(24) * maintenance_options.retention_days <= max_replay + absl::Hours(48)) {
    env.AddError("FX_PASSAGE_RETENTION_DAYS",
                 "must exceed FX_PASSAGE_MAX_REPLAY_H by at least two days, or late records "
                 "would be purged before their day is rolled up");
  }
  env.ExitIfInvalid();

  common::ServiceHost host(std::move(config), "fangxian.checkpoint.v1.CheckpointService",
                           "checkpoint", &checkpoint::Migrations());
  const std::shared_ptr<grpc::Channel> identity_channel = common::UpstreamChannel(identity_addr);
  checkpoint::PgCheckpointStore store(host.pg());
  checkpoint::Checkpoints checkpoints(store);
  checkpoint::CheckpointService service(host.runtime(), checkpoints);
  // Alerts: the outbox relay publishes committed events to the Redis Stream; the hub
  // tails it and feeds this replica's StreamAlerts subscribers (ended when not ready).
  common::RpcRuntime& runtime = host.runtime();
  checkpoint::PgAlertStore alert_store(host.pg());
  checkpoint::Alerts alerts(alert_store);
  common::OutboxRelay::Options relay_options;
  relay_options.table = checkpoint::kAlertOutboxTable;
  relay_options.stream = alert_stream;
  relay_options.poll = outbox_poll;
  common::OutboxRelay outbox_relay(host.pg(), host.redis(), relay_options,
                                   [&runtime] { return runtime.ready(); });
  checkpoint::AlertHub::Options hub_options;
  hub_options.redis = redis_options;
  hub_options.stream = alert_stream;
  checkpoint::AlertHub alert_hub(hub_options, [&runtime] { return runtime.ready(); });
  checkpoint::AlertService alert_service(runtime, alerts, alert_hub, alert_stream_queue,
                                         alert_max_streams);
  // The passage log. Without group commit each record is its own transaction, on as many
  // committer threads as there are database connections (the benchmark's baseline).
  common::PgPool passage_writer(writer_pg);
  checkpoint::PgPassageStore passage_store(host.pg(), passage_writer);
  checkpoint::GroupCommitter::Options commit_options;
  commit_options.batch_max = group_commit ? batch_max : 1;
  commit_options.threads = group_commit ? committers : pg_pool_size;
  commit_options.gather_wait = group_commit ? gather_wait : absl::ZeroDuration();
  checkpoint::LiveCounters::Options counter_options;
  counter_options.max_replay = max_replay;
  checkpoint::LiveCounters live_counters(host.redis(), host.pg(), counter_options);
  checkpoint::GroupCommitter committer(
      passage_store, commit_options,
      [&outbox_relay, &live_counters](const std::vector<const checkpoint::PassageRecord*>& stored) {
        std::vector<checkpoint::PassageTally> tallies;
        tallies.reserve(stored.size());
        bool alerts = false;
        for (const checkpoint::PassageRecord* r : stored) {
          alerts = alerts || !r->alert_ids.empty();
          tallies.push_back(checkpoint::TallyOf(*r));
        }
        if (alerts) outbox_relay.Notify();  // alerts committed: publish them now
        live_counters.Add(tallies);
      });
  checkpoint::DutyCheck duty(host.pg(), *shifts, duty_cache);
  checkpoint::PersonLookup people(identity_channel, upstream_wait, pass_cache);
  // A known colour is kept for at most 1 s (kMaxColourCacheTtl), never longer than passes.
  checkpoint::PassColours colours(&host.redis(), common::UpstreamChannel(quarantine_addr),
                                  upstream_wait,
                                  std::min(pass_cache, checkpoint::kMaxColourCacheTtl));
  checkpoint::Passages passages(
      passage_store, committer, duty, people, colours, [&runtime] { return runtime.Now(); },
      max_replay, digest_key);
  passages.set_background(
      [&runtime](std::function<void()> task) { return runtime.RunInBackground(std::move(task)); });
  host.metrics().AddCounter(
      "fx_passage_fast_path_total", "RecordPassage calls answered from memory on the gRPC thread.",
      [&passages] { return static_cast<double>(passages.fast_path_count()); });
  host.metrics().AddCounter(
      "fx_passage_worker_path_total",
      "RecordPassage calls that took the worker path (a cache that did not answer, an ID "
      "number, a vehicle, a replay, a refusal).",
      [&passages] { return static_cast<double>(passages.worker_path_count()); });
  checkpoint::PassageService passage_service(runtime, passages);
  // Housekeeping: partitions, roll-up, retention, repair of the live counters.
  checkpoint::PassageMaintenance maintenance(host.pg(), &host.redis(), maintenance_options,
                                             [&live_counters] { live_counters.Repair(); });
  bool maintenance_started = false;
  host.OnDatabaseReady([&passage_store, &runtime, &maintenance, &maintenance_started] {
    // Yesterday to two days ahead (UTC days), so the first records find their partition.
    const absl::CivilDay today = absl::ToCivilDay(runtime.Now(), absl::UTCTimeZone());
    absl::Status s = passage_store.EnsurePartitions(today - 1, today + 2);
    if (s.ok() && !maintenance_started) {
      maintenance_started = true;
      maintenance.Start();
    }
    return s;
  });
  checkpoint::Statistics statistics(
      host.pg(), live_counters, [&runtime] { return runtime.Now(); }, max_replay);
  checkpoint::StatisticsService statistics_service(runtime, statistics);
  // The roster, the unstaffed-post watch and inspections.
  checkpoint::PgRosterStore roster_store(host.pg());
  checkpoint::IdentityStaffDirectory staff_directory(identity_channel);
  checkpoint::Roster roster(checkpoints, roster_store, staff_directory, *shifts,
                            [&runtime] { return runtime.Now(); });
  checkpoint::RosterService roster_service(runtime, roster);
  checkpoint::StaffingWatch staffing_watch(
      host.pg(), *shifts, watch_options, [&runtime] { return runtime.ready(); },
      [&runtime] { return runtime.Now(); });
  checkpoint::PgInspectionStore inspection_store(host.pg());
  checkpoint::Inspections inspections(checkpoints, inspection_store,
                                      [&runtime] { return runtime.Now(); });
  checkpoint::InspectionService inspection_service(runtime, inspections);
  staffing_watch.Start();
  outbox_relay.Start();
  alert_hub.Start();
  return host.Run({&alert_service, &passage_service, &service, &roster_service, &inspection_service,
                   &statistics_service});
}
