#include "services/publicity/media_url.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace fangxian::publicity {
namespace {

absl::Status Refuse(absl::string_view field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", why));
}

struct V4Range {
  uint32_t base;
  int prefix;
  const char* what;
};

constexpr uint32_t V4(uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
  return (a << 24) | (b << 16) | (c << 8) | d;
}

// Addresses a public link must not point at (RFC 6890 special-purpose ranges).
constexpr std::array<V4Range, 14> kRefusedV4 = {{
    {V4(0, 0, 0, 0), 8, "a \"this network\" address (0.0.0.0/8)"},
    {V4(10, 0, 0, 0), 8, "a private address (10.0.0.0/8)"},
    {V4(100, 64, 0, 0), 10, "a shared (carrier-grade NAT) address (100.64.0.0/10)"},
    {V4(127, 0, 0, 0), 8, "a loopback address (127.0.0.0/8)"},
    {V4(169, 254, 0, 0), 16, "a link-local address (169.254.0.0/16)"},
    {V4(172, 16, 0, 0), 12, "a private address (172.16.0.0/12)"},
    {V4(192, 0, 0, 0), 24, "a reserved address (192.0.0.0/24)"},
    {V4(192, 0, 2, 0), 24, "a documentation address (192.0.2.0/24)"},
    {V4(192, 168, 0, 0), 16, "a private address (192.168.0.0/16)"},
    {V4(198, 18, 0, 0), 15, "a benchmarking address (198.18.0.0/15)"},
    {V4(198, 51, 100, 0), 24, "a documentation address (198.51.100.0/24)"},
    {V4(203, 0, 113, 0), 24, "a documentation address (203.0.113.0/24)"},
    {V4(224, 0, 0, 0), 4, "a multicast address (224.0.0.0/4)"},
    {V4(240, 0, 0, 0), 4, "a reserved address (240.0.0.0/4)"},
}};

bool InV4Range(uint32_t addr, const V4Range& r) {
  const uint32_t mask = r.prefix == 0 ? 0 : ~uint32_t{0} << (32 - r.prefix);
  return (addr & mask) == (r.base & mask);
}

// A canonical dotted quad: four decimal parts 0..255 without leading zeros.
bool ParseCanonicalV4(absl::string_view host, uint32_t* addr) {
  const std::vector<absl::string_view> parts = absl::StrSplit(host, '.');
  if (parts.size() != 4) return false;
  uint32_t out = 0;
  for (absl::string_view p : parts) {
    if (p.empty() || p.size() > 3) return false;
    for (char c : p) {
      if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
    }
    if (p.size() > 1 && p[0] == '0') return false;  // octal-looking spellings
    uint32_t v = 0;
    if (!absl::SimpleAtoi(p, &v) || v > 255) return false;
    out = (out << 8) | v;
  }
  *addr = out;
  return true;
}

absl::Status CheckV4(absl::string_view field, absl::string_view host) {
  uint32_t addr = 0;
  if (!ParseCanonicalV4(host, &addr)) {
    return Refuse(field,
                  "a numeric host must be a plain dotted-quad IPv4 address (four decimal parts "
                  "0..255 without leading zeros); integer, hex and octal spellings are refused");
  }
  for (const V4Range& r : kRefusedV4) {
    if (InV4Range(addr, r)) return Refuse(field, absl::StrCat("the host is ", r.what));
  }
  return absl::OkStatus();
}

absl::Status CheckV6(absl::string_view field, absl::string_view host) {
  in6_addr a{};
  const std::string text(host);
  if (inet_pton(AF_INET6, text.c_str(), &a) != 1) {
    return Refuse(field, "the host between [ and ] is not an IPv6 address");
  }
  const uint8_t* b = a.s6_addr;
  // Global unicast is 2000::/3; everything else (loopback ::1, unspecified ::,
  // IPv4-mapped ::ffff:0:0/96, IPv4-compatible, unique-local fc00::/7, link-local
  // fe80::/10, multicast ff00::/8, the rest of the reserved space) falls outside it.
  if ((b[0] & 0xe0) != 0x20) {
    return Refuse(field,
                  "the host is not a global unicast IPv6 address (loopback, IPv4-mapped, "
                  "unique-local, link-local, multicast and reserved addresses are refused)");
  }
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) {
    return Refuse(field, "the host is an IPv6 documentation address (2001:db8::/32)");
  }
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x00 && b[3] == 0x00) {
    return Refuse(field, "the host is a Teredo IPv6 address (2001::/32), which embeds IPv4");
  }
  if (b[0] == 0x20 && b[1] == 0x02) {
    return Refuse(field, "the host is a 6to4 IPv6 address (2002::/16), which embeds IPv4");
  }
  return absl::OkStatus();
}

// Suffixes of names that only resolve inside a site or cluster.
constexpr std::array<absl::string_view, 6> kInternalSuffixes = {
    ".local", ".localdomain", ".internal", ".svc", ".cluster.local", ".home.arpa"};

// Generic top-level domains accepted besides two-letter country codes and IDN (xn--)
// TLDs; a name under any other last label (a cluster's namespace such as "default" or
// "kube-system", a made-up or reserved TLD) is refused. Sorted, for binary search.
constexpr std::array<absl::string_view, 64> kGenericTlds = {
    "app",    "art",  "asia",   "biz",   "blog",  "center", "cloud",  "club",  "com",   "design",
    "dev",    "edu",  "email",  "fun",   "games", "gov",    "group",  "icu",   "info",  "int",
    "link",   "live", "ltd",    "media", "mil",   "mobi",   "music",  "name",  "net",   "network",
    "news",   "one",  "online", "org",   "page",  "photo",  "photos", "pics",  "plus",  "press",
    "pro",    "pub",  "run",    "shop",  "show",  "site",   "social", "space", "store", "stream",
    "studio", "team", "tech",   "today", "top",   "tube",   "video",  "vip",   "web",   "website",
    "wiki",   "work", "world",  "xyz"};

constexpr bool Sorted() {
  for (size_t i = 1; i < kGenericTlds.size(); ++i) {
    if (!(kGenericTlds[i - 1] < kGenericTlds[i])) return false;
  }
  return true;
}
static_assert(Sorted(), "kGenericTlds must stay sorted for binary_search");

// Whether `tld` (a lower-case label) looks like a public top-level domain.
bool PublicTld(absl::string_view tld) {
  if (tld.size() == 2 && absl::ascii_isalpha(static_cast<unsigned char>(tld[0])) &&
      absl::ascii_isalpha(static_cast<unsigned char>(tld[1]))) {
    return true;  // a country code (cn, hk, uk, ...)
  }
  if (tld.size() > 4 && absl::StartsWith(tld, "xn--")) return true;  // 中国 = xn--fiqs8s
  return std::binary_search(kGenericTlds.begin(), kGenericTlds.end(), tld);
}

absl::Status CheckName(absl::string_view field, absl::string_view host) {
  if (host.size() > 253) return Refuse(field, "the host name is over 253 characters");
  const std::vector<absl::string_view> labels = absl::StrSplit(host, '.');
  for (absl::string_view label : labels) {
    if (label.empty()) return Refuse(field, "the host name has an empty label");
    if (label.size() > 63) return Refuse(field, "a label of the host name is over 63 characters");
    for (char c : label) {
      if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-') {
        return Refuse(field,
                      "the host name may hold only letters, digits, '-' and '.' (write "
                      "internationalised names in punycode)");
      }
    }
    if (label.front() == '-' || label.back() == '-') {
      return Refuse(field, "a label of the host name starts or ends with '-'");
    }
  }
  if (host == "localhost" || absl::EndsWith(host, ".localhost")) {
    return Refuse(field, "the host is loopback (localhost)");
  }
  if (labels.size() < 2) {
    return Refuse(field,
                  "the host is a single-label (cluster-internal) name; use a public domain name");
  }
  for (absl::string_view suffix : kInternalSuffixes) {
    if (absl::EndsWith(host, suffix)) {
      return Refuse(field, absl::StrCat("the host is a site- or cluster-internal name (*", suffix,
                                        "); use a public domain name"));
    }
  }
  if (!PublicTld(labels.back())) {
    return Refuse(field, absl::StrCat("the host's top-level domain \".", labels.back(),
                                      "\" is not a public one (a two-letter country code, an xn-- "
                                      "internationalised TLD or a common generic TLD such as .com, "
                                      ".org, .net); cluster-internal names are refused"));
  }
  return absl::OkStatus();
}

absl::Status CheckPort(absl::string_view field, absl::string_view port) {
  uint32_t n = 0;
  bool digits = !port.empty() && port.size() <= 5;
  for (char c : port) digits = digits && absl::ascii_isdigit(static_cast<unsigned char>(c));
  if (!digits || !absl::SimpleAtoi(port, &n) || n < 1 || n > 65535) {
    return Refuse(field, "the port must be a number from 1 to 65535");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckMediaUrl(absl::string_view field, absl::string_view url) {
  if (url.empty()) return Refuse(field, "the URL is empty");
  if (url.size() > kMaxMediaUrlBytes) {
    return Refuse(field, absl::StrCat("the URL is over ", kMaxMediaUrlBytes, " bytes"));
  }
  for (char ch : url) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7f) {
      return Refuse(field,
                    "the URL may hold only printable ASCII without spaces (percent-encode other "
                    "characters in the path)");
    }
    // Browsers read '\' as '/' in http(s) URLs, so it could move where the host ends.
    if (c == '\\') return Refuse(field, "the URL must not contain a backslash");
  }
  const size_t colon = url.find(':');
  const std::string scheme =
      absl::AsciiStrToLower(url.substr(0, colon == absl::string_view::npos ? 0 : colon));
  if (scheme != "http" && scheme != "https") {
    return Refuse(field, "only http and https URLs are accepted");
  }
  absl::string_view rest = url.substr(colon + 1);
  if (!absl::ConsumePrefix(&rest, "//")) {
    return Refuse(field, "the URL must have a host (http://host/...)");
  }
  absl::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.find('@') != absl::string_view::npos) {
    return Refuse(field, "the URL must not contain a user name or password (user@host)");
  }
  if (authority.find('%') != absl::string_view::npos) {
    return Refuse(field, "the host must not be percent-encoded");
  }
  absl::string_view host = authority;
  absl::string_view port;
  bool bracketed = false;
  if (absl::ConsumePrefix(&host, "[")) {
    const size_t close = host.find(']');
    if (close == absl::string_view::npos) return Refuse(field, "the IPv6 host has no closing ]");
    absl::string_view after = host.substr(close + 1);
    host = host.substr(0, close);
    bracketed = true;
    if (!after.empty()) {
      if (!absl::ConsumePrefix(&after, ":")) {
        return Refuse(field, "only a :port may follow the IPv6 host");
      }
      port = after;
      if (auto s = CheckPort(field, port); !s.ok()) return s;
    }
  } else if (const size_t c = host.rfind(':'); c != absl::string_view::npos) {
    port = host.substr(c + 1);
    host = host.substr(0, c);
    if (auto s = CheckPort(field, port); !s.ok()) return s;
  }
  if (host.empty()) return Refuse(field, "the URL must have a host (http://host/...)");
  if (bracketed) return CheckV6(field, host);
  if (host.find_first_of("[]") != absl::string_view::npos) {
    return Refuse(field, "the host is malformed");
  }
  std::string lower = absl::AsciiStrToLower(host);
  // "localhost." and "localhost" are the same name to a resolver.
  absl::string_view name = lower;
  absl::ConsumeSuffix(&name, ".");
  if (name.empty()) return Refuse(field, "the URL must have a host (http://host/...)");
  // As browsers do (WHATWG URL), a host whose last label starts with a digit is read as
  // an IPv4 address, in any of its decimal, octal or hex spellings; only the plain one is
  // accepted, so what the page shows is where it goes.
  const size_t last_dot = name.rfind('.');
  const absl::string_view last_label =
      last_dot == absl::string_view::npos ? name : name.substr(last_dot + 1);
  if (!last_label.empty() && absl::ascii_isdigit(static_cast<unsigned char>(last_label[0]))) {
    return CheckV4(field, name);
  }
  return CheckName(field, name);
}

}  // namespace fangxian::publicity
