#include "services/identity/sessions.h"

#include <sodium.h>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/validate.h"
#include "google/protobuf/util/time_util.h"
#include "services/identity/password.h"

namespace fangxian::identity {
namespace {

using google::protobuf::util::TimeUtil;

// The one answer for an unknown username and a wrong password.
absl::Status WrongCredentials() {
  return absl::UnauthenticatedError("username or password is wrong");
}

absl::Status BadRefreshToken() {
  return absl::UnauthenticatedError("refresh token is not valid; log in again");
}

}  // namespace

std::string NewRefreshSecret() {
  char raw[32];
  randombytes_buf(raw, sizeof raw);
  return absl::WebSafeBase64Escape(absl::string_view(raw, sizeof raw));
}

bool SplitRefreshToken(absl::string_view token, std::string* session_id, std::string* secret) {
  const size_t dot = token.find('.');
  if (dot == absl::string_view::npos) return false;
  *session_id = std::string(token.substr(0, dot));
  *secret = std::string(token.substr(dot + 1));
  return common::IsUuid(*session_id) && secret->size() == 43;
}

std::string RefreshHash(absl::string_view secret) {
  // The secret is 256 random bits: a fast hash suffices (nothing to brute-force).
  std::string out(crypto_generichash_BYTES, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(out.data()), out.size(),
                     reinterpret_cast<const unsigned char*>(secret.data()), secret.size(), nullptr,
                     0);
  return out;
}

Sessions::Sessions(StaffStore& store, const common::TokenSigner& signer,
                   std::vector<v1::PublicKey> public_keys, common::RevocationList& revocations,
                   SessionPolicy policy)
    : store_(store),
      signer_(signer),
      public_keys_(std::move(public_keys)),
      revocations_(revocations),
      policy_(std::move(policy)) {}

absl::StatusOr<v1::Session> Sessions::Login(const std::string& username_in,
                                            const std::string& password, absl::Time now) {
  const std::string username = absl::AsciiStrToLower(username_in);
  if (username.empty() || password.empty()) {
    return absl::InvalidArgumentError("username and password are required");
  }
  absl::StatusOr<StaffRow> account = store_.FindByUsername(username);
  if (absl::IsNotFound(account.status())) {
    SpendVerificationTime(password);
    return WrongCredentials();
  }
  if (!account.ok()) return account.status();
  if (account->locked_until > now) {
    // While locked, the password is not even checked: guessing learns nothing.
    return absl::ResourceExhaustedError(absl::StrCat(
        "too many failed logins; try again after ",
        absl::FormatTime("%H:%M:%S", account->locked_until, absl::FixedTimeZone(8 * 3600)),
        " (China time)"));
  }
  if (!VerifyPassword(password, account->password_hash)) {
    if (absl::Status s =
            store_.RecordLoginFailure(account->account_id, policy_.max_failures, policy_.lock_for);
        !s.ok()) {
      return s;
    }
    return WrongCredentials();
  }
  if (account->disabled) return absl::PermissionDeniedError("this account is disabled");
  if (absl::Status s = store_.ResetLoginFailures(account->account_id); !s.ok()) return s;

  const std::string secret = NewRefreshSecret();
  const absl::Time refresh_expiry = now + policy_.refresh_ttl;
  absl::StatusOr<std::string> session_id =
      store_.CreateSession(account->account_id, RefreshHash(secret), refresh_expiry);
  if (!session_id.ok()) return session_id.status();
  return Issue(*account, *session_id, absl::StrCat(*session_id, ".", secret), refresh_expiry, now);
}

absl::StatusOr<v1::Session> Sessions::Refresh(const std::string& refresh_token, absl::Time now) {
  std::string session_id, secret;
  if (!SplitRefreshToken(refresh_token, &session_id, &secret)) return BadRefreshToken();
  absl::StatusOr<SessionRow> session = store_.GetSession(session_id);
  if (absl::IsNotFound(session.status())) return BadRefreshToken();
  if (!session.ok()) return session.status();
  if (session->ended || session->expires_at <= now) return BadRefreshToken();
  const std::string presented = RefreshHash(secret);
  const std::string next_secret = NewRefreshSecret();
  const absl::Time refresh_expiry = now + policy_.refresh_ttl;
  absl::StatusOr<bool> rotated =
      store_.RotateRefresh(session_id, presented, RefreshHash(next_secret), refresh_expiry);
  if (!rotated.ok()) return rotated.status();
  if (!*rotated) {
    // A live session whose current token is another one: this token was used before,
    // so someone holds a copy. End the session for both.
    auto ended = store_.EndSession(session_id, "refresh token reused");
    if (ended.ok()) PublishEnded(*ended, now);
    common::LogWarning("refresh token reused; session ended", {{"session_id", session_id}});
    return BadRefreshToken();
  }
  absl::StatusOr<StaffRow> account = store_.Get(session->account_id);
  if (!account.ok()) return account.status();
  if (account->disabled) {
    auto ended = store_.EndSession(session_id, "account disabled");
    if (ended.ok()) PublishEnded(*ended, now);
    return absl::PermissionDeniedError("this account is disabled");
  }
  return Issue(*account, session_id, absl::StrCat(session_id, ".", next_secret), refresh_expiry,
               now);
}

absl::Status Sessions::Logout(const common::CallContext& call, absl::Time now) {
  if (call.principal.session_id.empty()) {
    return absl::FailedPreconditionError("this token belongs to no login session");
  }
  auto ended = store_.EndSession(call.principal.session_id, "logout");
  if (!ended.ok()) return ended.status();
  PublishEnded(*ended, now);
  return absl::OkStatus();
}

absl::StatusOr<int> Sessions::EndAll(const std::string& account_id, const std::string& reason,
                                     absl::Time now) {
  auto ended = store_.EndAllSessions(account_id, reason);
  if (!ended.ok()) return ended.status();
  PublishEnded(*ended, now);
  return static_cast<int>(ended->size());
}

v1::PublicKeys Sessions::PublicKeys() const {
  v1::PublicKeys out;
  for (const auto& k : public_keys_) *out.add_keys() = k;
  return out;
}

absl::StatusOr<v1::Session> Sessions::Issue(const StaffRow& account, const std::string& session_id,
                                            const std::string& refresh_token,
                                            absl::Time refresh_expiry, absl::Time now) const {
  auth::v1::TokenClaims claims;
  const bool resident = account.kind == v1::STAFF_KIND_RESIDENT;
  // A resident signs in as themselves: the resident is the subject, and the only grant
  // is the resident role over their own area.
  claims.set_sub(resident ? account.resident_id : account.account_id);
  claims.set_aud(policy_.audience);
  claims.set_iss("fangxian-identity");
  claims.set_kind(resident                                 ? "resident"
                  : account.kind == v1::STAFF_KIND_SERVICE ? "service"
                                                           : "staff");
  if (resident) {
    auto* grant = claims.add_grants();
    grant->set_role("resident");
    grant->set_area(account.area_code);
  }
  claims.set_sid(session_id);
  char jti[16];
  randombytes_buf(jti, sizeof jti);
  claims.set_jti(absl::BytesToHexString(absl::string_view(jti, sizeof jti)));
  const absl::Time expiry = now + policy_.access_ttl;
  claims.set_iat(absl::ToUnixSeconds(now));
  claims.set_exp(absl::ToUnixSeconds(expiry));
  for (const GrantRow& g : account.grants) {
    if (common::IsKnownPermission(g.role)) {
      claims.add_permissions(g.role);
    } else {
      auto* grant = claims.add_grants();
      grant->set_role(g.role);
      grant->set_area(g.area_code);
    }
  }
  v1::Session out;
  out.set_access_token(signer_.Sign(claims));
  *out.mutable_access_token_expire_time() = TimeUtil::SecondsToTimestamp(claims.exp());
  out.set_refresh_token(refresh_token);
  *out.mutable_refresh_token_expire_time() =
      TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(refresh_expiry));
  out.set_account_id(account.account_id);
  return out;
}

void Sessions::PublishEnded(const std::vector<std::string>& session_ids, absl::Time now) {
  // Access tokens of these sessions live at most access_ttl more (plus verifier skew).
  const absl::Time not_after = now + policy_.access_ttl + absl::Minutes(1);
  for (const std::string& id : session_ids) {
    if (!revocations_.Publish(id, not_after)) {
      common::LogError(
          "could not publish an ended session to Redis; other services honour "
          "it only when its access tokens expire",
          {{"session_id", id}});
    }
  }
}

}  // namespace fangxian::identity
