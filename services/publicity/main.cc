// publicity_server: wiring only. Configuration: README.md, "Configuration".
#include "common/server.h"
#include "services/publicity/migrations.h"
#include "services/publicity/publicity_service.h"

int main() {
  using namespace fangxian;
  common::BlockTerminationSignals();
  common::EnvConfig env;
  common::ServerConfig config = common::ReadServerConfig(env, 50054);
  env.ExitIfInvalid();

  common::ServiceHost host(std::move(config), "fangxian.publicity.v1.PublicityService", "publicity",
                           &publicity::Migrations());
  publicity::PgContentStore store(host.pg());
  publicity::Contents contents(store);
  publicity::PublicityService service(host.runtime(), contents);
  return host.Run({&service});
}
