// checkpoint_server: wiring only. Configuration: README.md, "Configuration".
#include "common/server.h"
#include "services/checkpoint/checkpoint_service.h"
#include "services/checkpoint/migrations.h"

int main() {
  using namespace fangxian;
  common::BlockTerminationSignals();
  common::EnvConfig env;
  common::ServerConfig config = common::ReadServerConfig(env, 50052);
  env.ExitIfInvalid();

  common::ServiceHost host(std::move(config), "fangxian.checkpoint.v1.CheckpointService",
                           "checkpoint", &checkpoint::Migrations());
  checkpoint::PgCheckpointStore store(host.pg());
  checkpoint::Checkpoints checkpoints(store);
  checkpoint::CheckpointService service(host.runtime(), checkpoints);
  return host.Run({&service});
}
