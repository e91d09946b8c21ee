// The passage log under faults, against the real binaries: Redis unreachable (records are
// still taken, the colour from quarantine or REFER), PostgreSQL unreachable (UNAVAILABLE,
// nothing acknowledged that is not stored), and the service killed with SIGKILL under load
// (every acknowledged record is in the database exactly once).
#include <gmock/gmock.h>
#include <signal.h>

#include <mutex>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "tests/integration/passage_test_base.h"
#include "tests/support/tcp_proxy.h"

namespace fangxian::testing {
namespace {

using ::testing::ElementsAre;

// The port of the test PostgreSQL (from its key=value DSN).
int PgPort() {
  int port = 0;
  for (absl::string_view part : absl::StrSplit(AdminPgDsn(), ' ', absl::SkipEmpty())) {
    if (absl::ConsumePrefix(&part, "port=")) (void)absl::SimpleAtoi(part, &port);
  }
  return port;
}

int RedisPort() {
  common::RedisPool::Options o;
  (void)common::ParseRedisAddress(RedisAddr(), &o);
  return o.port;
}

class PassageFaultsTest : public PassageTestBase {
 protected:
  // Sets up a checkpoint with op-1 on duty and a resident; returns the resident.
  Person Scene() {
    checkpoint_id_ = MakeCheckpoint();
    PutOnDuty(checkpoint_id_, "op-1");
    return Resident("张三");
  }

  std::string checkpoint_id_;
};

TEST_F(PassageFaultsTest, WithRedisDownRecordsAreStillTakenWithTheColourFromQuarantine) {
  TcpProxy redis(RedisPort(), /*enabled=*/false);
  StartCheckpoint({{"FX_REDIS_ADDR", absl::StrCat("127.0.0.1:", redis.port())}});
  ASSERT_FALSE(HasFatalFailure());
  const Person zhang = Scene();
  // Red in quarantine; the shared entry exists too, but this replica cannot reach Redis.
  Sql(quarantine_->dsn(), "INSERT INTO quarantine.pass_status (resident_id, colour) VALUES ('" +
                              zhang.resident_id + "', 3)");
  SetColour(zhang.resident_id, "red");
  cpv1::RecordPassageRequest r = NewRequest(checkpoint_id_, "redis-down-1");
  r.set_direction(cpv1::DIRECTION_OUT);
  r.set_id_number(zhang.id_number);
  cpv1::Passage p;
  grpc::Status st = Record(operator_, r, &p);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(p.pass_colour(), cpv1::PASS_COLOUR_RED);
  EXPECT_EQ(p.decision(), cpv1::DECISION_DENY);

  // Quarantine unreachable too: REFER with STATUS_UNAVAILABLE, never a silent ADMIT.
  quarantine_.reset();
  const Person li = Resident("李四");
  r = NewRequest(checkpoint_id_, "redis-down-2");
  r.set_id_number(li.id_number);
  st = Record(operator_, r, &p);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(p.decision(), cpv1::DECISION_REFER);
  EXPECT_THAT(p.reasons(), ElementsAre(cpv1::REASON_STATUS_UNAVAILABLE));
  EXPECT_EQ(p.pass_colour(), cpv1::PASS_COLOUR_UNSPECIFIED);
  EXPECT_EQ(Count("checkpoint.passages"), "2");
}

TEST_F(PassageFaultsTest, WithPostgresDownNothingIsAcknowledgedThatIsNotStored) {
  const std::string dsn = CreateScratchDatabase("pass_pgdown");
  TcpProxy pg(PgPort(), /*enabled=*/true);
  StartCheckpoint({{"FX_PG_DSN", absl::StrCat(dsn, " port=", pg.port())},
                   {"FX_PG_STATEMENT_TIMEOUT_MS", "2000"}},
                  dsn);
  ASSERT_FALSE(HasFatalFailure());
  const Person zhang = Scene();
  SetColour(zhang.resident_id, "green");
  auto attempt = [&](const std::string& id, cpv1::Passage* out) {
    cpv1::RecordPassageRequest r = NewRequest(checkpoint_id_, id);
    r.set_id_number(zhang.id_number);
    return Record(operator_, r, out);
  };
  cpv1::Passage p;
  ASSERT_TRUE(attempt("before", &p).ok());

  pg.SetEnabled(false);
  grpc::Status st = attempt("during", &p);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAVAILABLE) << st.error_message();
  // Readiness notices too: the service stops taking calls until the database is back.
  EXPECT_EQ(WaitForHealth(*checkpoint_->channel(), "NOT_SERVING"), "NOT_SERVING");
  EXPECT_EQ(attempt("during-2", &p).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(Sql(dsn, "SELECT count(*) FROM checkpoint.passages")[0], "1");
  EXPECT_EQ(Sql(dsn, "SELECT request_id FROM checkpoint.passage_requests")[0], "before");

  pg.SetEnabled(true);
  ASSERT_TRUE(checkpoint_->WaitUntilServing());
  st = attempt("during", &p);  // the client's retry, with the same request id
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_FALSE(p.replayed());
  EXPECT_EQ(Sql(dsn, "SELECT count(*) FROM checkpoint.passages")[0], "2");
}

TEST_F(PassageFaultsTest, ARepeatedRequestGetsItsFirstResultAfterShiftClosingAndIdentityLoss) {
  // No caches in the way: every check and lookup would go to PostgreSQL or identity.
  StartCheckpoint({{"FX_PASSAGE_DUTY_CACHE_MS", "0"}, {"FX_PASSAGE_LOCAL_CACHE_MS", "0"}});
  ASSERT_FALSE(HasFatalFailure());
  Scene();
  cpv1::RecordPassageRequest r = NewRequest(checkpoint_id_, "visit-once");
  cpv1::VisitorRegistration* v = r.mutable_visitor();
  v->set_name("吴一");
  v->set_id_number(NewIdNumber());
  v->set_destination("5号楼");
  v->set_reason("探亲");
  cpv1::Passage first;
  grpc::Status st = Record(operator_, r, &first);
  ASSERT_TRUE(st.ok()) << st.error_message();
  ASSERT_FALSE(first.replayed());

  // The shift ends, the checkpoint closes and identity goes away.
  Query("UPDATE checkpoint.post_assignments SET clock_out_at = now() WHERE account_id = 'op-1'");
  Query("UPDATE checkpoint.checkpoints SET open = false WHERE checkpoint_id = '" + checkpoint_id_ +
        "'");
  identity_.reset();

  cpv1::Passage again;
  st = Record(operator_, r, &again);
  ASSERT_TRUE(st.ok()) << st.error_code() << " " << st.error_message();
  EXPECT_TRUE(again.replayed());
  EXPECT_EQ(again.passage_id(), first.passage_id());
  EXPECT_EQ(again.decision(), first.decision());
  EXPECT_EQ(again.person().resident_id(), first.person().resident_id());
  EXPECT_EQ(again.record_time().seconds(), first.record_time().seconds());
  EXPECT_EQ(again.record_time().nanos(), first.record_time().nanos());
  // Different content under the same id is still refused, before any other check.
  cpv1::RecordPassageRequest changed = r;
  changed.mutable_visitor()->set_reason("送货");
  EXPECT_EQ(Record(operator_, changed, &again).error_code(), grpc::StatusCode::ALREADY_EXISTS);
  // A new request id meets the checks.
  cpv1::RecordPassageRequest fresh = r;
  fresh.set_request_id("visit-new");
  EXPECT_EQ(Record(operator_, fresh, &again).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Count("checkpoint.passages"), "1");
}

TEST_F(PassageFaultsTest, AnIdentityThatDoesNotAnswerWithinOurCapIsUnavailable) {
  StartCheckpoint({{"FX_PASSAGE_UPSTREAM_TIMEOUT_MS", "300"}, {"FX_PASSAGE_LOCAL_CACHE_MS", "0"}});
  ASSERT_FALSE(HasFatalFailure());
  const Person zhang = Scene();
  SetColour(zhang.resident_id, "green");
  const std::string pass = PassOf(zhang.resident_id);
  identity_->process().Signal(SIGSTOP);  // connected, but silent
  cpv1::RecordPassageRequest r = NewRequest(checkpoint_id_, "slow-identity");
  r.set_pass_token(pass);
  cpv1::Passage p;
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + operator_);
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::Status st = passages_->RecordPassage(&ctx, r, &p);
  identity_->process().Signal(SIGCONT);
  // Our own 300 ms cap expired, not the caller's 10 s: retryable.
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAVAILABLE) << st.error_message();
  EXPECT_EQ(Count("checkpoint.passages"), "0");
  // The retry with the same request id, identity back, is recorded.
  st = Record(operator_, r, &p);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_FALSE(p.replayed());
}

TEST_F(PassageFaultsTest, AfterSigkillUnderLoadEveryAcknowledgedRecordIsStoredExactlyOnce) {
  const std::string dsn = CreateScratchDatabase("pass_kill");
  StartCheckpoint({{"FX_PG_DSN", dsn}}, dsn);
  ASSERT_FALSE(HasFatalFailure());
  const Person zhang = Scene();
  SetColour(zhang.resident_id, "green");

  std::mutex mu;
  std::map<std::string, std::string> acknowledged;  // request id -> passage id
  std::vector<cpv1::RecordPassageRequest> sent;     // acknowledged requests
  std::atomic<bool> stop{false};
  std::atomic<int> acks{0};
  std::vector<std::thread> load;
  for (int t = 0; t < 8; ++t) {
    load.emplace_back([&, t] {
      for (int i = 0; !stop; ++i) {
        cpv1::RecordPassageRequest r = NewRequest(checkpoint_id_, absl::StrCat("k", t, "-", i));
        r.set_id_number(zhang.id_number);
        cpv1::Passage out;
        if (Record(operator_, r, &out).ok()) {
          std::lock_guard<std::mutex> lock(mu);
          acknowledged[r.request_id()] = out.passage_id();
          if (sent.empty()) sent.push_back(r);
          ++acks;
        }
      }
    });
  }
  ASSERT_TRUE(Eventually([&] { return acks.load() >= 200; }, std::chrono::seconds(60)));
  checkpoint_->process().Signal(SIGKILL);
  EXPECT_NE(checkpoint_->process().WaitExit(std::chrono::seconds(10)), -1);
  stop = true;
  for (std::thread& t : load) t.join();

  std::map<std::string, std::string> stored;
  for (const std::string& row :
       Sql(dsn, "SELECT request_id || ' ' || passage_id FROM checkpoint.passages")) {
    std::vector<std::string> parts = absl::StrSplit(row, ' ');
    EXPECT_TRUE(stored.emplace(parts[0], parts[1]).second) << "stored twice: " << parts[0];
  }
  EXPECT_EQ(Sql(dsn, "SELECT count(*) FROM checkpoint.passage_requests")[0],
            std::to_string(stored.size()));
  for (const auto& [request_id, passage_id] : acknowledged) {
    auto it = stored.find(request_id);
    ASSERT_NE(it, stored.end()) << "acknowledged but not stored: " << request_id;
    EXPECT_EQ(it->second, passage_id);
  }

  // Restarted on the same database, a device's retry of an acknowledged record gets the
  // stored first result.
  StartCheckpoint({{"FX_PG_DSN", dsn}}, dsn);
  ASSERT_FALSE(HasFatalFailure());
  ASSERT_FALSE(sent.empty());
  cpv1::Passage out;
  grpc::Status st = Record(operator_, sent[0], &out);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_TRUE(out.replayed());
  EXPECT_EQ(out.passage_id(), acknowledged[sent[0].request_id()]);
  EXPECT_EQ(Sql(dsn, "SELECT count(*) FROM checkpoint.passages")[0], std::to_string(stored.size()));
}

}  // namespace
}  // namespace fangxian::testing
