#include "common/outbox_relay.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/log.h"

namespace fangxian::common {

OutboxRelay::OutboxRelay(PgPool& pg, RedisPool& redis, Options options,
                         std::function<bool()> active)
    : pg_(pg), redis_(redis), options_(std::move(options)), active_(std::move(active)) {}

OutboxRelay::~OutboxRelay() { Stop(); }

void OutboxRelay::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void OutboxRelay::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void OutboxRelay::Notify() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    notified_ = true;
  }
  cv_.notify_all();
}

absl::StatusOr<int> OutboxRelay::RelayOnce() {
  absl::Status redis_error;
  int published = 0;
  const std::string maxlen = absl::StrCat(options_.maxlen);
  absl::Status s = pg_.Transaction([&](PgConn& conn) -> absl::Status {
    published = 0;
    auto rows = conn.Exec(absl::StrCat("SELECT event_id, event_type, payload FROM ", options_.table,
                                       " ORDER BY event_id LIMIT $1 FOR UPDATE SKIP LOCKED"),
                          {absl::StrCat(options_.batch)});
    if (!rows.ok()) return rows.status();
    std::vector<absl::string_view> done;
    for (int i = 0; i < rows->rows(); ++i) {
      if (options_.before_publish) {
        redis_error =
            options_.before_publish(conn, Row{rows->Get(i, 0), rows->Get(i, 1), rows->Get(i, 2)});
        if (!redis_error.ok()) break;
      }
      auto r =
          redis_.Command({"XADD", options_.stream, "MAXLEN", "~", maxlen, "*", "event_id",
                          rows->Get(i, 0), "type", rows->Get(i, 1), "payload", rows->Get(i, 2)});
      if (!r.ok()) {
        redis_error = r.status();
        break;
      }
      done.push_back(rows->Get(i, 0));
    }
    if (done.empty()) return absl::OkStatus();
    published = static_cast<int>(done.size());
    return conn
        .Exec(absl::StrCat("DELETE FROM ", options_.table, " WHERE event_id = ANY($1::int8[])"),
              {absl::StrCat("{", absl::StrJoin(done, ","), "}")})
        .status();
  });
  if (!s.ok()) return s;
  if (!redis_error.ok()) return redis_error;
  return published;
}

void OutboxRelay::Loop() {
  absl::Duration wait = options_.poll;
  bool failing = false;
  while (true) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
      notified_ = false;
    }
    absl::StatusOr<int> n = 0;
    if (!active_ || active_()) n = RelayOnce();
    if (n.ok()) {
      if (failing) LogInfo("outbox relay publishing again");
      failing = false;
      wait = options_.poll;
      if (*n == options_.batch) continue;  // more may be waiting
    } else {
      // Logged once per outage; the message carries no row data.
      if (!failing) {
        LogWarning("outbox relay cannot publish; events wait in the outbox",
                   {{"error", n.status().message()}});
      }
      failing = true;
      wait = std::min(wait * 2, options_.max_backoff);
    }
    std::unique_lock<std::mutex> lock(mu_);
    // A failing relay waits out its back-off even when notified.
    cv_.wait_for(lock, absl::ToChronoMilliseconds(wait),
                 [&] { return stopping_ || (!failing && notified_); });
  }
}

}  // namespace fangxian::common
