// The media URL rule (services/publicity/media_url.h): every accepted form and every
// class of refused link, each with the reason in the message.
#include <gtest/gtest.h>

#include <string>

#include "services/publicity/media_url.h"

namespace fangxian::publicity {
namespace {

constexpr char kField[] = "content.media_url";

::testing::AssertionResult Accepted(const std::string& url) {
  const absl::Status s = CheckMediaUrl(kField, url);
  if (s.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << url << " refused: " << s;
}

// Refused as INVALID_ARGUMENT naming the field, with `why` in the message.
::testing::AssertionResult Refused(const std::string& url, const std::string& why) {
  const absl::Status s = CheckMediaUrl(kField, url);
  if (s.code() != absl::StatusCode::kInvalidArgument) {
    return ::testing::AssertionFailure() << url << ": want INVALID_ARGUMENT, got " << s;
  }
  if (s.message().find(kField) == absl::string_view::npos ||
      s.message().find(why) == absl::string_view::npos) {
    return ::testing::AssertionFailure() << url << ": message lacks \"" << why << "\": " << s;
  }
  return ::testing::AssertionSuccess();
}

TEST(MediaUrlTest, AcceptsPublicHttpAndHttpsLinks) {
  EXPECT_TRUE(Accepted("https://www.example.com/videos/1.mp4"));
  EXPECT_TRUE(Accepted("http://example.com"));
  EXPECT_TRUE(Accepted("HTTPS://Video.Example.COM:8443/a?b=c&d=%E4%BD%A0#t=10"));
  EXPECT_TRUE(Accepted("https://example.com./path"));  // a fully qualified name
  EXPECT_TRUE(Accepted("https://xn--fiqs8s.cn/"));     // punycode
  EXPECT_TRUE(Accepted("https://a-b.c-d.example.cn/x"));
  EXPECT_TRUE(Accepted("http://8.8.8.8/"));
  EXPECT_TRUE(Accepted("http://1.0.0.1:80/x"));
  EXPECT_TRUE(Accepted("http://[2606:4700:4700::1111]/"));
  EXPECT_TRUE(Accepted("http://[2606:4700:4700::1111]:8080/"));
  EXPECT_TRUE(Accepted("https://example.com/" + std::string(2048 - 20, 'a')));
}

TEST(MediaUrlTest, OnlyHttpAndHttps) {
  for (const char* url :
       {"javascript:alert(1)", "JavaScript://example.com/%0aalert(1)", "file:///etc/passwd",
        "file://example.com/x", "data:text/html;base64,PHNjcmlwdD4=", "ftp://example.com/a",
        "gopher://example.com/", "vbscript:msgbox", "example.com/a", "//example.com/a", ":",
        "https", "httpx://example.com/"}) {
    EXPECT_TRUE(Refused(url, "only http and https")) << url;
  }
}

TEST(MediaUrlTest, LengthAndCharacters) {
  EXPECT_TRUE(Refused("", "empty"));
  EXPECT_TRUE(Refused("https://example.com/" + std::string(2048 - 19, 'a'), "over 2048 bytes"));
  EXPECT_TRUE(Refused("https://example.com/a b", "printable ASCII"));
  EXPECT_TRUE(Refused("https://example.com/\ta", "printable ASCII"));
  EXPECT_TRUE(Refused("https://example.com/\na", "printable ASCII"));
  EXPECT_TRUE(Refused(std::string("https://example.com/\0a", 22), "printable ASCII"));
  EXPECT_TRUE(Refused("https://example.com/\x7f", "printable ASCII"));
  EXPECT_TRUE(Refused("https://例子.com/", "printable ASCII"));
  EXPECT_TRUE(Refused(" https://example.com/", "printable ASCII"));
  EXPECT_TRUE(Refused("https://example.com\\@127.0.0.1/", "backslash"));
  EXPECT_TRUE(Refused("https:\\\\example.com", "backslash"));
}

TEST(MediaUrlTest, HostRequiredAndWellFormed) {
  EXPECT_TRUE(Refused("https:example.com", "must have a host"));
  EXPECT_TRUE(Refused("https:/example.com", "must have a host"));
  EXPECT_TRUE(Refused("https://", "must have a host"));
  EXPECT_TRUE(Refused("https:///path", "must have a host"));
  EXPECT_TRUE(Refused("https://:443/", "must have a host"));
  EXPECT_TRUE(Refused("https://./", "must have a host"));
  EXPECT_TRUE(Refused("https://exa_mple.com/", "letters, digits"));
  EXPECT_TRUE(Refused("https://example..com/", "empty label"));
  EXPECT_TRUE(Refused("https://-example.com/", "'-'"));
  EXPECT_TRUE(Refused("https://example-.com/", "'-'"));
  EXPECT_TRUE(Refused("https://" + std::string(64, 'a') + ".com/", "over 63"));
  std::string long_name;
  for (int i = 0; i < 26; ++i) long_name += "abcdefghi.";
  EXPECT_TRUE(Refused("https://" + long_name + "com/", "over 253"));
  EXPECT_TRUE(Refused("https://example.com:0/", "port"));
  EXPECT_TRUE(Refused("https://example.com:65536/", "port"));
  EXPECT_TRUE(Refused("https://example.com:/", "port"));
  EXPECT_TRUE(Refused("https://example.com:http/", "port"));
  EXPECT_TRUE(Refused("https://example.com:+80/", "port"));
  EXPECT_TRUE(Refused("https://[2606:4700::1111/", "closing ]"));
  EXPECT_TRUE(Refused("https://[2606:4700::1111]x/", ":port"));
  EXPECT_TRUE(Refused("https://[example.com]/", "not an IPv6 address"));
  EXPECT_TRUE(Refused("https://exam]ple.com/", "malformed"));
}

TEST(MediaUrlTest, NoUserinfo) {
  EXPECT_TRUE(Refused("https://user@example.com/", "user name or password"));
  EXPECT_TRUE(Refused("https://user:pw@example.com/", "user name or password"));
  EXPECT_TRUE(Refused("https://example.com@127.0.0.1/", "user name or password"));
  EXPECT_TRUE(Refused("https://@example.com/", "user name or password"));
  // An '@' after the host (path, query, fragment) is not userinfo.
  EXPECT_TRUE(Accepted("https://example.com/@user"));
  EXPECT_TRUE(Accepted("https://example.com/?u=a@b"));
  EXPECT_TRUE(Accepted("https://example.com#@x"));
}

TEST(MediaUrlTest, PercentEncodedHostsAreRefused) {
  EXPECT_TRUE(Refused("https://%6c%6f%63%61%6c%68%6f%73%74/", "percent-encoded"));
  EXPECT_TRUE(Refused("https://127.0.0.%31/", "percent-encoded"));
  EXPECT_TRUE(Refused("https://[fe80::1%25eth0]/", "percent-encoded"));
}

TEST(MediaUrlTest, LoopbackIsRefused) {
  EXPECT_TRUE(Refused("http://127.0.0.1/", "loopback"));
  EXPECT_TRUE(Refused("http://127.255.255.254:8080/", "loopback"));
  EXPECT_TRUE(Refused("http://localhost/", "loopback"));
  EXPECT_TRUE(Refused("http://LOCALHOST:3000/", "loopback"));
  EXPECT_TRUE(Refused("http://localhost./", "loopback"));
  EXPECT_TRUE(Refused("http://api.localhost/", "loopback"));
  EXPECT_TRUE(Refused("http://[::1]/", "not a global unicast"));
  EXPECT_TRUE(Refused("http://[0:0:0:0:0:0:0:1]/", "not a global unicast"));
}

TEST(MediaUrlTest, ThisNetworkPrivateSharedAndLinkLocalAreRefused) {
  EXPECT_TRUE(Refused("http://0.0.0.0/", "0.0.0.0/8"));
  EXPECT_TRUE(Refused("http://0.1.2.3/", "0.0.0.0/8"));
  EXPECT_TRUE(Refused("http://10.0.0.1/", "private"));
  EXPECT_TRUE(Refused("http://10.255.255.255/", "private"));
  EXPECT_TRUE(Refused("http://172.16.0.1/", "private"));
  EXPECT_TRUE(Refused("http://172.31.255.255/", "private"));
  EXPECT_TRUE(Accepted("http://172.15.255.255/"));
  EXPECT_TRUE(Accepted("http://172.32.0.1/"));
  EXPECT_TRUE(Refused("http://192.168.1.1/", "private"));
  EXPECT_TRUE(Refused("http://100.64.0.1/", "shared"));
  EXPECT_TRUE(Refused("http://100.127.255.255/", "shared"));
  EXPECT_TRUE(Accepted("http://100.128.0.1/"));
  EXPECT_TRUE(Refused("http://169.254.169.254/latest/meta-data/", "link-local"));
  EXPECT_TRUE(Refused("http://[fc00::1]/", "not a global unicast"));
  EXPECT_TRUE(Refused("http://[fd12:3456::1]/", "not a global unicast"));
  EXPECT_TRUE(Refused("http://[fe80::1]/", "not a global unicast"));
  EXPECT_TRUE(Refused("http://[febf::1]/", "not a global unicast"));
}

TEST(MediaUrlTest, MulticastAndReservedAreRefused) {
  EXPECT_TRUE(Refused("http://224.0.0.1/", "multicast"));
  EXPECT_TRUE(Refused("http://239.255.255.250/", "multicast"));
  EXPECT_TRUE(Refused("http://240.0.0.1/", "reserved"));
  EXPECT_TRUE(Refused("http://255.255.255.255/", "reserved"));
  EXPECT_TRUE(Refused("http://192.0.0.8/", "reserved"));
  EXPECT_TRUE(Refused("http://192.0.2.1/", "documentation"));
  EXPECT_TRUE(Refused("http://198.51.100.7/", "documentation"));
  EXPECT_TRUE(Refused("http://203.0.113.9/", "documentation"));
  EXPECT_TRUE(Refused("http://198.18.0.1/", "benchmarking"));
  EXPECT_TRUE(Refused("http://[ff02::1]/", "not a global unicast"));
  EXPECT_TRUE(Refused("http://[::]/", "not a global unicast"));
  EXPECT_TRUE(Refused("http://[2001:db8::1]/", "documentation"));
  EXPECT_TRUE(Refused("http://[2001:0:4136:e378::1]/", "Teredo"));
  EXPECT_TRUE(Refused("http://[2002:7f00:1::1]/", "6to4"));
  EXPECT_TRUE(Refused("http://[64:ff9b::7f00:1]/", "not a global unicast"));
}

TEST(MediaUrlTest, Ipv4MappedAndCompatibleIpv6AreRefused) {
  EXPECT_TRUE(Refused("http://[::ffff:127.0.0.1]/", "not a global unicast"));
  EXPECT_TRUE(Refused("http://[::ffff:7f00:1]/", "not a global unicast"));
  EXPECT_TRUE(Refused("http://[::ffff:10.0.0.1]/", "not a global unicast"));
  EXPECT_TRUE(Refused("http://[::ffff:169.254.169.254]/", "not a global unicast"));
  EXPECT_TRUE(Refused("http://[::127.0.0.1]/", "not a global unicast"));
}

TEST(MediaUrlTest, NumericSpellingsOtherThanAPlainDottedQuadAreRefused) {
  for (const char* url :
       {"http://2130706433/", "http://0x7f.1/", "http://0x7f000001/", "http://017700000001/",
        "http://0177.0.0.1/", "http://127.1/", "http://127.0.1/", "http://08.8.8.8/",
        "http://8.8.8.8.8/", "http://8.8.8.256/", "http://8.8.8/", "http://1.2.3.4x/",
        "http://example.0x7f/", "http://example.123/", "http://0/", "http://1/",
        "http://3232235777/"}) {
    EXPECT_TRUE(Refused(url, "plain dotted-quad")) << url;
  }
  // Names that merely start with digits are names.
  EXPECT_TRUE(Accepted("https://163.com/"));
  EXPECT_TRUE(Accepted("https://0x7f.example.com/"));
  EXPECT_TRUE(Accepted("https://1password.com/"));
}

TEST(MediaUrlTest, ClusterAndSiteInternalNamesAreRefused) {
  EXPECT_TRUE(Refused("http://identity/", "single-label"));
  EXPECT_TRUE(Refused("http://publicity:50054/", "single-label"));
  EXPECT_TRUE(Refused("http://redis./", "single-label"));
  EXPECT_TRUE(Refused("http://identity.fangxian.svc/", "*.svc"));
  EXPECT_TRUE(Refused("http://identity.fangxian.svc.cluster.local/", "internal"));
  EXPECT_TRUE(Refused("http://kube-dns.kube-system.cluster.local/", "internal"));
  EXPECT_TRUE(Refused("http://printer.local/", "*.local"));
  EXPECT_TRUE(Refused("http://metadata.google.internal/", "*.internal"));
  EXPECT_TRUE(Refused("http://host.localdomain/", "*.localdomain"));
  EXPECT_TRUE(Refused("http://router.home.arpa/", "*.home.arpa"));
  EXPECT_TRUE(Refused("http://SERVICE.NS.SVC.CLUSTER.LOCAL/", "internal"));
  // Only whole labels count.
  EXPECT_TRUE(Accepted("https://svc.example.com/"));
  EXPECT_TRUE(Accepted("https://notlocal.com/"));
  EXPECT_TRUE(Accepted("https://internal.example.cn/"));
}

TEST(MediaUrlTest, TheLastLabelMustBeAPublicLookingTld) {
  const char kWhy[] = "is not a public one";
  // Two-label cluster names: a service in a namespace.
  EXPECT_TRUE(Refused("http://redis.fangxian/", kWhy));
  EXPECT_TRUE(Refused("http://redis.fangxian:6379/", kWhy));
  EXPECT_TRUE(Refused("http://postgres.default/", kWhy));
  EXPECT_TRUE(Refused("http://api.kube-system/", kWhy));
  EXPECT_TRUE(Refused("http://identity.fangxian./", kWhy));  // fully qualified, still internal
  EXPECT_TRUE(Refused("http://Redis.FANGXIAN/", kWhy));
  // Reserved, made-up and less common TLDs.
  EXPECT_TRUE(Refused("https://example.travel/", kWhy));
  EXPECT_TRUE(Refused("https://www.example.example/", kWhy));
  EXPECT_TRUE(Refused("https://www.example.test/", kWhy));
  EXPECT_TRUE(Refused("https://router.lan/", kWhy));
  EXPECT_TRUE(Refused("https://router.corp/", kWhy));
  EXPECT_TRUE(Refused("https://a.c3/", kWhy));  // two characters, not two letters
  EXPECT_TRUE(Refused("https://a.xnfiqs8s/", kWhy));
  EXPECT_TRUE(Refused("https://a.xn-fiqs8s/", kWhy));
  // The message names the TLD and says what is accepted.
  const absl::Status s = CheckMediaUrl(kField, "http://redis.fangxian/");
  EXPECT_NE(s.message().find("\".fangxian\""), absl::string_view::npos) << s;
  EXPECT_NE(s.message().find("two-letter country code"), absl::string_view::npos) << s;

  // Country codes, IDN TLDs and the common generic ones.
  EXPECT_TRUE(Accepted("https://example.cn/"));
  EXPECT_TRUE(Accepted("https://www.gov.cn/"));
  EXPECT_TRUE(Accepted("https://news.xn--fiqs8s/"));  // 新闻.中国 in punycode
  EXPECT_TRUE(Accepted("https://example.com/"));
  EXPECT_TRUE(Accepted("https://EXAMPLE.COM./"));
  EXPECT_TRUE(Accepted("https://example.hk/"));
  EXPECT_TRUE(Accepted("https://v.example.tv/"));
  for (const char* tld :
       {"org",   "net",  "edu",  "gov",    "mil",   "int",  "info",  "biz",   "name",  "pro",
        "top",   "xyz",  "site", "online", "tech",  "news", "media", "video", "app",   "dev",
        "cloud", "live", "art",  "ltd",    "group", "club", "vip",   "shop",  "store", "blog",
        "wiki",  "icu",  "work", "link",   "press", "asia", "mobi"}) {
    EXPECT_TRUE(Accepted(std::string("https://example.") + tld + "/")) << tld;
  }
}

}  // namespace
}  // namespace fangxian::publicity
