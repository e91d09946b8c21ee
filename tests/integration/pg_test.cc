// The PostgreSQL layer against a real server: pool, parameters, error mapping and
// migrations (including several replicas migrating at once).
#include <gtest/gtest.h>

#include <thread>

#include "common/migrate.h"
#include "common/pg.h"
#include "tests/support/test_env.h"

namespace fangxian::common {
namespace {

PgPool::Options OptionsFor(const std::string& dsn) {
  PgPool::Options o;
  o.dsn = dsn;
  o.size = 4;
  return o;
}

const std::vector<Migration> kMigrations = {
    {1, "001_items", "CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, data bytea);"},
    {2, "002_index", "CREATE INDEX items_name_idx ON items (name);"},
};

TEST(PgTest, ParametersBytesAndErrorMapping) {
  PgPool pool(OptionsFor(testing::CreateScratchDatabase("pg")));
  ASSERT_TRUE(Migrate(pool, "t1", kMigrations).ok());
  auto conn = pool.Acquire();
  ASSERT_TRUE(conn.ok()) << conn.status();
  const std::string raw("\x00\x01\xff'\";--", 8);
  auto ins = conn->Exec("INSERT INTO t1.items (id, name, data) VALUES ($1, $2, $3)",
                        {"1", "Robert'); DROP TABLE items;--", PgBytea(raw)});
  ASSERT_TRUE(ins.ok()) << ins.status();
  EXPECT_EQ(ins->affected(), 1);
  auto sel = conn->Exec("SELECT name, data, NULL FROM t1.items WHERE id = $1", {"1"});
  ASSERT_TRUE(sel.ok());
  ASSERT_EQ(sel->rows(), 1);
  EXPECT_EQ(sel->Get(0, 0), "Robert'); DROP TABLE items;--");
  EXPECT_EQ(sel->GetBytes(0, 1), raw);
  EXPECT_TRUE(sel->IsNull(0, 2));

  auto dup = conn->Exec("INSERT INTO t1.items (id, name) VALUES ($1, $2)", {"1", "again"});
  EXPECT_EQ(dup.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_NE(dup.status().message().find("items_pkey"), absl::string_view::npos);
  // Row values never reach the message.
  EXPECT_EQ(dup.status().message().find("again"), absl::string_view::npos);
  auto null = conn->Exec("INSERT INTO t1.items (id, name) VALUES ($1, $2)", {"2", std::nullopt});
  EXPECT_EQ(null.status().code(), absl::StatusCode::kInternal);  // not-null: a bug of ours
  auto bad_int = conn->Exec("SELECT $1::int", {"abc"});
  EXPECT_EQ(bad_int.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(PgTest, TextArrayParameterRoundTrips) {
  PgPool pool(OptionsFor(testing::CreateScratchDatabase("pga")));
  auto conn = pool.Acquire();
  ASSERT_TRUE(conn.ok());
  const std::vector<std::string> values = {"gongyi.a", "quote\"d", "back\\slash", "", "逗,号"};
  auto r = conn->Exec("SELECT unnest($1::text[])", {PgTextArray(values)});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->rows(), static_cast<int>(values.size()));
  for (int i = 0; i < r->rows(); ++i) EXPECT_EQ(r->Get(i, 0), values[i]);
  auto empty = conn->Exec("SELECT cardinality($1::text[])", {PgTextArray({})});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->Get(0, 0), "0");
}

TEST(PgTest, StatementTimeoutIsDeadlineExceeded) {
  PgPool::Options o = OptionsFor(testing::CreateScratchDatabase("pgt"));
  o.statement_timeout = absl::Milliseconds(100);
  PgPool pool(o);
  auto conn = pool.Acquire();
  ASSERT_TRUE(conn.ok());
  EXPECT_EQ(conn->Exec("SELECT pg_sleep(5)").status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_TRUE(conn->Exec("SELECT 1").ok());  // the connection is still usable
}

TEST(PgTest, TransactionRollsBackOnFailure) {
  PgPool pool(OptionsFor(testing::CreateScratchDatabase("pgx")));
  ASSERT_TRUE(Migrate(pool, "t1", kMigrations).ok());
  absl::Status st = pool.Transaction([](PgConn& c) -> absl::Status {
    auto r = c.Exec("INSERT INTO t1.items (id, name) VALUES (1, 'a')");
    if (!r.ok()) return r.status();
    return absl::FailedPreconditionError("changed my mind");
  });
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  auto conn = pool.Acquire();
  EXPECT_EQ(conn->Exec("SELECT 1 FROM t1.items")->rows(), 0);
}

TEST(PgTest, ReadOnlySnapshotSeesOneSnapshotAndRefusesWrites) {
  PgPool pool(OptionsFor(testing::CreateScratchDatabase("pgsnap")));
  ASSERT_TRUE(Migrate(pool, "t1", kMigrations).ok());
  std::vector<std::string> counts;
  absl::Status st = pool.ReadOnlySnapshot([&](PgConn& c) -> absl::Status {
    auto r = c.Exec("SELECT count(*) FROM t1.items");
    if (!r.ok()) return r.status();
    counts.emplace_back(r->Get(0, 0));
    // Another connection commits a row between the two reads.
    auto other = pool.Acquire();
    if (!other.ok()) return other.status();
    if (auto ins = other->Exec("INSERT INTO t1.items (id, name) VALUES (1, 'a')"); !ins.ok()) {
      return ins.status();
    }
    r = c.Exec("SELECT count(*) FROM t1.items");
    if (!r.ok()) return r.status();
    counts.emplace_back(r->Get(0, 0));
    return absl::OkStatus();
  });
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_EQ(counts, (std::vector<std::string>{"0", "0"}));  // the row committed meanwhile
  // Read only: a write fails and nothing is kept.
  st = pool.ReadOnlySnapshot([](PgConn& c) -> absl::Status {
    return c.Exec("INSERT INTO t1.items (id, name) VALUES (2, 'b')").status();
  });
  EXPECT_FALSE(st.ok());
  auto conn = pool.Acquire();
  ASSERT_TRUE(conn.ok());
  EXPECT_EQ(conn->Exec("SELECT count(*) FROM t1.items")->Get(0, 0), "1");
}

TEST(PgTest, AConnectionTheServerClosedWhileIdleIsReplacedNotHandedOut) {
  const std::string dsn = testing::CreateScratchDatabase("pgidle");
  PgPool pool(OptionsFor(dsn));
  std::string pid;
  {
    auto conn = pool.Acquire();
    ASSERT_TRUE(conn.ok()) << conn.status();
    pid = std::string(conn->Exec("SELECT pg_backend_pid()")->Get(0, 0));
  }  // back to the pool, idle
  {
    // The server ends it (as a restart or failover would), seen from another session.
    PgPool admin(OptionsFor(dsn));
    auto other = admin.Acquire();
    ASSERT_TRUE(other.ok());
    ASSERT_TRUE(other->Exec("SELECT pg_terminate_backend($1::int)", {pid}).ok());
    // Its notice is on our socket once the backend is gone.
    EXPECT_TRUE(testing::Eventually([&] {
      auto r = other->Exec("SELECT 1 FROM pg_stat_activity WHERE pid = $1::int", {pid});
      return r.ok() && r->rows() == 0;
    }));
  }
  auto conn = pool.Acquire();
  ASSERT_TRUE(conn.ok()) << conn.status();
  auto r = conn->Exec("SELECT pg_backend_pid()");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_NE(std::string(r->Get(0, 0)), pid);
}

TEST(PgTest, PreparedStatementsArePreparedOncePerConnection) {
  PgPool pool(OptionsFor(testing::CreateScratchDatabase("pgprep")));
  ASSERT_TRUE(Migrate(pool, "t1", kMigrations).ok());
  for (int i = 0; i < 3; ++i) {
    auto conn = pool.Acquire();
    ASSERT_TRUE(conn.ok()) << conn.status();
    auto r = conn->ExecPrepared("insert_item", "INSERT INTO t1.items (id, name) VALUES ($1, $2)",
                                {std::to_string(i), "item"});
    ASSERT_TRUE(r.ok()) << r.status();
    // Prepared on this connection once, whatever the number of calls.
    auto count =
        conn->Exec("SELECT count(*) FROM pg_prepared_statements WHERE name = 'insert_item'");
    ASSERT_TRUE(count.ok());
    EXPECT_EQ(count->Get(0, 0), "1");
  }
  auto conn = pool.Acquire();
  ASSERT_TRUE(conn.ok());
  EXPECT_EQ(conn->Exec("SELECT count(*) FROM t1.items")->Get(0, 0), "3");
  // Errors map as for Exec: a duplicate key is ALREADY_EXISTS.
  EXPECT_EQ(conn->ExecPrepared("insert_item", "INSERT INTO t1.items (id, name) VALUES ($1, $2)",
                               {"0", "again"})
                .status()
                .code(),
            absl::StatusCode::kAlreadyExists);
  // A statement that fails to prepare is not remembered as prepared.
  // (Shown by preparing the name again, here with SQL that works.)
  EXPECT_FALSE(conn->ExecPrepared("retry", "SELECT nope FROM t1.items", {}).ok());
  auto again = conn->ExecPrepared("retry", "SELECT count(*) FROM t1.items", {});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->Get(0, 0), "3");
}

TEST(PgTest, UnreachableServerIsUnavailable) {
  PgPool::Options o = OptionsFor("host=127.0.0.1 port=" + std::to_string(testing::FreePort()) +
                                 " user=nobody dbname=none");
  PgPool pool(o);
  EXPECT_EQ(pool.Ping().code(), absl::StatusCode::kUnavailable);
}

TEST(MigrateTest, IsIdempotentAndSafeWhenReplicasStartTogether) {
  const std::string dsn = testing::CreateScratchDatabase("mig");
  std::vector<absl::Status> results(4);
  std::vector<std::thread> replicas;
  for (int i = 0; i < 4; ++i) {
    replicas.emplace_back([&, i] {
      PgPool pool(OptionsFor(dsn));
      results[i] = Migrate(pool, "svc", kMigrations);
    });
  }
  for (auto& t : replicas) t.join();
  for (const auto& s : results) EXPECT_TRUE(s.ok()) << s;
  PgPool pool(OptionsFor(dsn));
  EXPECT_TRUE(Migrate(pool, "svc", kMigrations).ok());
  auto conn = pool.Acquire();
  auto rows = conn->Exec("SELECT version FROM svc.schema_migrations ORDER BY version");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->rows(), 2);
  EXPECT_EQ(rows->Get(1, 0), "2");
}

TEST(MigrateTest, FailedMigrationLeavesNothingAndAGapIsRefused) {
  const std::string dsn = testing::CreateScratchDatabase("mig2");
  PgPool pool(OptionsFor(dsn));
  std::vector<Migration> broken = kMigrations;
  broken.push_back({3, "003_broken", "CREATE TABLE ok_table (id int); SELEKT nonsense;"});
  absl::Status st = Migrate(pool, "svc", broken);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("003_broken"), absl::string_view::npos);
  auto conn = pool.Acquire();
  EXPECT_EQ(conn->Exec("SELECT 1 FROM pg_namespace WHERE nspname = 'svc'")->rows(), 0);

  ASSERT_TRUE(Migrate(pool, "svc", kMigrations).ok());
  // A binary that knows a migration the schema lacks, while the schema is newer: applying
  // it out of order could undo what came after, so it is refused.
  std::vector<Migration> gap = {
      kMigrations[0], {2, "002_other", "CREATE TABLE other (id int);"}, {3, "003_x", "SELECT 1;"}};
  ASSERT_TRUE(conn->Exec("UPDATE svc.schema_migrations SET version = 4 WHERE version = 2").ok());
  EXPECT_EQ(Migrate(pool, "svc", gap).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Migrate(pool, "Bad-Name", kMigrations).code(), absl::StatusCode::kInvalidArgument);
}

TEST(MigrateTest, AnOlderBinaryRunsOnANewerSchemaThatHasAllItKnows) {
  // A rollback, or an old replica still running during a rolling update.
  PgPool pool(OptionsFor(testing::CreateScratchDatabase("mig3")));
  ASSERT_TRUE(Migrate(pool, "svc", kMigrations).ok());
  const std::vector<Migration> older(kMigrations.begin(), kMigrations.begin() + 1);
  EXPECT_TRUE(Migrate(pool, "svc", older).ok());
  auto conn = pool.Acquire();
  EXPECT_EQ(conn->Exec("SELECT count(*) FROM svc.schema_migrations")->Get(0, 0), "2");
}

TEST(MigrateTest, ALongMigrationIsNotCutByThePoolsStatementTimeout) {
  PgPool::Options options = OptionsFor(testing::CreateScratchDatabase("mig4"));
  options.statement_timeout = absl::Milliseconds(50);
  PgPool pool(options);
  const std::vector<Migration> slow = {{1, "001_slow", "SELECT pg_sleep(0.3);"}};
  EXPECT_TRUE(Migrate(pool, "svc", slow).ok());
  // Outside the migration the timeout still holds.
  auto conn = pool.Acquire();
  EXPECT_EQ(conn->Exec("SELECT pg_sleep(0.3)").status().code(),
            absl::StatusCode::kDeadlineExceeded);
}

}  // namespace
}  // namespace fangxian::common
