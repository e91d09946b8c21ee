// Black-box tests of a service binary: the server on a fresh scratch database and the
// test Redis, plus direct SQL access to that database so tests can check what was (or
// was not) stored.
#ifndef FANGXIAN_TESTS_SUPPORT_SERVICE_UNDER_TEST_H_
#define FANGXIAN_TESTS_SUPPORT_SERVICE_UNDER_TEST_H_

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/support/grpc_client.h"
#include "tests/support/process.h"
#include "tests/support/test_env.h"

namespace fangxian::testing {

// Runs SQL on the database of `dsn`; returns the first column of each row ("<null>" for
// NULL). Throws when the statement fails, so a typo cannot pass for "no rows".
inline std::vector<std::string> Sql(const std::string& dsn, const std::string& sql) {
  PGconn* c = PQconnectdb(dsn.c_str());
  PGresult* r = PQexec(c, sql.c_str());
  const ExecStatusType st = PQresultStatus(r);
  const std::string why = PQerrorMessage(c);
  std::vector<std::string> out;
  for (int i = 0; i < PQntuples(r); ++i) {
    out.emplace_back(PQgetisnull(r, i, 0) ? "<null>" : PQgetvalue(r, i, 0));
  }
  PQclear(r);
  PQfinish(c);
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
    throw std::runtime_error("test SQL failed: " + why);
  }
  return out;
}

class ServiceUnderTest {
 public:
  // `binary` is relative to the build folder; `db_prefix` names the scratch database.
  // `extra_env` adds or overrides variables (service keys, FX_LOG_LEVEL, ...).
  ServiceUnderTest(const std::string& binary, const std::string& db_prefix,
                   const TestTokens& tokens,
                   const std::map<std::string, std::string>& extra_env = {})
      : dsn_(CreateScratchDatabase(db_prefix)),
        process_(binary, Env(dsn_, tokens, extra_env)),
        channel_(LocalChannel(process_.WaitForPort("grpc_port"))) {}

  // Another process on the database of `other` (a restarted server, a second replica).
  ServiceUnderTest(const std::string& binary, const ServiceUnderTest& other,
                   const TestTokens& tokens,
                   const std::map<std::string, std::string>& extra_env = {})
      : dsn_(other.dsn()),
        process_(binary, Env(dsn_, tokens, extra_env)),
        channel_(LocalChannel(process_.WaitForPort("grpc_port"))) {}

  // True once the server reports SERVING (database reachable and migrated).
  ::testing::AssertionResult WaitUntilServing() {
    const std::string health = WaitForHealth(*channel_, "SERVING");
    if (health == "SERVING") return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "health " << health << "\n" << process_.Stderr();
  }

  std::shared_ptr<grpc::Channel> channel() const { return channel_; }
  // The checkpoint alert stream (FX_ALERT_STREAM) this server publishes to or consumes:
  // one per scratch database, so servers of tests running side by side never see each
  // other's alerts. Servers sharing a database (restarts, replicas) share it; a test that
  // connects checkpoint to quarantine names one stream for both in `extra_env`.
  std::string alert_stream() const { return AlertStreamFor(dsn_); }
  ChildProcess& process() { return process_; }
  const std::string& dsn() const { return dsn_; }

  // Runs SQL on the scratch database directly (see Sql).
  std::vector<std::string> Query(const std::string& sql) const { return Sql(dsn_, sql); }

  // SELECT count(*) of a schema-qualified table.
  std::string Count(const std::string& table) const {
    return Query("SELECT count(*) FROM " + table).at(0);
  }

 private:
  static std::string AlertStreamFor(const std::string& dsn) {
    const size_t at = dsn.rfind("dbname=");
    return "fx:test:alerts:" + (at == std::string::npos ? dsn : dsn.substr(at + 7));
  }

  static std::map<std::string, std::string> Env(const std::string& dsn, const TestTokens& tokens,
                                                const std::map<std::string, std::string>& extra) {
    std::map<std::string, std::string> env = CheckpointKeysEnv();
    env.insert({{"FX_GRPC_ADDR", "127.0.0.1:0"},
                {"FX_PG_DSN", dsn},
                {"FX_REDIS_ADDR", RedisAddr()},
                {"FX_TOKEN_PUBLIC_KEYS", tokens.public_keys()},
                {"FX_HEALTH_INTERVAL_MS", "100"},
                {"FX_ALERT_STREAM", AlertStreamFor(dsn)},
                {"FX_LOG_LEVEL", "WARNING"}});
    for (const auto& [k, v] : extra) env[k] = v;
    return env;
  }

  std::string dsn_;
  ChildProcess process_;
  std::shared_ptr<grpc::Channel> channel_;
};

// INVALID_ARGUMENT whose message names `field`.
inline ::testing::AssertionResult IsInvalidNaming(const grpc::Status& st,
                                                  const std::string& field) {
  if (st.error_code() == grpc::StatusCode::INVALID_ARGUMENT &&
      st.error_message().find(field) != std::string::npos) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "want INVALID_ARGUMENT naming " << field << ", got "
                                       << st.error_code() << " \"" << st.error_message() << "\"";
}

}  // namespace fangxian::testing

#endif  // FANGXIAN_TESTS_SUPPORT_SERVICE_UNDER_TEST_H_
