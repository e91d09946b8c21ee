// quarantine_server: wiring only. Configuration: README.md, "Configuration".
#include "common/server.h"
#include "services/quarantine/migrations.h"
#include "services/quarantine/quarantine_service.h"

int main() {
  using namespace fangxian;
  common::BlockTerminationSignals();
  common::EnvConfig env;
  common::ServerConfig config = common::ReadServerConfig(env, 50053);
  env.ExitIfInvalid();

  common::ServiceHost host(std::move(config), "fangxian.quarantine.v1.QuarantineService",
                           "quarantine", &quarantine::Migrations());
  quarantine::PgPersonStore store(host.pg());
  quarantine::PersonsOfInterest persons(store);
  quarantine::PgPassStatusStore pass_store(host.pg());
  quarantine::PassStatuses passes(pass_store, &host.redis());
  quarantine::QuarantineService service(host.runtime(), persons, passes);
  return host.Run({&service});
}
