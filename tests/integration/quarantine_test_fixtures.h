// Fixtures shared by the quarantine check-in and service request tests: isolation orders
// written straight into the server's database (the order RPCs belong to another part of
// the service and are tested there), and tokens as identity issues them to residents.
#ifndef FANGXIAN_TESTS_INTEGRATION_QUARANTINE_TEST_FIXTURES_H_
#define FANGXIAN_TESTS_INTEGRATION_QUARANTINE_TEST_FIXTURES_H_

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "fangxian/auth/v1/token.pb.h"
#include "tests/support/service_under_test.h"

namespace fangxian::testing {

// A new lower-case UUID from the server's database.
inline std::string NewUuid(ServiceUnderTest& server) {
  return server.Query("SELECT gen_random_uuid()::text").at(0);
}

// Test fixture only: inserts an isolation order for `household_id` in `area_code` with
// `members`, starting `start_offset_days` from today (China time; negative: in the past)
// and made `made_hours_ago` hours ago, expecting `checkins_per_day` check-ins a day.
// Returns the order id.
inline std::string InsertIsolationOrderForTest(ServiceUnderTest& server,
                                               const std::string& household_id,
                                               const std::string& area_code,
                                               const std::vector<std::string>& members,
                                               int start_offset_days = -2, int made_hours_ago = 72,
                                               int checkins_per_day = 2) {
  const std::string order_id = NewUuid(server);
  server.Query(absl::StrCat(
      "INSERT INTO quarantine.isolation_orders (order_id, household_id, area_code, start_date, "
      "period_days, checkins_per_day, created_by, created_at) VALUES ('",
      order_id, "', '", household_id, "', '", area_code,
      "', (now() AT TIME ZONE 'Asia/Shanghai')::date + ", start_offset_days, ", 14, ",
      checkins_per_day, ", 'test-fixture', now() - interval '", made_hours_ago, " hours')"));
  for (size_t i = 0; i < members.size(); ++i) {
    server.Query(absl::StrCat(
        "INSERT INTO quarantine.isolation_order_members (order_id, resident_id, name) VALUES ('",
        order_id, "', '", members[i], "', 'member ", i + 1, "')"));
  }
  return order_id;
}

// Test fixture only: marks the order released now.
inline void ReleaseIsolationOrderForTest(ServiceUnderTest& server, const std::string& order_id) {
  server.Query(absl::StrCat(
      "UPDATE quarantine.isolation_orders SET released_at = now(), released_by = 'test', "
      "release_reason = 'test' WHERE order_id = '",
      order_id, "'"));
}

// A token as identity issues it to a signed-in resident (kind "resident", subject = their
// resident id, role "resident" over their area).
inline std::string ResidentToken(const TestTokens& tokens, const std::string& resident_id,
                                 const std::string& area_code) {
  auth::v1::TokenClaims claims;
  claims.set_sub(resident_id);
  claims.set_aud("fangxian");
  claims.set_kind("resident");
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  claims.set_iat(now);
  claims.set_exp(now + 600);
  auth::v1::Grant* g = claims.add_grants();
  g->set_role("resident");
  g->set_area(area_code);
  return tokens.signer().Sign(claims);
}

}  // namespace fangxian::testing

#endif  // FANGXIAN_TESTS_INTEGRATION_QUARANTINE_TEST_FIXTURES_H_
