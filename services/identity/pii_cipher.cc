#include "services/identity/pii_cipher.h"

#include <sodium.h>

#include <cstdlib>

namespace fangxian::identity {
namespace {

const unsigned char* U(absl::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

PiiCipher::PiiCipher(std::string encryption_key, std::string lookup_key)
    : encryption_key_(std::move(encryption_key)), lookup_key_(std::move(lookup_key)) {
  if (sodium_init() < 0 || encryption_key_.size() != crypto_aead_xchacha20poly1305_ietf_KEYBYTES ||
      lookup_key_.size() != crypto_generichash_KEYBYTES) {
    std::abort();  // configuration validated at start; reaching here is a programming error
  }
}

PiiCipher::~PiiCipher() {
  sodium_memzero(encryption_key_.data(), encryption_key_.size());
  sodium_memzero(lookup_key_.data(), lookup_key_.size());
}

std::string PiiCipher::Seal(absl::string_view plain, absl::string_view context) const {
  constexpr size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  std::string out(kNonce + plain.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  auto* buf = reinterpret_cast<unsigned char*>(out.data());
  randombytes_buf(buf, kNonce);
  unsigned long long len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(buf + kNonce, &len, U(plain), plain.size(), U(context),
                                             context.size(), nullptr, buf, U(encryption_key_));
  out.resize(kNonce + len);
  return out;
}

absl::StatusOr<std::string> PiiCipher::Open(absl::string_view sealed,
                                            absl::string_view context) const {
  constexpr size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  if (sealed.size() < kNonce + crypto_aead_xchacha20poly1305_ietf_ABYTES) {
    return absl::DataLossError("sealed value is truncated");
  }
  std::string out(sealed.size() - kNonce - crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  unsigned long long len = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(out.data()), &len, nullptr, U(sealed) + kNonce,
          sealed.size() - kNonce, U(context), context.size(), U(sealed), U(encryption_key_)) != 0) {
    return absl::DataLossError("sealed value failed authentication");
  }
  out.resize(len);
  return out;
}

std::string PiiCipher::LookupHash(absl::string_view plain) const {
  std::string out(crypto_generichash_BYTES, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(out.data()), out.size(), U(plain),
                     plain.size(), U(lookup_key_), lookup_key_.size());
  return out;
}

}  // namespace fangxian::identity
