// Encryption at rest for ID numbers: XChaCha20-Poly1305 (libsodium AEAD) with a random
// nonce per value, and a keyed BLAKE2b hash for exact lookup and uniqueness without
// decrypting. The two keys are distinct; neither is ever logged.
#ifndef FANGXIAN_SERVICES_IDENTITY_PII_CIPHER_H_
#define FANGXIAN_SERVICES_IDENTITY_PII_CIPHER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace fangxian::identity {

class PiiCipher {
 public:
  // Both keys are 32 raw bytes (validated by the caller's configuration).
  PiiCipher(std::string encryption_key, std::string lookup_key);
  ~PiiCipher();

  // nonce || ciphertext || tag. `context` is bound as associated data ("id_number"), so
  // a value cannot be moved to another column undetected.
  std::string Seal(absl::string_view plain, absl::string_view context) const;
  // DATA_LOSS when the value was tampered with or sealed under another key.
  absl::StatusOr<std::string> Open(absl::string_view sealed, absl::string_view context) const;
  // 32 bytes, deterministic for a given key.
  std::string LookupHash(absl::string_view plain) const;

 private:
  std::string encryption_key_;
  std::string lookup_key_;
};

}  // namespace fangxian::identity

#endif  // FANGXIAN_SERVICES_IDENTITY_PII_CIPHER_H_
