// fx_token keygen                 prints FX_TOKEN_PUBLIC_KEYS=... and FX_TOKEN_SIGNING_KEY=...
// fx_token mint --sub S --roles a,b --scopes x.y [--ttl SECONDS] [--aud A] [--kid K]
//   (the signing key is read from FX_TOKEN_SIGNING_KEY, never from the command line,
//   so it does not show up in process listings)
#include <sodium.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/auth.h"

namespace {

int Usage() {
  std::fprintf(stderr,
               "usage: fx_token keygen [--kid K]\n"
               "       FX_TOKEN_SIGNING_KEY=... fx_token mint --sub S --roles r1,r2 "
               "--scopes a.b [--ttl SECONDS] [--aud AUDIENCE] [--kid K]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || sodium_init() < 0) return Usage();
  const std::string cmd = argv[1];
  std::map<std::string, std::string> flags = {
      {"--kid", "dev"}, {"--aud", "fangxian"}, {"--ttl", "3600"}};
  for (int i = 2; i + 1 < argc; i += 2) flags[argv[i]] = argv[i + 1];
  if (cmd == "keygen") {
    unsigned char seed[crypto_sign_SEEDBYTES];
    randombytes_buf(seed, sizeof seed);
    auto signer = fangxian::common::TokenSigner::Create(
        flags["--kid"], absl::string_view(reinterpret_cast<char*>(seed), sizeof seed));
    if (!signer.ok()) return 1;
    std::printf("FX_TOKEN_PUBLIC_KEYS=%s=%s\n", flags["--kid"].c_str(),
                absl::Base64Escape(signer->public_key()).c_str());
    std::printf(
        "FX_TOKEN_SIGNING_KEY=%s\n",
        absl::Base64Escape(absl::string_view(reinterpret_cast<char*>(seed), sizeof seed)).c_str());
    return 0;
  }
  if (cmd != "mint" || !flags.count("--sub")) return Usage();
  const char* key_b64 = std::getenv("FX_TOKEN_SIGNING_KEY");
  std::string seed;
  if (key_b64 == nullptr || !absl::Base64Unescape(key_b64, &seed)) {
    std::fprintf(stderr, "fx_token: FX_TOKEN_SIGNING_KEY must hold the base64 key from keygen\n");
    return 2;
  }
  auto signer = fangxian::common::TokenSigner::Create(flags["--kid"], seed);
  if (!signer.ok()) {
    std::fprintf(stderr, "fx_token: %s\n", std::string(signer.status().message()).c_str());
    return 2;
  }
  int64_t ttl = 0;
  if (!absl::SimpleAtoi(flags["--ttl"], &ttl) || ttl <= 0) return Usage();
  fangxian::auth::v1::TokenClaims claims;
  claims.set_sub(flags["--sub"]);
  claims.set_aud(flags["--aud"]);
  claims.set_iss("fx_token");
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  claims.set_iat(now);
  claims.set_exp(now + ttl);
  claims.set_kind("staff");
  // One grant per (role, scope) pair.
  for (absl::string_view r : absl::StrSplit(flags["--roles"], ',', absl::SkipEmpty())) {
    for (absl::string_view s : absl::StrSplit(flags["--scopes"], ',', absl::SkipEmpty())) {
      auto* g = claims.add_grants();
      g->set_role(std::string(r));
      g->set_area(std::string(s));
    }
  }
  std::printf("%s\n", signer->Sign(claims).c_str());
  return 0;
}
