// publicity_server: wiring only. Configuration: README.md, "Configuration".
#include "common/log.h"
#include "common/periodic.h"
#include "common/server.h"
#include "common/upstream.h"
#include "services/publicity/area_directory.h"
#include "services/publicity/checkpoint_directory.h"
#include "services/publicity/loudspeaker_service.h"
#include "services/publicity/material_service.h"
#include "services/publicity/migrations.h"
#include "services/publicity/public_content_service.h"
#include "services/publicity/publicity_service.h"
#include "services/publicity/statistics_service.h"
#include "services/publicity/view_counter.h"

int main() {
  using namespace fangxian;
  common::BlockTerminationSignals();
  common::EnvConfig env;
  common::ServerConfig config = common::ReadServerConfig(env, 50054);
  // identity: whether target areas exist, asked with the caller's token.
  const std::string identity_addr = env.HostPort("FX_IDENTITY_ADDR", "127.0.0.1:50051");
  const absl::Duration upstream_wait =
      absl::Milliseconds(env.Int("FX_PUBLICITY_UPSTREAM_TIMEOUT_MS", 2000, 50, 30000));
  // checkpoint: the areas a checkpoint covers (loudspeaker schedules, materials), asked
  // with the caller's token.
  const std::string checkpoint_addr = env.HostPort("FX_CHECKPOINT_ADDR", "127.0.0.1:50052");
  // Public reading and view counts (docs/publicity.md): how long a live list or item is
  // served from memory, and how often view counts move memory -> Redis -> PostgreSQL.
  const absl::Duration live_cache =
      absl::Milliseconds(env.Int("FX_PUBLICITY_LIVE_CACHE_MS", 2000, 0, 60000));
  const absl::Duration views_redis_flush =
      absl::Milliseconds(env.Int("FX_VIEWS_REDIS_FLUSH_MS", 200, 10, 60000));
  const absl::Duration views_flush =
      absl::Milliseconds(env.Int("FX_VIEWS_FLUSH_MS", 10000, 50, 3600 * 1000));
  // How often live copies past their expire_time are archived (docs/publicity.md).
  const absl::Duration expiry_interval =
      absl::Milliseconds(env.Int("FX_PUBLICITY_EXPIRY_MS", 60000, 10, 3600 * 1000));
  // How long a statistics answer is served again from memory (docs/publicity.md).
  const absl::Duration stats_memory =
      absl::Milliseconds(env.Int("FX_PUBLICITY_STATS_CACHE_MS", 2000, 0, 60000));
  const std::string views_key = env.String("FX_VIEWS_REDIS_KEY", publicity::kViewsKeyPrefix);
  env.ExitIfInvalid();

  common::ServiceHost host(std::move(config), "fangxian.publicity.v1.PublicityService", "publicity",
                           &publicity::Migrations());
  const std::shared_ptr<grpc::Channel> identity_channel = common::UpstreamChannel(identity_addr);
  publicity::IdentityAreas areas(identity_channel, upstream_wait);
  publicity::CheckpointClient checkpoints(common::UpstreamChannel(checkpoint_addr), upstream_wait);

  // Public reading (no token) and view counts.
  publicity::ViewCounter views(host.redis(), host.pg(), publicity::ViewKeysFor(views_key));
  publicity::PgLiveStore live_store(host.pg());
  publicity::PublicContent public_content(live_store, views, live_cache,
                                          [&host] { return host.runtime().Now(); });
  publicity::PublicContentService public_content_service(host.runtime(), public_content);
  publicity::ContentViews content_views(host.pg());
  publicity::ContentViewService content_view_service(host.runtime(), content_views);

  // Content items, the review workflow and the series registry.
  const common::RpcRuntime::Clock content_clock = [&host] { return host.runtime().Now(); };
  publicity::PgContentStore store;
  publicity::Contents contents(
      host.pg(), store, areas, content_clock,
      /*live_changed=*/[&public_content] { public_content.InvalidateAll(); });
  publicity::SeriesRegistry series(host.pg(), store, content_clock);
  publicity::PublicityService service(host.runtime(), contents, series);
  // Live copies whose expire_time passed are archived (the public reads already hide them).
  common::PeriodicTask content_expiry(
      "content expiry", expiry_interval, [&contents] { return contents.ExpireDue(); },
      [&host] { return host.runtime().ready(); });
  publicity::PgScheduleStore schedule_store(host.pg());
  publicity::LoudspeakerSchedules schedules(schedule_store, areas, checkpoints,
                                            [&host] { return host.runtime().Now(); });
  publicity::LoudspeakerService loudspeaker_service(host.runtime(), schedules);

  // Materials inventory and the figures a subdistrict reports.
  publicity::PgMaterialStore material_store(host.pg());
  publicity::Materials materials(material_store, areas, checkpoints,
                                 [&host] { return host.runtime().Now(); });
  publicity::MaterialService material_service(host.runtime(), materials);
  publicity::PublicityStatistics statistics(
      host.pg(), [&host] { return host.runtime().Now(); }, stats_memory);
  publicity::PublicityStatisticsService statistics_service(host.runtime(), statistics);

  common::PeriodicTask views_to_redis("view counts to Redis", views_redis_flush,
                                      [&views] { return views.FlushMemory(); });
  common::PeriodicTask views_to_pg(
      "view counts to PostgreSQL", views_flush, [&views] { return views.FlushRedis(); },
      [&host] { return host.runtime().ready(); });
  views_to_redis.Start();
  views_to_pg.Start();
  content_expiry.Start();

  const int exit_code = host.Run({&service, &loudspeaker_service, &public_content_service,
                                  &content_view_service, &material_service, &statistics_service});
  // Drained: no read counts any more. Everything counted goes to PostgreSQL before exit.
  views_to_redis.Stop();
  views_to_pg.Stop();
  if (absl::Status s = views.FlushAll(); !s.ok()) {
    common::LogError("view counts not flushed at shutdown", {{"error", s.ToString()}});
  }
  return exit_code;
}
