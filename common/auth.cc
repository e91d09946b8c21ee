#include "common/auth.h"

#include <sodium.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/json_util.h"

namespace fangxian::common {
namespace {

constexpr absl::Duration kAllowedSkew = absl::Seconds(30);

absl::Status Unauthenticated(absl::string_view why) { return absl::UnauthenticatedError(why); }

bool InitSodium() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}

template <typename Message>
bool ParseJsonPart(absl::string_view b64, Message* out) {
  std::string json;
  if (!absl::WebSafeBase64Unescape(b64, &json)) return false;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  return google::protobuf::util::JsonStringToMessage(json, out, options).ok();
}

std::string JsonPart(const google::protobuf::Message& m) {
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(m, &json);
  return absl::WebSafeBase64Escape(json);
}

}  // namespace

bool IsKnownRole(absl::string_view role) {
  static constexpr absl::string_view kRoles[] = {
      "subdistrict_admin", "community_admin", "shift_leader",     "temperature_monitor",
      "code_verifier",     "order_keeper",    "info_registrar",   "inspector",
      "grid_worker",       "volunteer",       "publicity_editor", "publicity_reviewer",
      "auditor",           "resident",        "service"};
  return std::find(std::begin(kRoles), std::end(kRoles), role) != std::end(kRoles);
}

bool IsKnownPermission(absl::string_view permission) { return permission == kPermissionPiiRead; }

bool AreaWithin(absl::string_view area, absl::string_view scope) {
  if (scope.empty()) return false;
  if (area == scope) return true;
  return area.size() > scope.size() && absl::StartsWith(area, scope) && area[scope.size()] == '.';
}

bool Principal::HasAnyRole(const std::vector<absl::string_view>& roles) const {
  return std::any_of(grants.begin(), grants.end(), [&](const Grant& g) {
    return std::find(roles.begin(), roles.end(), g.role) != roles.end();
  });
}

bool Principal::CoversArea(absl::string_view area,
                           const std::vector<absl::string_view>& roles) const {
  return std::any_of(grants.begin(), grants.end(), [&](const Grant& g) {
    const bool role_ok =
        roles.empty() || std::find(roles.begin(), roles.end(), g.role) != roles.end();
    return role_ok && AreaWithin(area, g.area);
  });
}

std::vector<std::string> Principal::ScopeRoots(const std::vector<absl::string_view>& roles) const {
  std::vector<std::string> areas;
  for (const Grant& g : grants) {
    if (roles.empty() || std::find(roles.begin(), roles.end(), g.role) != roles.end()) {
      areas.push_back(g.area);
    }
  }
  // Sorted, an area comes after its ancestors (a prefix sorts first), though not always
  // right after them ("a" < "a-b" < "a.c"): compare with every root kept so far.
  std::sort(areas.begin(), areas.end());
  std::vector<std::string> roots;
  for (std::string& a : areas) {
    const bool covered = std::any_of(roots.begin(), roots.end(),
                                     [&](const std::string& r) { return AreaWithin(a, r); });
    if (!covered) roots.push_back(std::move(a));
  }
  return roots;
}

bool Principal::HasPermission(absl::string_view permission) const {
  return std::find(permissions.begin(), permissions.end(), permission) != permissions.end();
}

bool IsValidAreaPath(absl::string_view area) {
  if (area.empty() || area.size() > 128) return false;
  for (absl::string_view seg : absl::StrSplit(area, '.')) {
    if (seg.empty() || seg.size() > 32) return false;
    for (char c : seg) {
      if (!(absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-')) return false;
    }
  }
  return true;
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ParsePublicKeys(
    absl::string_view public_keys) {
  std::vector<std::pair<std::string, std::string>> keys;
  for (absl::string_view entry : absl::StrSplit(public_keys, ',', absl::SkipWhitespace())) {
    std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(entry, '=');
    std::string raw;
    kv.first = absl::StripAsciiWhitespace(kv.first);
    kv.second = absl::StripAsciiWhitespace(kv.second);
    if (kv.first.empty() ||
        (!absl::Base64Unescape(kv.second, &raw) && !absl::WebSafeBase64Unescape(kv.second, &raw)) ||
        raw.size() != crypto_sign_PUBLICKEYBYTES) {
      return absl::InvalidArgumentError(
          "public keys must be kid=base64(32-byte Ed25519 public key), comma separated");
    }
    keys.emplace_back(std::string(kv.first), std::move(raw));
  }
  if (keys.empty()) return absl::InvalidArgumentError("no public key configured");
  return keys;
}

absl::StatusOr<TokenVerifier> TokenVerifier::Create(absl::string_view public_keys,
                                                    std::string audience,
                                                    absl::Duration max_lifetime) {
  if (!InitSodium()) return absl::InternalError("libsodium failed to initialise");
  auto keys = ParsePublicKeys(public_keys);
  if (!keys.ok()) return keys.status();
  TokenVerifier v;
  v.audience_ = std::move(audience);
  v.max_lifetime_ = max_lifetime;
  for (auto& [kid, raw] : *keys) v.keys_[kid] = raw;
  if (v.audience_.empty()) return absl::InvalidArgumentError("audience must not be empty");
  return v;
}

absl::StatusOr<Principal> TokenVerifier::Verify(absl::string_view token, absl::Time now) const {
  if (token.empty()) return Unauthenticated("missing bearer token");
  std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  if (parts.size() != 3) return Unauthenticated("malformed token");
  fangxian::auth::v1::TokenHeader header;
  if (!ParseJsonPart(parts[0], &header)) return Unauthenticated("malformed token header");
  if (header.alg() != "EdDSA") return Unauthenticated("token algorithm not accepted");
  auto key = keys_.find(header.kid());
  if (key == keys_.end()) return Unauthenticated("token signed with an unknown key");
  std::string sig;
  if (!absl::WebSafeBase64Unescape(parts[2], &sig) || sig.size() != crypto_sign_BYTES) {
    return Unauthenticated("malformed token signature");
  }
  const absl::string_view signed_part = token.substr(0, parts[0].size() + 1 + parts[1].size());
  if (crypto_sign_verify_detached(
          reinterpret_cast<const unsigned char*>(sig.data()),
          reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size(),
          reinterpret_cast<const unsigned char*>(key->second.data())) != 0) {
    return Unauthenticated("token signature is invalid");
  }
  fangxian::auth::v1::TokenClaims claims;
  if (!ParseJsonPart(parts[1], &claims)) return Unauthenticated("malformed token claims");
  if (claims.aud() != audience_) return Unauthenticated("token is for another audience");
  if (claims.exp() == 0 || absl::FromUnixSeconds(claims.exp()) + kAllowedSkew <= now) {
    return Unauthenticated("token expired; log in again or refresh it");
  }
  if (claims.iat() == 0 || absl::FromUnixSeconds(claims.iat()) - kAllowedSkew > now) {
    return Unauthenticated("token has no valid issue time");
  }
  if (absl::Seconds(claims.exp() - claims.iat()) > max_lifetime_) {
    return Unauthenticated("token lives longer than allowed; log in again");
  }
  if (claims.sub().empty()) return Unauthenticated("token has no subject");
  Principal p;
  p.subject = claims.sub();
  p.kind = claims.kind();
  p.session_id = claims.sid();
  p.token_id = claims.jti();
  p.expires = absl::FromUnixSeconds(claims.exp());
  for (const auto& g : claims.grants()) p.grants.push_back(Grant{g.role(), g.area()});
  p.permissions.assign(claims.permissions().begin(), claims.permissions().end());
  return p;
}

absl::StatusOr<TokenSigner> TokenSigner::Create(std::string kid, absl::string_view secret_key) {
  if (!InitSodium()) return absl::InternalError("libsodium failed to initialise");
  TokenSigner s;
  s.kid_ = std::move(kid);
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  unsigned char sk[crypto_sign_SECRETKEYBYTES];
  if (secret_key.size() == crypto_sign_SEEDBYTES) {
    crypto_sign_seed_keypair(pk, sk, reinterpret_cast<const unsigned char*>(secret_key.data()));
  } else if (secret_key.size() == crypto_sign_SECRETKEYBYTES) {
    std::copy(secret_key.begin(), secret_key.end(), sk);
    crypto_sign_ed25519_sk_to_pk(pk, sk);
  } else {
    return absl::InvalidArgumentError("Ed25519 secret key must be a 32-byte seed or 64 bytes");
  }
  s.secret_key_.assign(reinterpret_cast<char*>(sk), sizeof sk);
  s.public_key_.assign(reinterpret_cast<char*>(pk), sizeof pk);
  sodium_memzero(sk, sizeof sk);
  return s;
}

std::string TokenSigner::Sign(const fangxian::auth::v1::TokenClaims& claims) const {
  fangxian::auth::v1::TokenHeader header;
  header.set_alg("EdDSA");
  header.set_typ("JWT");
  header.set_kid(kid_);
  std::string out = JsonPart(header) + "." + JsonPart(claims);
  unsigned char sig[crypto_sign_BYTES];
  crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(out.data()), out.size(),
                       reinterpret_cast<const unsigned char*>(secret_key_.data()));
  out += ".";
  out += absl::WebSafeBase64Escape(absl::string_view(reinterpret_cast<char*>(sig), sizeof sig));
  return out;
}

absl::string_view BearerToken(absl::string_view authorization) {
  constexpr absl::string_view kPrefix = "Bearer ";
  if (authorization.size() <= kPrefix.size() ||
      !absl::EqualsIgnoreCase(authorization.substr(0, kPrefix.size()), kPrefix)) {
    return {};
  }
  return absl::StripAsciiWhitespace(authorization.substr(kPrefix.size()));
}

}  // namespace fangxian::common
