// identity_server: wiring only. Configuration: README.md, "Configuration".
#include "common/server.h"
#include "services/identity/identity_service.h"
#include "services/identity/migrations.h"

int main() {
  using namespace fangxian;
  common::BlockTerminationSignals();
  common::EnvConfig env;
  common::ServerConfig config = common::ReadServerConfig(env, 50051);
  std::string encryption_key = env.Key32("FX_PII_ENC_KEY");
  std::string lookup_key = env.Key32("FX_PII_HASH_KEY");
  const int64_t cache_ttl_s = env.Int("FX_RESIDENT_CACHE_TTL_S", 300, 0, 86400);
  if (!encryption_key.empty() && encryption_key == lookup_key) {
    env.AddError("FX_PII_HASH_KEY", "must differ from FX_PII_ENC_KEY");
  }
  env.ExitIfInvalid();

  common::ServiceHost host(std::move(config), "fangxian.identity.v1.IdentityService", "identity",
                           &identity::Migrations());
  identity::PiiCipher cipher(std::move(encryption_key), std::move(lookup_key));
  identity::PgResidentStore store(host.pg());
  identity::Residents residents(store, cipher, cache_ttl_s > 0 ? &host.redis() : nullptr,
                                absl::Seconds(cache_ttl_s));
  identity::IdentityService service(host.runtime(), residents);
  return host.Run({&service});
}
