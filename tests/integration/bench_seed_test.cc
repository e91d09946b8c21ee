// fx_seed, the benchmark's scaled-up demo data, against a real identity_server: what it
// writes straight into PostgreSQL must read back through the service exactly as records
// the service made (sealed ID numbers found by their keyed hash, households with their
// head), and the counts must be the ones asked for.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "bench/id_number.h"
#include "fangxian/identity/v1/identity.grpc.pb.h"
#include "tests/support/grpc_client.h"
#include "tests/support/identity_fixtures.h"
#include "tests/support/process.h"

namespace fangxian::testing {
namespace {

// Runs fx_seed with `args` against `dsn` and identity's keys; its exit status.
int Seed(const std::string& dsn, const std::vector<std::string>& args, std::string* err) {
  std::map<std::string, std::string> env = IdentityKeysEnv();
  env["FX_PG_DSN"] = dsn;
  ChildProcess seed("bench/fx_seed", env, args);
  const int status = seed.WaitExit(std::chrono::seconds(60));
  *err = seed.Stderr();
  return status;
}

TEST(BenchSeedTest, SeededResidentsHouseholdsPassagesAndViewsReadBackThroughTheServices) {
  TestTokens tokens;
  IdentityUnderTest identity(tokens, "seed");
  const std::string dsn = identity.server().dsn();
  std::string err;
  ASSERT_EQ(Seed(dsn, {"--residents", "20", "--passages", "300", "--views", "1200"}, &err), 0)
      << err;

  // A seeded ID number resolves, through identity, to its resident and household.
  const bench::IdNumberGenerator ids;
  identity::v1::ResolveIdNumberRequest req;
  req.set_id_number(ids.ForIndex(7));
  identity::v1::PersonSummary person;
  const std::string admin = tokens.Mint("seed-admin", {"subdistrict_admin"}, {"gongyi"});
  grpc::Status st = identity::v1::IdentityService::NewStub(identity.server().channel())
                        ->ResolveIdNumber(CallContextWith(admin).get(), req, &person);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(person.name(), "Scale Resident 7");
  EXPECT_EQ(person.id_number().substr(0, 3), "410");
  EXPECT_NE(person.id_number(), ids.ForIndex(7));            // masked
  EXPECT_EQ(person.household_card_number(), "HK-00000001");  // residents 5..9

  auto count = [&](const std::string& sql) { return identity.server().Query(sql).at(0); };
  EXPECT_EQ(count("SELECT count(*) FROM identity.residents"), "20");
  EXPECT_EQ(count("SELECT count(*) FROM identity.households"), "4");
  EXPECT_EQ(count("SELECT count(*) FROM identity.households h JOIN identity.household_members m "
                  "ON m.household_id = h.household_id AND m.resident_id = h.head_resident_id"),
            "4");
  EXPECT_EQ(count("SELECT count(*) FROM checkpoint.passages"), "300");
  EXPECT_EQ(count("SELECT count(*) FROM checkpoint.passage_requests"), "300");
  EXPECT_EQ(count("SELECT count(DISTINCT checkpoint_id) FROM checkpoint.passages"), "50");
  EXPECT_EQ(count("SELECT count(DISTINCT resident_id) FROM checkpoint.passages p "
                  "JOIN identity.residents r USING (resident_id)"),
            "20");  // each seeded resident passed; no passage of no one
  EXPECT_EQ(count("SELECT count(*) FROM checkpoint.passages WHERE resident_id IS NULL"), "0");
  EXPECT_EQ(count("SELECT count(*) FROM publicity.content_views"), "1200");
  EXPECT_EQ(count("SELECT count(*) FROM publicity.live_contents"), "500");
  EXPECT_EQ(count("SELECT count(*) FROM publicity.content_versions"), "500");

  // Seeding a range again fails on the ID numbers and adds nothing; the next range adds.
  EXPECT_EQ(Seed(dsn, {"--residents", "10", "--first-index", "10"}, &err), 1);
  EXPECT_NE(err.find("residents 10..19"), std::string::npos) << err;
  EXPECT_EQ(count("SELECT count(*) FROM identity.residents"), "20");
  ASSERT_EQ(Seed(dsn, {"--residents", "10", "--first-index", "20", "--passages", "100"}, &err), 0)
      << err;
  EXPECT_EQ(count("SELECT count(*) FROM identity.residents"), "30");
  EXPECT_EQ(count("SELECT count(*) FROM checkpoint.passages"), "400");
  {
    // Passages seal nothing: they are seeded without the PII keys.
    ChildProcess seed("bench/fx_seed", {{"FX_PG_DSN", dsn}}, {"--passages", "100"});
    EXPECT_EQ(seed.WaitExit(std::chrono::seconds(60)), 0) << seed.Stderr();
  }
  EXPECT_EQ(count("SELECT count(*) FROM checkpoint.passages"), "500");

  // Bad arguments are refused before anything is written.
  EXPECT_EQ(Seed(dsn, {"--residents", "7"}, &err), 2);
  EXPECT_NE(err.find("multiples of 5"), std::string::npos) << err;
  EXPECT_EQ(Seed(dsn, {}, &err), 2);
}

}  // namespace
}  // namespace fangxian::testing
