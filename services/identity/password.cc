#include "services/identity/password.h"

#include <sodium.h>

#include "common/validate.h"

namespace fangxian::identity {
namespace {

constexpr unsigned long long kOpsLimit = 2;        // passes (OWASP: t=2)
constexpr size_t kMemLimit = 19ull * 1024 * 1024;  // bytes (OWASP: m=19 MiB)

}  // namespace

absl::Status ValidatePassword(absl::string_view password) {
  const int64_t chars = common::Utf8Length(password);
  if (chars < 0) return absl::InvalidArgumentError("password is not valid UTF-8");
  if (chars < 10 || chars > 128) {
    return absl::InvalidArgumentError("password must be 10 to 128 characters long");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> HashPassword(absl::string_view password) {
  if (sodium_init() < 0) return absl::InternalError("libsodium failed to initialise");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), kOpsLimit, kMemLimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return absl::ResourceExhaustedError("not enough memory to hash the password; retry");
  }
  return std::string(out);
}

bool VerifyPassword(absl::string_view password, const std::string& encoded_hash) {
  return crypto_pwhash_str_verify(encoded_hash.c_str(), password.data(), password.size()) == 0;
}

void SpendVerificationTime(absl::string_view password) {
  static const std::string kDummy = HashPassword("not-a-real-password-0").value_or("");
  (void)VerifyPassword(password, kDummy);
}

}  // namespace fangxian::identity
