// The client address behind trusted proxies (gateway/client_address.h).
#include "gateway/client_address.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace fangxian::gateway {
namespace {

using ::testing::HasSubstr;

TrustedProxies Proxies(absl::string_view list) {
  absl::StatusOr<TrustedProxies> p = TrustedProxies::Parse(list);
  EXPECT_TRUE(p.ok()) << p.status();
  return p.ok() ? *p : TrustedProxies();
}

TEST(TrustedProxies, ParsesAddressesAndBlocksOfBothFamilies) {
  const TrustedProxies p = Proxies(" 10.0.0.0/8, 192.0.2.7 ,fd00::/8,2001:db8::1");
  EXPECT_TRUE(p.Contains("10.1.2.3"));
  EXPECT_TRUE(p.Contains("::ffff:10.9.9.9")) << "IPv4-mapped is the IPv4 address";
  EXPECT_TRUE(p.Contains("192.0.2.7"));
  EXPECT_FALSE(p.Contains("192.0.2.8"));
  EXPECT_TRUE(p.Contains("fd12:3456::1"));
  EXPECT_TRUE(p.Contains("2001:db8::1"));
  EXPECT_FALSE(p.Contains("2001:db8::2"));
  EXPECT_FALSE(p.Contains("11.0.0.1"));
  EXPECT_FALSE(p.Contains("not an address"));
  EXPECT_FALSE(p.Contains(""));
}

TEST(TrustedProxies, PrefixesNeedNotEndOnAByte) {
  const TrustedProxies p = Proxies("172.16.0.0/12");
  EXPECT_TRUE(p.Contains("172.31.255.255"));
  EXPECT_FALSE(p.Contains("172.32.0.0"));
  EXPECT_FALSE(p.Contains("172.15.255.255"));
  const TrustedProxies all = Proxies("0.0.0.0/0");
  EXPECT_TRUE(all.Contains("8.8.8.8"));
  EXPECT_FALSE(all.Contains("::1")) << "families stay apart";
}

TEST(TrustedProxies, RefusesWhatIsNotAnAddressOrBlockNamingIt) {
  for (absl::string_view bad : {"10.0.0.0/33", "fd00::/129", "proxy.example", "10.0.0.0/x",
                                "10.0.0.0/-1", "::ffff:10.0.0.0/104"}) {
    absl::StatusOr<TrustedProxies> p = TrustedProxies::Parse(bad);
    ASSERT_FALSE(p.ok()) << bad;
    EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(p.status().message(), HasSubstr(std::string(bad)));
  }
  EXPECT_TRUE(TrustedProxies::Parse("").ok());
  EXPECT_TRUE(TrustedProxies::Parse("").value().empty());
}

TEST(TrustedProxies, WithoutProxiesTheHeaderIsIgnored) {
  const TrustedProxies none;
  EXPECT_EQ(none.ClientAddress("198.51.100.4", "203.0.113.9"), "198.51.100.4");
}

TEST(TrustedProxies, FromAnUntrustedPeerTheHeaderIsIgnored) {
  const TrustedProxies p = Proxies("10.0.0.0/8");
  EXPECT_EQ(p.ClientAddress("198.51.100.4", "203.0.113.9"), "198.51.100.4");
}

TEST(TrustedProxies, TheClientIsTheRightMostUntrustedHop) {
  const TrustedProxies p = Proxies("10.0.0.0/8");
  // The client may write anything on the left; the proxies append on the right.
  EXPECT_EQ(p.ClientAddress("10.0.0.2", "1.1.1.1, 203.0.113.9"), "203.0.113.9");
  EXPECT_EQ(p.ClientAddress("10.0.0.2", "1.1.1.1, 203.0.113.9, 10.4.4.4"), "203.0.113.9");
  EXPECT_EQ(p.ClientAddress("10.0.0.2", "[2001:db8::7]:5555"), "2001:db8::7");
  EXPECT_EQ(p.ClientAddress("10.0.0.2", "203.0.113.9:443"), "203.0.113.9");
}

TEST(TrustedProxies, AGarbledOrMissingHeaderLeavesTheLastTrustedHop) {
  const TrustedProxies p = Proxies("10.0.0.0/8");
  EXPECT_EQ(p.ClientAddress("10.0.0.2", ""), "10.0.0.2");
  EXPECT_EQ(p.ClientAddress("10.0.0.2", "unknown"), "10.0.0.2");
  EXPECT_EQ(p.ClientAddress("10.0.0.2", "203.0.113.9, garbage, 10.4.4.4"), "10.4.4.4");
  // Every hop trusted: the left-most.
  EXPECT_EQ(p.ClientAddress("10.0.0.2", "10.7.7.7, 10.4.4.4"), "10.7.7.7");
}

}  // namespace
}  // namespace fangxian::gateway
