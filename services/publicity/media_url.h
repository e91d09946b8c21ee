// Media URLs of content items: links the public pages show, never fetched by the server.
// Front ends and players do fetch them, so a link must not point a viewer's browser (or a
// device inside the government network) at loopback, private, link-local or
// cluster-internal addresses, and must not hide where it points (userinfo, numeric or
// percent-encoded host spellings). Names that merely resolve to such addresses through
// public DNS are not caught: nothing here resolves names.
#ifndef FANGXIAN_SERVICES_PUBLICITY_MEDIA_URL_H_
#define FANGXIAN_SERVICES_PUBLICITY_MEDIA_URL_H_

#include <cstddef>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace fangxian::publicity {

inline constexpr size_t kMaxMediaUrlBytes = 2048;

// OK when `url` is an acceptable media URL: http or https (any case), "//" and a host,
// at most kMaxMediaUrlBytes of printable ASCII without spaces or backslashes, no
// userinfo, an optional port 1..65535, and a host that is
//   - a DNS name of [a-z0-9-] labels (1..63 characters, no leading or trailing '-'),
//     at least two labels, not localhost or *.localhost, not ending in .local,
//     .localdomain, .internal, .svc, .cluster.local or .home.arpa, whose last label
//     does not start with a digit and is a public-looking top-level domain: two ASCII
//     letters (a country code: cn, hk, ...), an internationalised TLD in punycode
//     (xn--..., e.g. xn--fiqs8s for 中国) or one of a built-in list of common generic
//     TLDs (com, org, net, edu, gov, info, top, xyz, site, news, video, app, cloud, ...;
//     media_url.cc kGenericTlds). Any other last label is refused, so cluster names such
//     as redis.fangxian or postgres.default, and less common generic TLDs (.travel), are
//     refused too; or
//   - a canonical dotted-quad IPv4 address (four decimal parts 0..255, no leading zeros)
//     outside 0/8, 10/8, 100.64/10, 127/8, 169.254/16, 172.16/12, 192.0.0/24, 192.0.2/24,
//     192.168/16, 198.18/15, 198.51.100/24, 203.0.113/24, 224/4 and 240/4; or
//   - a bracketed IPv6 address in global unicast 2000::/3 outside the documentation
//     (2001:db8::/32), Teredo (2001::/32) and 6to4 (2002::/16) ranges. Loopback,
//     unspecified, IPv4-mapped or -compatible, unique-local, link-local, multicast and
//     the other reserved ranges fall outside 2000::/3.
// Otherwise INVALID_ARGUMENT "<field>: <why>".
absl::Status CheckMediaUrl(absl::string_view field, absl::string_view url);

}  // namespace fangxian::publicity

#endif  // FANGXIAN_SERVICES_PUBLICITY_MEDIA_URL_H_
