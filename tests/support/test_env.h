// What integration and end-to-end tests need from their environment: the throwaway
// PostgreSQL and Redis that scripts/test started, fresh per-test databases, and tokens.
#ifndef FANGXIAN_TESTS_SUPPORT_TEST_ENV_H_
#define FANGXIAN_TESTS_SUPPORT_TEST_ENV_H_

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "common/auth.h"

namespace fangxian::testing {

// FX_TEST_PG_DSN (a superuser DSN to the throwaway cluster); the test is skipped... never:
// a missing variable fails the test, so CI cannot pass without the real servers.
std::string AdminPgDsn();
// FX_TEST_REDIS_ADDR ("127.0.0.1:port").
std::string RedisAddr();
std::string BuildDir();

// Creates a new empty database with a unique name and returns its DSN, so tests never
// see each other's data.
std::string CreateScratchDatabase(const std::string& prefix);

// identity_server's own keys for tests: ID-number encryption and lookup keys and the
// token signing key (kid "k1"). Fixed values: test data only.
std::map<std::string, std::string> IdentityKeysEnv();
// "k1=<public key>" of that signing key, for other services' FX_TOKEN_PUBLIC_KEYS.
std::string IdentityPublicKeys();
// IdentityKeysEnv plus a first subdistrict admin, "admin" over "gongyi" with
// `admin_password`, which identity_server creates when it starts on an empty database.
std::map<std::string, std::string> IdentityWithAdminEnv(const std::string& admin_password);
// gateway_server's environment: HTTP on a free port, the upstreams in `overrides`
// (FX_IDENTITY_ADDR ... as host:port, and any other variable), every required upstream
// not given at a port nothing listens on.
std::map<std::string, std::string> GatewayServerEnv(
    const std::map<std::string, std::string>& overrides);
// checkpoint_server's own key (FX_PASSAGE_DIGEST_KEY). ServiceUnderTest passes it to
// every service it starts (the others ignore it). A fixed value: test data only.
std::map<std::string, std::string> CheckpointKeysEnv();

// A key pair for tests: verifier config and minted tokens.
class TestTokens {
 public:
  TestTokens();
  std::string public_keys() const;  // FX_TOKEN_PUBLIC_KEYS value
  // One grant per (role, scope) pair.
  std::string Mint(const std::string& subject, const std::vector<std::string>& roles,
                   const std::vector<std::string>& scopes, int ttl_seconds = 3600) const;
  // Exactly these (role, area) grants, plus optional permissions ("pii.read").
  std::string MintGrants(const std::string& subject,
                         const std::vector<std::pair<std::string, std::string>>& grants,
                         const std::vector<std::string>& permissions = {},
                         int ttl_seconds = 3600) const;
  const common::TokenSigner& signer() const { return signer_; }

 private:
  common::TokenSigner signer_;
};

// Polls `cond` until it holds or `timeout` passes; returns its last value. For waiting on
// what another process does, instead of sleeping a guessed time.
bool Eventually(const std::function<bool()>& cond,
                std::chrono::milliseconds timeout = std::chrono::seconds(15));

// A TCP port nobody listens on right now (bound then released).
int FreePort();

// A connected TCP socket to 127.0.0.1:port, or -1. With `from` (another loopback
// address, "127.0.0.7"), the connection comes from there: a client of its own to a
// server that tells clients apart by address.
int ConnectLoopback(int port, const std::string& from = "");

}  // namespace fangxian::testing

#endif  // FANGXIAN_TESTS_SUPPORT_TEST_ENV_H_
