#include "gateway/client_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace fangxian::gateway {
namespace {

struct Address {
  int family = 0;
  std::array<uint8_t, 16> bytes{};
};

// An address in its own family; an IPv4-mapped IPv6 address as the IPv4 one. A zone
// ("%eth0") is dropped, as are the brackets and port of "[::1]:443" or "1.2.3.4:80"
// (some proxies write those).
std::optional<Address> ParseAddress(absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  if (absl::ConsumePrefix(&text, "[")) {
    const size_t close = text.find(']');
    if (close == absl::string_view::npos) return std::nullopt;
    text = text.substr(0, close);
  } else if (text.find(':') == text.rfind(':') && text.find('.') != absl::string_view::npos) {
    text = text.substr(0, text.find(':'));  // IPv4 with a port
  }
  const std::string host(text.substr(0, text.find('%')));
  Address a;
  in_addr v4;
  in6_addr v6;
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    a.family = AF_INET;
    std::memcpy(a.bytes.data(), &v4, 4);
    return a;
  }
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_V4MAPPED(&v6)) {
      a.family = AF_INET;
      std::memcpy(a.bytes.data(), v6.s6_addr + 12, 4);
    } else {
      a.family = AF_INET6;
      std::memcpy(a.bytes.data(), v6.s6_addr, 16);
    }
    return a;
  }
  return std::nullopt;
}

std::string Text(const Address& a) {
  char out[INET6_ADDRSTRLEN];
  if (inet_ntop(a.family, a.bytes.data(), out, sizeof out) == nullptr) return "";
  return out;
}

}  // namespace

absl::StatusOr<TrustedProxies> TrustedProxies::Parse(absl::string_view list) {
  TrustedProxies out;
  for (absl::string_view part : absl::StrSplit(list, ',', absl::SkipWhitespace())) {
    const absl::string_view entry = absl::StripAsciiWhitespace(part);
    const size_t slash = entry.find('/');
    const std::optional<Address> a = ParseAddress(entry.substr(0, slash));
    const int max_prefix = a && a->family == AF_INET ? 32 : 128;
    int prefix = max_prefix;
    if (a && a->family == AF_INET && slash != absl::string_view::npos &&
        entry.substr(0, slash).find(':') != absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("\"", entry, "\": write an IPv4-mapped block as IPv4 (10.0.0.0/8)"));
    }
    if (!a ||
        (slash != absl::string_view::npos && (!absl::SimpleAtoi(entry.substr(slash + 1), &prefix) ||
                                              prefix < 0 || prefix > max_prefix))) {
      return absl::InvalidArgumentError(absl::StrCat(
          "\"", entry, "\" is not an IP address or CIDR block (10.0.0.0/8, fd00::/8)"));
    }
    out.blocks_.push_back({a->family, a->bytes, prefix});
  }
  return out;
}

bool TrustedProxies::Contains(absl::string_view address) const {
  if (blocks_.empty()) return false;
  const std::optional<Address> a = ParseAddress(address);
  if (!a) return false;
  for (const Block& b : blocks_) {
    if (b.family != a->family) continue;
    const int whole = b.prefix / 8;
    const int rest = b.prefix % 8;
    if (std::memcmp(b.bytes.data(), a->bytes.data(), whole) != 0) continue;
    if (rest > 0) {
      const uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
      if ((b.bytes[whole] & mask) != (a->bytes[whole] & mask)) continue;
    }
    return true;
  }
  return false;
}

std::string TrustedProxies::ClientAddress(absl::string_view peer,
                                          absl::string_view forwarded_for) const {
  if (!Contains(peer)) return std::string(peer);
  std::string client(peer);
  const std::vector<absl::string_view> hops = absl::StrSplit(forwarded_for, ',');
  for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
    const std::optional<Address> a = ParseAddress(*it);
    if (!a) break;
    client = Text(*a);
    if (!Contains(client)) break;
  }
  return client;
}

}  // namespace fangxian::gateway
