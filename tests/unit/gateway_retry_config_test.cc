// The retry service config the gateway gives its upstream channels: reads are retried on
// UNAVAILABLE, except the reads that are expensive or audited per call.
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gateway/upstream.h"

namespace fangxian::gateway {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kGetResident[] = "/fangxian.identity.v1.IdentityService/GetResident";
constexpr char kExport[] = "/fangxian.identity.v1.ResidentImportService/ExportResidents";

TEST(RetryServiceConfigTest, NamesTheReadsGivenWithAnUnavailableOnlyPolicy) {
  const std::string config = RetryServiceConfig({kGetResident}, 3);
  EXPECT_THAT(config, HasSubstr("{\"service\":\"fangxian.identity.v1.IdentityService\","
                                "\"method\":\"GetResident\"}"));
  EXPECT_THAT(config, HasSubstr("\"maxAttempts\":3"));
  EXPECT_THAT(config, HasSubstr("\"retryableStatusCodes\":[\"UNAVAILABLE\"]"));
}

TEST(RetryServiceConfigTest, ExportResidentsIsNeverRetried) {
  // A GET, so RouteTable::ReadMethods lists it, but each call is a whole-area export with
  // an audit row.
  const std::string config = RetryServiceConfig({kGetResident, kExport}, 3);
  EXPECT_THAT(config, HasSubstr("\"method\":\"GetResident\""));
  EXPECT_THAT(config, Not(HasSubstr("ExportResidents")));
  EXPECT_EQ(RetryServiceConfig({kExport}, 3), "");
}

TEST(RetryServiceConfigTest, OneAttemptMeansNoPolicy) {
  EXPECT_EQ(RetryServiceConfig({kGetResident}, 1), "");
}

}  // namespace
}  // namespace fangxian::gateway
