// PostgreSQL access on libpq: a bounded connection pool, parameterised queries only, and
// SQLSTATE -> canonical status mapping. Blocking: call it from worker threads, never from
// a gRPC reactor.
#ifndef FANGXIAN_COMMON_PG_H_
#define FANGXIAN_COMMON_PG_H_

#include <libpq-fe.h>

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

#include "absl/strings/string_view.h"

namespace fangxian::common {

// One query parameter in text format; std::nullopt is SQL NULL.
using PgParam = std::optional<absl::string_view>;

class PgResult {
 public:
  explicit PgResult(PGresult* r) : r_(r, &PQclear) {}
  int rows() const { return PQntuples(r_.get()); }
  bool IsNull(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
  absl::string_view Get(int row, int col) const {
    return {PQgetvalue(r_.get(), row, col), static_cast<size_t>(PQgetlength(r_.get(), row, col))};
  }
  // Decodes a bytea column returned in text format ("\x..." hex).
  std::string GetBytes(int row, int col) const;
  // Rows changed by INSERT/UPDATE/DELETE.
  int64_t affected() const;

 private:
  std::unique_ptr<PGresult, decltype(&PQclear)> r_;
};

// Encodes raw bytes as a bytea text literal ("\x0a1b...") for use as a parameter.
std::string PgBytea(absl::string_view raw);

// Encodes strings as a text[] literal ({"a","b\\"c"}) for use as one parameter, e.g.
// INSERT ... SELECT $1, unnest($2::text[]) to write several rows in one statement.
std::string PgTextArray(const std::vector<std::string>& values);

class PgPool;

// A connection borrowed from the pool; returned (or discarded if broken) on destruction.
class PgConn {
 public:
  PgConn(PgConn&& other) noexcept;
  PgConn& operator=(PgConn&&) = delete;
  ~PgConn();

  absl::StatusOr<PgResult> Exec(absl::string_view sql, std::initializer_list<PgParam> params = {});
  absl::StatusOr<PgResult> Exec(absl::string_view sql, const std::vector<PgParam>& params);
  // Like Exec, for a statement run often: prepared once per connection under `name`
  // (parsed and planned once), then executed by name. The same name must always come with
  // the same SQL.
  absl::StatusOr<PgResult> ExecPrepared(absl::string_view name, absl::string_view sql,
                                        const std::vector<PgParam>& params);
  // Runs a script of several statements without parameters (migrations).
  absl::Status ExecScript(absl::string_view sql);

 private:
  friend class PgPool;
  PgConn(PgPool* pool, PGconn* conn) : pool_(pool), conn_(conn) {}
  absl::StatusOr<PgResult> Check(PGresult* r);
  PgPool* pool_;
  PGconn* conn_;
};

class PgPool {
 public:
  struct Options {
    std::string dsn;  // libpq connection string or URI
    int size = 8;     // most connections open at once
    absl::Duration acquire_timeout = absl::Seconds(2);
    absl::Duration connect_timeout = absl::Seconds(3);
    absl::Duration statement_timeout = absl::Seconds(5);
  };

  explicit PgPool(Options options);
  ~PgPool();
  PgPool(const PgPool&) = delete;
  PgPool& operator=(const PgPool&) = delete;

  // UNAVAILABLE when no connection can be had within acquire_timeout or the server is
  // unreachable (the caller may retry).
  absl::StatusOr<PgConn> Acquire();

  // Runs `fn` inside BEGIN/COMMIT; ROLLBACK when fn fails (its status is returned).
  absl::Status Transaction(const std::function<absl::Status(PgConn&)>& fn);
  // Runs `fn` inside one REPEATABLE READ READ ONLY transaction: every statement of `fn`
  // sees the same snapshot (a report built from several queries agrees with itself), and
  // any write fails. Ended by COMMIT, or ROLLBACK when fn fails (its status is returned).
  absl::Status ReadOnlySnapshot(const std::function<absl::Status(PgConn&)>& fn);

  // SELECT 1 on a pooled connection.
  absl::Status Ping();

  // libpq's reason for the last failed connection attempt (host, port, authentication
  // ...), for operators' logs only: statuses returned to callers never carry it.
  std::string last_connect_error() const;

 private:
  friend class PgConn;
  void Release(PGconn* conn, bool broken);
  // Closes a connection and forgets what was prepared on it (caller holds mu_).
  void FinishLocked(PGconn* conn);
  // Records that `name` is prepared on `conn`; false if it already was.
  bool MarkPrepared(PGconn* conn, const std::string& name);
  void UnmarkPrepared(PGconn* conn, const std::string& name);
  absl::StatusOr<PGconn*> Connect();
  // Transaction and ReadOnlySnapshot: `begin` ("BEGIN ...") starts the transaction.
  absl::Status RunTransaction(absl::string_view begin,
                              const std::function<absl::Status(PgConn&)>& fn);

  const Options options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<PGconn*> idle_;
  // Statements prepared on each open connection (guarded by mu_).
  std::unordered_map<PGconn*, std::unordered_set<std::string>> prepared_;
  int open_ = 0;
  std::string last_connect_error_;  // guarded by mu_
};

// Maps a failed result (or connection) to the most specific canonical status. Messages
// carry the primary PostgreSQL message and the constraint name, never row values.
absl::Status PgError(const PGresult* result, PGconn* conn);

}  // namespace fangxian::common

#endif  // FANGXIAN_COMMON_PG_H_
