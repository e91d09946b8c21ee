// Login sessions: password login with lockout, short-lived Ed25519 access tokens, single
// use rotating refresh tokens, logout and revocation (PostgreSQL first, then mirrored to
// every service through common::RevocationList).
#ifndef FANGXIAN_SERVICES_IDENTITY_SESSIONS_H_
#define FANGXIAN_SERVICES_IDENTITY_SESSIONS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/auth.h"
#include "common/revocation.h"
#include "common/rpc.h"
#include "fangxian/identity/v1/identity.pb.h"
#include "services/identity/staff_store.h"

namespace fangxian::identity {

struct SessionPolicy {
  absl::Duration access_ttl = absl::Minutes(15);
  absl::Duration refresh_ttl = absl::Hours(12);
  int max_failures = 5;
  absl::Duration lock_for = absl::Minutes(15);
  std::string audience = "fangxian";
};

class Sessions {
 public:
  // `public_keys` is what GetPublicKeys serves (the signer's key among them).
  Sessions(StaffStore& store, const common::TokenSigner& signer,
           std::vector<v1::PublicKey> public_keys, common::RevocationList& revocations,
           SessionPolicy policy);

  absl::StatusOr<v1::Session> Login(const std::string& username, const std::string& password,
                                    absl::Time now);
  absl::StatusOr<v1::Session> Refresh(const std::string& refresh_token, absl::Time now);
  // Ends the caller's own session.
  absl::Status Logout(const common::CallContext& call, absl::Time now);
  // Ends every live session of an account; returns how many. No authorisation here.
  absl::StatusOr<int> EndAll(const std::string& account_id, const std::string& reason,
                             absl::Time now);
  v1::PublicKeys PublicKeys() const;

 private:
  absl::StatusOr<v1::Session> Issue(const StaffRow& account, const std::string& session_id,
                                    const std::string& refresh_token, absl::Time refresh_expiry,
                                    absl::Time now) const;
  void PublishEnded(const std::vector<std::string>& session_ids, absl::Time now);

  StaffStore& store_;
  const common::TokenSigner& signer_;
  const std::vector<v1::PublicKey> public_keys_;
  common::RevocationList& revocations_;
  const SessionPolicy policy_;
};

// "<session id>.<secret>" and its parts; the secret is 32 random bytes, base64url.
std::string NewRefreshSecret();
bool SplitRefreshToken(absl::string_view token, std::string* session_id, std::string* secret);
std::string RefreshHash(absl::string_view secret);

}  // namespace fangxian::identity

#endif  // FANGXIAN_SERVICES_IDENTITY_SESSIONS_H_
