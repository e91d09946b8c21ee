// identity_server: wiring only. Configuration: README.md, "Configuration".
#include "absl/strings/escaping.h"
#include "common/server.h"
#include "services/identity/area_service.h"
#include "services/identity/household_service.h"
#include "services/identity/identity_service.h"
#include "services/identity/migrations.h"
#include "services/identity/password.h"
#include "services/identity/resident_import_service.h"

int main() {
  using namespace fangxian;
  common::BlockTerminationSignals();
  common::EnvConfig env;
  // The key identity signs access tokens with; its public half verifies them here and is
  // served by GetPublicKeys.
  const std::string signing_seed = env.Key32("FX_TOKEN_SIGNING_KEY");
  const std::string signing_kid = env.String("FX_TOKEN_SIGNING_KID", "k1");
  std::string own_public_keys;
  absl::StatusOr<common::TokenSigner> signer = absl::InvalidArgumentError("no signing key");
  if (!signing_seed.empty()) {
    signer = common::TokenSigner::Create(signing_kid, signing_seed);
    if (signer.ok()) {
      own_public_keys = signing_kid + "=" + absl::Base64Escape(signer->public_key());
    }
  }
  common::ServerConfig config = common::ReadServerConfig(env, 50051, own_public_keys);
  std::string encryption_key = env.Key32("FX_PII_ENC_KEY");
  std::string lookup_key = env.Key32("FX_PII_HASH_KEY");
  const int64_t cache_ttl_s = env.Int("FX_RESIDENT_CACHE_TTL_S", 300, 0, 86400);
  const int64_t pass_ttl_s = env.Int("FX_PASS_TTL_S", 30 * 86400, 3600, 366 * 86400);
  const int64_t local_cache_ms = env.Int("FX_LOCAL_CACHE_MS", 2000, 0, 60000);
  if (!encryption_key.empty() && encryption_key == lookup_key) {
    env.AddError("FX_PII_HASH_KEY", "must differ from FX_PII_ENC_KEY");
  }
  identity::SessionPolicy policy;
  policy.access_ttl = absl::Seconds(env.Int("FX_ACCESS_TOKEN_TTL_S", 900, 60, 3600));
  policy.refresh_ttl = absl::Seconds(env.Int("FX_REFRESH_TOKEN_TTL_S", 43200, 300, 30 * 86400));
  policy.audience = config.token_audience;
  const std::string admin_username = env.String("FX_BOOTSTRAP_ADMIN_USERNAME", "");
  const std::string admin_password = env.Secret("FX_BOOTSTRAP_ADMIN_PASSWORD", "");
  const std::string admin_area = env.String("FX_BOOTSTRAP_ADMIN_AREA", "");
  if (!admin_username.empty() &&
      (!identity::ValidatePassword(admin_password).ok() || admin_area.empty())) {
    env.AddError("FX_BOOTSTRAP_ADMIN_USERNAME",
                 "needs FX_BOOTSTRAP_ADMIN_PASSWORD (10 to 128 characters) and "
                 "FX_BOOTSTRAP_ADMIN_AREA");
  }
  env.ExitIfInvalid();

  common::ServiceHost host(std::move(config), "fangxian.identity.v1.IdentityService", "identity",
                           &identity::Migrations());
  identity::PassCodec pass_codec(lookup_key);
  identity::PiiCipher cipher(std::move(encryption_key), std::move(lookup_key));
  identity::PgResidentStore resident_store(host.pg());
  identity::Residents residents(resident_store, cipher, cache_ttl_s > 0 ? &host.redis() : nullptr,
                                absl::Seconds(cache_ttl_s));
  std::vector<identity::v1::PublicKey> keys;
  // Validated by ReadServerConfig, so parsing cannot fail here.
  const auto parsed_keys = common::ParsePublicKeys(host.token_public_keys());
  for (const auto& [kid, raw] : parsed_keys.value()) {
    identity::v1::PublicKey k;
    k.set_kid(kid);
    k.set_algorithm("EdDSA");
    k.set_public_key(absl::Base64Escape(raw));
    keys.push_back(std::move(k));
  }
  identity::PgStaffStore staff_store(host.pg());
  identity::Sessions sessions(staff_store, *signer, std::move(keys), host.revocations(), policy);
  identity::StaffAccounts staff(staff_store, sessions, resident_store);
  if (!admin_username.empty()) {
    host.OnDatabaseReady(
        [&] { return staff.EnsureBootstrapAdmin(admin_username, admin_password, admin_area); });
  }
  identity::Passes passes(resident_store, cipher, pass_codec,
                          cache_ttl_s > 0 ? &host.redis() : nullptr, absl::Seconds(pass_ttl_s),
                          absl::Seconds(cache_ttl_s), absl::Milliseconds(local_cache_ms));
  identity::IdentityService service(host.runtime(), host.pg(), residents, passes, staff, sessions);
  identity::PgAreaStore area_store(host.pg());
  identity::Areas areas(area_store);
  identity::AreaService area_service(host.runtime(), areas);
  identity::PgHouseholdStore household_store(host.pg());
  identity::Households households(household_store, identity::RandomCardNumber,
                                  [&passes](const std::string& id) { passes.Forget(id); });
  identity::HouseholdService household_service(host.runtime(), households);
  identity::ResidentImport resident_import(residents, resident_store,
                                           [&host] { return host.runtime().Now(); });
  identity::ResidentImportService import_service(host.runtime(), resident_import);
  return host.Run({&service, &area_service, &household_service, &import_service});
}
