#include "tests/support/test_env.h"

#include <arpa/inet.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <sodium.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <stdexcept>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace fangxian::testing {
namespace {

std::string RequiredEnv(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') {
    throw std::runtime_error(absl::StrCat(name, " is not set: run the tests through scripts/test"));
  }
  return v;
}

common::TokenSigner NewSigner() {
  if (sodium_init() < 0) throw std::runtime_error("sodium_init failed");
  unsigned char seed[32];
  randombytes_buf(seed, sizeof seed);
  auto s =
      common::TokenSigner::Create("test", absl::string_view(reinterpret_cast<char*>(seed), 32));
  if (!s.ok()) throw std::runtime_error("cannot create test signer");
  return *s;
}

}  // namespace

std::string AdminPgDsn() { return RequiredEnv("FX_TEST_PG_DSN"); }
std::string RedisAddr() { return RequiredEnv("FX_TEST_REDIS_ADDR"); }
std::string BuildDir() { return RequiredEnv("FX_BUILD_DIR"); }

std::string CreateScratchDatabase(const std::string& prefix) {
  static std::atomic<int> counter{0};
  const std::string name = absl::StrCat(prefix, "_", ::getpid(), "_", counter++, "_",
                                        absl::ToUnixMicros(absl::Now()) % 1000000000);
  const std::string admin = AdminPgDsn();
  PGconn* c = PQconnectdb(admin.c_str());
  if (PQstatus(c) != CONNECTION_OK) {
    const std::string why = PQerrorMessage(c);
    PQfinish(c);
    throw std::runtime_error("cannot reach test PostgreSQL: " + why);
  }
  // The name is generated here from safe characters, so interpolating it is fine.
  PGresult* r = PQexec(c, ("CREATE DATABASE " + name).c_str());
  const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  const std::string why = PQerrorMessage(c);
  PQclear(r);
  PQfinish(c);
  if (!ok) throw std::runtime_error("CREATE DATABASE failed: " + why);
  // Replace the dbname in the admin DSN (a key=value string built by scripts/test).
  return absl::StrCat(admin, " dbname=", name);
}

std::map<std::string, std::string> IdentityKeysEnv() {
  return {{"FX_PII_ENC_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="},
          {"FX_PII_HASH_KEY", "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA="},
          {"FX_TOKEN_SIGNING_KEY", "c2lnbmluZy1rZXktZm9yLXRlc3RzLW9ubHktMDAwMDA="},
          {"FX_TOKEN_SIGNING_KID", "k1"}};
}

std::map<std::string, std::string> IdentityWithAdminEnv(const std::string& admin_password) {
  std::map<std::string, std::string> env = IdentityKeysEnv();
  env["FX_BOOTSTRAP_ADMIN_USERNAME"] = "admin";
  env["FX_BOOTSTRAP_ADMIN_PASSWORD"] = admin_password;
  env["FX_BOOTSTRAP_ADMIN_AREA"] = "gongyi";
  return env;
}

std::map<std::string, std::string> GatewayServerEnv(
    const std::map<std::string, std::string>& overrides) {
  const std::string closed = absl::StrCat("127.0.0.1:", FreePort());
  std::map<std::string, std::string> env = {{"FX_HTTP_ADDR", "127.0.0.1:0"},
                                            {"FX_IDENTITY_ADDR", closed},
                                            {"FX_CHECKPOINT_ADDR", closed},
                                            {"FX_QUARANTINE_ADDR", closed},
                                            {"FX_PUBLICITY_ADDR", closed}};
  for (const auto& [k, v] : overrides) env[k] = v;
  return env;
}

std::map<std::string, std::string> CheckpointKeysEnv() {
  return {{"FX_PASSAGE_DIGEST_KEY", "cGFzc2FnZS1kaWdlc3Qta2V5LWZvci10ZXN0cy0wMDA="}};
}

std::string IdentityPublicKeys() {
  std::string seed;
  absl::Base64Unescape(IdentityKeysEnv().at("FX_TOKEN_SIGNING_KEY"), &seed);
  auto signer = common::TokenSigner::Create("k1", seed);
  if (!signer.ok()) throw std::runtime_error("bad test signing key");
  return absl::StrCat("k1=", absl::Base64Escape(signer->public_key()));
}

TestTokens::TestTokens() : signer_(NewSigner()) {}

std::string TestTokens::public_keys() const {
  return absl::StrCat("test=", absl::Base64Escape(signer_.public_key()));
}

std::string TestTokens::Mint(const std::string& subject, const std::vector<std::string>& roles,
                             const std::vector<std::string>& scopes, int ttl_seconds) const {
  std::vector<std::pair<std::string, std::string>> grants;
  for (const auto& r : roles) {
    for (const auto& s : scopes) grants.emplace_back(r, s);
  }
  return MintGrants(subject, grants, {}, ttl_seconds);
}

std::string TestTokens::MintGrants(const std::string& subject,
                                   const std::vector<std::pair<std::string, std::string>>& grants,
                                   const std::vector<std::string>& permissions,
                                   int ttl_seconds) const {
  auth::v1::TokenClaims claims;
  claims.set_sub(subject);
  claims.set_aud("fangxian");
  claims.set_kind("staff");
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  claims.set_iat(now);
  claims.set_exp(now + ttl_seconds);
  for (const auto& [role, area] : grants) {
    auto* g = claims.add_grants();
    g->set_role(role);
    g->set_area(area);
  }
  for (const auto& p : permissions) claims.add_permissions(p);
  return signer_.Sign(claims);
}

bool Eventually(const std::function<bool()>& cond, std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (!cond()) {
    if (std::chrono::steady_clock::now() >= until) return cond();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // polling a condition
  }
  return true;
}

int ConnectLoopback(int port, const std::string& from) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (!from.empty()) {
    sockaddr_in source{};
    source.sin_family = AF_INET;
    if (::inet_pton(AF_INET, from.c_str(), &source.sin_addr) != 1 ||
        ::bind(fd, reinterpret_cast<sockaddr*>(&source), sizeof source) != 0) {
      ::close(fd);
      return -1;
    }
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace fangxian::testing
