// quarantine_server: wiring only. Configuration: README.md, "Configuration".
#include "common/outbox_relay.h"
#include "common/periodic.h"
#include "common/server.h"
#include "common/upstream.h"
#include "services/quarantine/alert_consumer.h"
#include "services/quarantine/check_in_service.h"
#include "services/quarantine/household_directory.h"
#include "services/quarantine/isolation_service.h"
#include "services/quarantine/migrations.h"
#include "services/quarantine/pass_colour_engine.h"
#include "services/quarantine/quarantine_service.h"
#include "services/quarantine/resident_directory.h"
#include "services/quarantine/service_request_service.h"
#include "services/quarantine/statistics_service.h"
#include "services/quarantine/sweep_service.h"
#include "services/quarantine/violation_service.h"

int main() {
  using namespace fangxian;
  common::BlockTerminationSignals();
  common::EnvConfig env;
  common::ServerConfig config = common::ReadServerConfig(env, 50053);
  // identity: households (isolation orders, sweeps) and residents (persons of interest,
  // violations) are read with the caller's token.
  const std::string identity_addr = env.HostPort("FX_IDENTITY_ADDR", "127.0.0.1:50051");
  const absl::Duration upstream_wait =
      absl::Milliseconds(env.Int("FX_QUARANTINE_UPSTREAM_TIMEOUT_MS", 2000, 50, 30000));
  quarantine::ColourRules colour_rules;
  colour_rules.observation_days =
      static_cast<int>(env.Int("FX_QUARANTINE_OBSERVATION_DAYS", 14, 1, 60));
  const absl::Duration outbox_poll =
      absl::Milliseconds(env.Int("FX_OUTBOX_POLL_MS", 200, 10, 60000));
  const absl::Duration review_interval =
      absl::Milliseconds(env.Int("FX_PASS_REVIEW_MS", 30000, 10, 3600 * 1000));
  quarantine::AlertConsumer::Options consumer_options;
  consumer_options.stream = env.String("FX_ALERT_STREAM", quarantine::kCheckpointAlertStream);
  consumer_options.group = env.String("FX_EVENTS_GROUP", quarantine::kAlertConsumerGroup);
  // How long GetPassStatus keeps a row in memory (README.md, docs/quarantine.md).
  const absl::Duration pass_memory =
      absl::Milliseconds(env.Int("FX_PASS_STATUS_CACHE_MS", 1000, 0, 10000));
  const absl::Duration events_poll =
      absl::Milliseconds(env.Int("FX_EVENTS_POLL_MS", 200, 10, 60000));
  quarantine::IsolationDefaults isolation_defaults;
  isolation_defaults.period_days = static_cast<int>(env.Int(
      "FX_ISOLATION_DEFAULT_DAYS", 14, quarantine::kMinPeriodDays, quarantine::kMaxPeriodDays));
  isolation_defaults.checkins_per_day = static_cast<int>(env.Int(
      "FX_CHECKINS_PER_DAY", 2, quarantine::kMinCheckInsPerDay, quarantine::kMaxCheckInsPerDay));
  // How long a statistics answer is served again from memory (docs/quarantine.md).
  const absl::Duration stats_memory =
      absl::Milliseconds(env.Int("FX_QUARANTINE_STATS_CACHE_MS", 2000, 0, 60000));
  env.ExitIfInvalid();

  common::ServiceHost host(std::move(config), "fangxian.quarantine.v1.QuarantineService",
                           "quarantine", &quarantine::Migrations());
  common::RpcRuntime& runtime = host.runtime();
  const std::shared_ptr<grpc::Channel> identity_channel = common::UpstreamChannel(identity_addr);

  // Colour changes commit with their outbox event; the relay writes the shared Redis entry
  // from the committed row and publishes the event (docs/quarantine.md).
  common::OutboxRelay::Options relay_options;
  relay_options.table = quarantine::kQuarantineOutboxTable;
  relay_options.stream = quarantine::kQuarantineEventStream;
  relay_options.poll = outbox_poll;
  relay_options.before_publish = [&host](common::PgConn& conn,
                                         const common::OutboxRelay::Row& row) {
    return quarantine::RefreshCachedColour(host.redis(), conn, row);
  };
  common::OutboxRelay outbox_relay(host.pg(), host.redis(), relay_options,
                                   [&runtime] { return runtime.ready(); });
  quarantine::PgPassStatusStore pass_store(host.pg());
  quarantine::PassStatuses passes(pass_store, &host.redis(), pass_memory);
  quarantine::PassColourEngine colours(
      colour_rules, [&outbox_relay, &passes](const std::vector<quarantine::PassChange>& changes) {
        std::vector<std::string> ids;
        for (const quarantine::PassChange& c : changes) ids.push_back(c.resident_id);
        passes.Forget(ids);
        outbox_relay.Notify();
      });
  // Colours that change by time alone (an order starts, an observation window ends, a
  // check-in slot passes) are recomputed when their next_review_at comes.
  common::PeriodicTask review(
      "pass colour review", review_interval,
      [&colours, &host, &runtime]() -> absl::Status {
        constexpr int kBatch = 500;
        absl::StatusOr<int> n;
        do {
          n = colours.ReviewDue(host.pg(), runtime.Now(), kBatch);
        } while (n.ok() && *n == kBatch);
        return n.status();
      },
      [&runtime] { return runtime.ready(); });

  const common::RpcRuntime::Clock clock = [&runtime] { return runtime.Now(); };
  // Persons of interest and violations take the resident's registered area, read from
  // identity with the caller's token.
  quarantine::IdentityResidents residents(identity_channel, upstream_wait);
  quarantine::PgPersonStore store;
  quarantine::PersonsOfInterest persons(host.pg(), store, residents, colours, clock);
  quarantine::PgViolationStore violation_store;
  quarantine::Violations violations(host.pg(), violation_store, residents, colours, clock);
  quarantine::ViolationService violation_service(runtime, violations);
  quarantine::QuarantineService service(runtime, persons, passes);

  // Events in: checkpoint fever and red-pass alerts (docs/quarantine.md, "Events in").
  consumer_options.consumer = common::ReplicaName();
  quarantine::AlertConsumer consumer(host.pg(), host.redis(), colours, consumer_options,
                                     [&runtime] { return runtime.Now(); });
  common::PeriodicTask events(
      "checkpoint event consumer", events_poll,
      [&consumer]() -> absl::Status {
        absl::StatusOr<int> n;
        do {
          n = consumer.PollOnce();
        } while (n.ok() && *n > 0);
        return n.status();
      },
      [&runtime] { return runtime.ready(); });

  // Households read from identity with the caller's token (isolation orders, letters,
  // sweeps).
  quarantine::IdentityHouseholds households(identity_channel, upstream_wait);

  // Isolation orders and commitment letters.
  quarantine::PgIsolationStore isolation_store(host.pg(), colours);
  quarantine::IsolationOrders isolation_orders(isolation_store, households, isolation_defaults,
                                               clock);
  quarantine::PgLetterStore letter_store(host.pg());
  quarantine::CommitmentLetters letters(letter_store, isolation_store, households, clock);
  quarantine::IsolationService isolation_service(runtime, isolation_orders, letters);

  // Health check-ins and "love knocking" service requests.
  quarantine::PgCheckInStore check_in_store(host.pg(), colours);
  quarantine::CheckIns check_ins(check_in_store, colours, clock);
  quarantine::HealthCheckInService check_in_service(runtime, check_ins);
  quarantine::PgServiceRequestStore service_request_store(host.pg());
  quarantine::ServiceRequests service_requests(service_request_store, clock);
  quarantine::ServiceRequestService service_request_service(runtime, service_requests);

  // Sweeps (each round lists its area's households from identity).
  quarantine::PgSweepStore sweep_store;
  quarantine::Sweeps sweeps(host.pg(), sweep_store, households, persons, colours, clock);
  quarantine::SweepService sweep_service(runtime, sweeps);

  // Statistics for the command centre dashboard (counts only).
  quarantine::QuarantineStatistics statistics(host.pg(), sweep_store, clock, stats_memory);
  quarantine::QuarantineStatisticsService statistics_service(runtime, statistics);

  outbox_relay.Start();
  events.Start();
  review.Start();
  return host.Run({&service, &violation_service, &isolation_service, &check_in_service,
                   &service_request_service, &sweep_service, &statistics_service});
}
