// Password hashing with Argon2id at OWASP's recommended cost (19 MiB, 2 passes, 1 lane),
// in libsodium's self-describing encoded form, so the cost can rise later without
// breaking stored hashes.
#ifndef FANGXIAN_SERVICES_IDENTITY_PASSWORD_H_
#define FANGXIAN_SERVICES_IDENTITY_PASSWORD_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace fangxian::identity {

// INVALID_ARGUMENT unless 10 to 128 characters (code points).
absl::Status ValidatePassword(absl::string_view password);

// RESOURCE_EXHAUSTED if the memory for hashing cannot be had.
absl::StatusOr<std::string> HashPassword(absl::string_view password);

bool VerifyPassword(absl::string_view password, const std::string& encoded_hash);

// Verifies against a fixed hash, so an unknown username costs the same time as a wrong
// password and response times do not reveal which usernames exist.
void SpendVerificationTime(absl::string_view password);

}  // namespace fangxian::identity

#endif  // FANGXIAN_SERVICES_IDENTITY_PASSWORD_H_
