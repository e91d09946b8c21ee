// publicity_server: wiring only. Configuration: README.md, "Configuration".
#include "common/server.h"
#include "common/upstream.h"
#include "services/publicity/area_directory.h"
#include "services/publicity/migrations.h"
#include "services/publicity/publicity_service.h"

int main() {
  using namespace fangxian;
  common::BlockTerminationSignals();
  common::EnvConfig env;
  common::ServerConfig config = common::ReadServerConfig(env, 50054);
  // identity: whether target areas exist, asked with the caller's token.
  const std::string identity_addr = env.HostPort("FX_IDENTITY_ADDR", "127.0.0.1:50051");
  const absl::Duration upstream_wait =
      absl::Milliseconds(env.Int("FX_PUBLICITY_UPSTREAM_TIMEOUT_MS", 2000, 50, 30000));
  env.ExitIfInvalid();

  common::ServiceHost host(std::move(config), "fangxian.publicity.v1.PublicityService", "publicity",
                           &publicity::Migrations());
  const std::shared_ptr<grpc::Channel> identity_channel = common::UpstreamChannel(identity_addr);
  publicity::IdentityAreas areas(identity_channel, upstream_wait);

  publicity::PgContentStore store(host.pg());
  publicity::Contents contents(store);
  publicity::PublicityService service(host.runtime(), contents);
  return host.Run({&service});
}
