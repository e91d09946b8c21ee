#include "common/pg.h"

#include <poll.h>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/log.h"

namespace fangxian::common {
std::string PgResult::GetBytes(int row, int col) const {
  absl::string_view hex = Get(row, col);
  if (!absl::StartsWith(hex, "\\x")) return std::string();
  return absl::HexStringToBytes(hex.substr(2));
}

int64_t PgResult::affected() const {
  const char* n = PQcmdTuples(r_.get());
  return (n == nullptr || *n == '\0') ? 0 : std::strtoll(n, nullptr, 10);
}

std::string PgBytea(absl::string_view raw) {
  return absl::StrCat("\\x", absl::BytesToHexString(raw));
}

std::string PgTextArray(const std::vector<std::string>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.push_back('"');
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
  }
  out.push_back('}');
  return out;
}

absl::Status PgError(const PGresult* result, PGconn* conn) {
  if (conn != nullptr && PQstatus(conn) != CONNECTION_OK) {
    return absl::UnavailableError("database connection lost; retry");
  }
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const char* primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  const char* constraint = result ? PQresultErrorField(result, PG_DIAG_CONSTRAINT_NAME) : nullptr;
  const std::string sqlstate = state ? state : "";
  std::string message = absl::StrCat("database: ", primary ? primary : "unknown error");
  if (constraint) absl::StrAppend(&message, " (", constraint, ")");

  if (sqlstate == "23505") return absl::AlreadyExistsError(message);
  if (sqlstate == "23503" || sqlstate == "23514") return absl::FailedPreconditionError(message);
  if (sqlstate == "57014") return absl::DeadlineExceededError("database statement timed out");
  if (sqlstate == "40001" || sqlstate == "40P01") return absl::AbortedError(message);
  if (absl::StartsWith(sqlstate, "08") || absl::StartsWith(sqlstate, "57P") ||
      sqlstate == "53300") {
    return absl::UnavailableError(message);
  }
  if (absl::StartsWith(sqlstate, "22")) return absl::InvalidArgumentError(message);
  LogError("database error", {{"sqlstate", sqlstate}, {"error", message}});
  return absl::InternalError("internal database error");
}

PgConn::PgConn(PgConn&& other) noexcept : pool_(other.pool_), conn_(other.conn_) {
  other.conn_ = nullptr;
}

PgConn::~PgConn() {
  if (conn_ != nullptr) {
    const bool broken =
        PQstatus(conn_) != CONNECTION_OK || PQtransactionStatus(conn_) != PQTRANS_IDLE;
    pool_->Release(conn_, broken);
  }
}

absl::StatusOr<PgResult> PgConn::Check(PGresult* r) {
  const ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return PgResult(r);
  absl::Status s = PgError(r, conn_);
  if (r) PQclear(r);
  return s;
}

namespace {

// Parameters in libpq's text format: NUL-terminated copies, with null for SQL NULL.
struct TextParams {
  explicit TextParams(const std::vector<PgParam>& params)
      : values(params.size(), nullptr), lengths(params.size(), 0) {
    owned.reserve(params.size());  // no reallocation: values point into it
    for (size_t i = 0; i < params.size(); ++i) {
      if (!params[i]) continue;
      owned.emplace_back(*params[i]);
      values[i] = owned.back().c_str();
      lengths[i] = static_cast<int>(owned.back().size());
    }
  }
  std::vector<std::string> owned;
  std::vector<const char*> values;
  std::vector<int> lengths;
};

}  // namespace

absl::StatusOr<PgResult> PgConn::Exec(absl::string_view sql,
                                      std::initializer_list<PgParam> params) {
  return Exec(sql, std::vector<PgParam>(params));
}

absl::StatusOr<PgResult> PgConn::Exec(absl::string_view sql, const std::vector<PgParam>& params) {
  const TextParams text(params);
  const std::string query(sql);
  return Check(PQexecParams(conn_, query.c_str(), static_cast<int>(params.size()), nullptr,
                            text.values.data(), text.lengths.data(), nullptr, 0));
}

absl::StatusOr<PgResult> PgConn::ExecPrepared(absl::string_view name, absl::string_view sql,
                                              const std::vector<PgParam>& params) {
  const std::string statement(name);
  if (pool_->MarkPrepared(conn_, statement)) {
    const std::string query(sql);
    absl::StatusOr<PgResult> prepared = Check(PQprepare(conn_, statement.c_str(), query.c_str(),
                                                        static_cast<int>(params.size()), nullptr));
    if (!prepared.ok()) {
      pool_->UnmarkPrepared(conn_, statement);
      return prepared.status();
    }
  }
  const TextParams text(params);
  return Check(PQexecPrepared(conn_, statement.c_str(), static_cast<int>(params.size()),
                              text.values.data(), text.lengths.data(), nullptr, 0));
}

absl::Status PgConn::ExecScript(absl::string_view sql) {
  const std::string script(sql);
  return Check(PQexec(conn_, script.c_str())).status();
}

PgPool::PgPool(Options options) : options_(std::move(options)) {}

PgPool::~PgPool() {
  std::lock_guard<std::mutex> lock(mu_);
  for (PGconn* c : idle_) FinishLocked(c);
}

void PgPool::FinishLocked(PGconn* conn) {
  prepared_.erase(conn);
  PQfinish(conn);
}

bool PgPool::MarkPrepared(PGconn* conn, const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  return prepared_[conn].insert(name).second;
}

void PgPool::UnmarkPrepared(PGconn* conn, const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  prepared_[conn].erase(name);
}

absl::StatusOr<PGconn*> PgPool::Connect() {
  const std::string connect_timeout =
      std::to_string(std::max<int64_t>(1, absl::ToInt64Seconds(options_.connect_timeout)));
  const std::string server_options =
      absl::StrCat("-c statement_timeout=", absl::ToInt64Milliseconds(options_.statement_timeout));
  const char* keys[] = {"dbname", "connect_timeout", "options", "application_name", nullptr};
  const char* values[] = {options_.dsn.c_str(), connect_timeout.c_str(), server_options.c_str(),
                          "fangxian", nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
    // libpq's message names hosts, ports and users: operators see it through
    // last_connect_error(), callers get a plain retryable status.
    std::string why = conn ? PQerrorMessage(conn) : "out of memory";
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    if (conn) PQfinish(conn);
    {
      std::lock_guard<std::mutex> lock(mu_);
      last_connect_error_ = std::move(why);
    }
    return absl::UnavailableError("database unavailable; retry");
  }
  return conn;
}

namespace {

// An idle connection has nothing to read (no LISTEN is used): if its socket is readable,
// the server sent a termination notice or closed it. Never blocks.
bool IdleConnectionAlive(PGconn* c) {
  if (PQstatus(c) != CONNECTION_OK) return false;
  pollfd p{PQsocket(c), POLLIN, 0};
  return p.fd >= 0 && poll(&p, 1, 0) == 0;
}

}  // namespace

absl::StatusOr<PgConn> PgPool::Acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  const bool got = cv_.wait_for(lock, absl::ToChronoNanoseconds(options_.acquire_timeout),
                                [this] { return !idle_.empty() || open_ < options_.size; });
  if (!got) return absl::UnavailableError("database pool exhausted; retry");
  while (!idle_.empty()) {
    PGconn* c = idle_.back();
    idle_.pop_back();
    if (IdleConnectionAlive(c)) return PgConn(this, c);
    // The server closed it while idle (restart, failover, a cut network): drop it here
    // rather than fail the caller's first statement.
    FinishLocked(c);
    --open_;
  }
  ++open_;
  lock.unlock();
  auto conn = Connect();
  if (!conn.ok()) {
    lock.lock();
    --open_;
    cv_.notify_one();
    return conn.status();
  }
  return PgConn(this, *conn);
}

void PgPool::Release(PGconn* conn, bool broken) {
  std::lock_guard<std::mutex> lock(mu_);
  if (broken) {
    FinishLocked(conn);
    --open_;
  } else {
    idle_.push_back(conn);
  }
  cv_.notify_one();
}

absl::Status PgPool::Transaction(const std::function<absl::Status(PgConn&)>& fn) {
  return RunTransaction("BEGIN", fn);
}

absl::Status PgPool::ReadOnlySnapshot(const std::function<absl::Status(PgConn&)>& fn) {
  return RunTransaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", fn);
}

absl::Status PgPool::RunTransaction(absl::string_view begin_sql,
                                    const std::function<absl::Status(PgConn&)>& fn) {
  auto conn = Acquire();
  if (!conn.ok()) return conn.status();
  if (auto begin = conn->Exec(begin_sql); !begin.ok()) return begin.status();
  absl::Status s = fn(*conn);
  if (!s.ok()) {
    (void)conn->Exec("ROLLBACK");
    return s;
  }
  return conn->Exec("COMMIT").status();
}

std::string PgPool::last_connect_error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_connect_error_;
}

absl::Status PgPool::Ping() {
  auto conn = Acquire();
  if (!conn.ok()) return conn.status();
  return conn->Exec("SELECT 1").status();
}

}  // namespace fangxian::common
