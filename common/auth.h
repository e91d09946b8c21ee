// Access tokens: compact JWS signed with Ed25519 (alg "EdDSA", pinned). Identity issues
// them (issue 3); every service verifies them locally with the configured public keys.
// Format and claims: docs/auth.md.
#ifndef FANGXIAN_COMMON_AUTH_H_
#define FANGXIAN_COMMON_AUTH_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "fangxian/auth/v1/token.pb.h"

#include "absl/strings/string_view.h"

namespace fangxian::common {

// One role over one area (and everything below it).
struct Grant {
  std::string role;
  std::string area;
};

// Who is calling, after verification.
struct Principal {
  std::string subject;
  std::string kind;        // "staff", "resident", "service"
  std::string session_id;  // the login session ("sid"), for revocation
  std::string token_id;    // "jti"
  absl::Time expires;
  std::vector<Grant> grants;
  std::vector<std::string> permissions;

  // True when some grant has one of `roles`.
  bool HasAnyRole(const std::vector<absl::string_view>& roles) const;
  // True when a grant of one of `roles` (of any role when `roles` is empty) covers
  // `area`: the grant's area is `area` itself or an ancestor ("a.b" covers "a.b.c", not
  // "a.bc").
  bool CoversArea(absl::string_view area, const std::vector<absl::string_view>& roles) const;
  // The areas the grants of `roles` (of any role when `roles` is empty) cover, as the
  // fewest areas that cover the same: sorted, none within another ("a" and "a.b" give
  // "a"; "a.b" and "a.bc" are both kept). Empty when no grant has one of `roles`.
  std::vector<std::string> ScopeRoots(const std::vector<absl::string_view>& roles) const;
  bool HasPermission(absl::string_view permission) const;
};

// The roles of DESIGN.md (subdistrict_admin, community_admin, shift_leader, ...).
bool IsKnownRole(absl::string_view role);

// Permissions granted beyond roles.
inline constexpr char kPermissionPiiRead[] = "pii.read";  // unmasked personal data
bool IsKnownPermission(absl::string_view permission);

// True when `scope` is `area` or one of its ancestors.
bool AreaWithin(absl::string_view area, absl::string_view scope);

// A dotted lower-case area path: segments of [a-z0-9-], 1..32 characters, at most 128
// characters in all.
bool IsValidAreaPath(absl::string_view area);

// Parses "kid=base64key[,kid=base64key...]" (32-byte Ed25519 public keys, standard or
// URL-safe base64) into (kid, raw key) pairs. INVALID_ARGUMENT when malformed or empty.
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ParsePublicKeys(
    absl::string_view public_keys);

class TokenVerifier {
 public:
  // `public_keys`: "kid=base64key[,kid=base64key...]" (32-byte Ed25519 public keys).
  // Tokens living longer than `max_lifetime` (exp - iat) are refused: access tokens are
  // short-lived by design.
  static absl::StatusOr<TokenVerifier> Create(absl::string_view public_keys, std::string audience,
                                              absl::Duration max_lifetime = absl::Hours(24));

  // UNAUTHENTICATED with a reason a caller can act on ("token expired", ...).
  // Clock skew of up to 30 s is tolerated on expiry and issue time.
  absl::StatusOr<Principal> Verify(absl::string_view token, absl::Time now) const;

 private:
  std::map<std::string, std::string, std::less<>> keys_;  // kid -> raw public key
  std::string audience_;
  absl::Duration max_lifetime_;
};

class TokenSigner {
 public:
  // `secret_key`: a 64-byte libsodium Ed25519 secret key (or its 32-byte seed).
  static absl::StatusOr<TokenSigner> Create(std::string kid, absl::string_view secret_key);

  std::string Sign(const fangxian::auth::v1::TokenClaims& claims) const;
  const std::string& public_key() const { return public_key_; }

 private:
  std::string kid_;
  std::string secret_key_;
  std::string public_key_;
};

// Extracts the token from an "authorization: Bearer <token>" value; empty when absent.
absl::string_view BearerToken(absl::string_view authorization);

}  // namespace fangxian::common

#endif  // FANGXIAN_COMMON_AUTH_H_
