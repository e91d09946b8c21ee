// Who the client is, behind proxies. A request reaching the gateway through an ingress
// or load balancer comes from the proxy's address, so every client would share one
// rate-limit bucket. When the connection comes from a configured trusted proxy
// (FX_TRUSTED_PROXIES), the client is taken from X-Forwarded-For instead: the right-most
// address that is not itself a trusted proxy (entries further left were written by the
// client and may be forged). From any other peer the header is ignored.
#ifndef FANGXIAN_GATEWAY_CLIENT_ADDRESS_H_
#define FANGXIAN_GATEWAY_CLIENT_ADDRESS_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace fangxian::gateway {

class TrustedProxies {
 public:
  // `list`: comma-separated addresses or CIDR blocks ("10.0.0.0/8, fd00::/8, 192.0.2.7");
  // empty: none (X-Forwarded-For is never read). INVALID_ARGUMENT names the first entry
  // that is not one.
  static absl::StatusOr<TrustedProxies> Parse(absl::string_view list);

  TrustedProxies() = default;  // none

  bool empty() const { return blocks_.empty(); }
  // Whether `address` (IPv4, IPv6, IPv4-mapped IPv6, or a scoped "fe80::1%eth0") is in a
  // trusted block; false for anything that is not an address.
  bool Contains(absl::string_view address) const;

  // The client's address: `peer` itself unless it is a trusted proxy; then, walking
  // `forwarded_for` (the X-Forwarded-For values in order, joined by commas) from the
  // right, the first address not trusted. The walk stops at an entry that is not an
  // address (the last trusted one is the client then), and when every entry is trusted
  // the left-most is.
  std::string ClientAddress(absl::string_view peer, absl::string_view forwarded_for) const;

 private:
  struct Block {
    int family = 0;  // AF_INET or AF_INET6
    std::array<uint8_t, 16> bytes{};
    int prefix = 0;  // bits
  };
  std::vector<Block> blocks_;
};

}  // namespace fangxian::gateway

#endif  // FANGXIAN_GATEWAY_CLIENT_ADDRESS_H_
