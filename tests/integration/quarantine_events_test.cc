// Quarantine's events in and out, against real PostgreSQL and Redis:
// - checkpoint fever and red-pass alerts read from the stream by the real quarantine_server
//   (consumer group), handled once in effect however often they arrive, parked when they
//   cannot be handled;
// - the pass colour engine's changes reaching the shared Redis entry through the outbox,
//   also when Redis was down at the time (in-process, Redis behind a proxy);
// - the review of colours that change by time alone.
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/migrate.h"
#include "common/outbox_relay.h"
#include "common/time_text.h"
#include "common/validate.h"
#include "fangxian/quarantine/v1/quarantine.grpc.pb.h"
#include "services/quarantine/alert_consumer.h"
#include "services/quarantine/migrations.h"
#include "services/quarantine/pass_colour_engine.h"
#include "services/quarantine/pass_status.h"
#include "tests/support/direct_stores.h"
#include "tests/support/service_under_test.h"
#include "tests/support/tcp_proxy.h"

namespace fangxian::testing {
namespace {

constexpr char kArea[] = "gongyi.dufulu.longhai.jingyuan";

std::string AlertJson(const std::string& alert_id, const std::string& type,
                      const std::string& resident_id, absl::Time raised_at = absl::Now()) {
  return absl::StrCat(R"({"alert_id":")", alert_id, R"(","kind":1,"type":")", type,
                      R"(","checkpoint_id":"9a1d3b52-7c4e-4f10-8e2a-5b6c7d8e9f01","area_codes":[")",
                      kArea, R"("],"passage_id":"","resident_id":")", resident_id,
                      R"(","temperature_celsius":38.2,"raised_at":")",
                      common::Rfc3339Micros(raised_at), R"(","detail":"x"})");
}

class QuarantineEventsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    redis_ = RedisAt();
    stream_ = "fx:test:alerts:" + Uuid();  // the test Redis is shared
    server_ = std::make_unique<ServiceUnderTest>(
        "services/quarantine/quarantine_server", "qevents", tokens_,
        std::map<std::string, std::string>{{"FX_ALERT_STREAM", stream_},
                                           {"FX_EVENTS_POLL_MS", "20"},
                                           {"FX_OUTBOX_POLL_MS", "20"}});
    ASSERT_TRUE(server_->WaitUntilServing());
    stub_ = quarantine::v1::QuarantineService::NewStub(server_->channel());
    grid_ = tokens_.Mint("grid-1", {"grid_worker"}, {"gongyi.dufulu.longhai"});
  }
  void TearDown() override {
    if (redis_) redis_->Del(stream_);
  }

  std::string Uuid() { return Sql(AdminPgDsn(), "SELECT gen_random_uuid()::text").at(0); }

  void Publish(const std::string& type, const std::string& payload) {
    auto r =
        redis_->Command({"XADD", stream_, "*", "event_id", "1", "type", type, "payload", payload});
    ASSERT_TRUE(r.ok()) << r.status();
  }

  std::string Q(const std::string& sql) { return server_->Query(sql).at(0); }

  quarantine::v1::PassStatus Status(const std::string& resident) {
    quarantine::v1::GetPassStatusRequest req;
    req.set_resident_id(resident);
    quarantine::v1::PassStatus out;
    grpc::Status st = stub_->GetPassStatus(CallContextWith(grid_).get(), req, &out);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return out;
  }

  bool Settled(const std::string& alert_id) {
    return Q("SELECT count(*) FROM quarantine.consumed_events WHERE event_id = '" + alert_id +
             "'") == "1";
  }

  // Nothing pending in the group: every entry read was acknowledged.
  bool AllAcknowledged() {
    auto r = redis_->Command({"XPENDING", stream_, "quarantine"});
    return r.ok() && (*r)->type == REDIS_REPLY_ARRAY && (*r)->elements > 0 &&
           (*r)->element[0]->type == REDIS_REPLY_INTEGER && (*r)->element[0]->integer == 0;
  }

  // An order for `resident` that started yesterday (China time), straight into the tables.
  void IsolateSinceYesterday(const std::string& resident) {
    const std::string order = Uuid();
    const std::string day = common::IsoDate(common::ChinaToday(absl::Now()) - 1);
    server_->Query(
        absl::StrCat("INSERT INTO quarantine.isolation_orders (order_id, household_id, area_code, "
                     "start_date, period_days, created_by, created_at) VALUES ('",
                     order, "', gen_random_uuid(), '", kArea, "', '", day,
                     "', 14, 'test', now() - interval '2 days')"));
    server_->Query(absl::StrCat(
        "INSERT INTO quarantine.isolation_order_members (order_id, resident_id) VALUES ('", order,
        "', '", resident, "')"));
  }

  TestTokens tokens_;
  std::unique_ptr<common::RedisPool> redis_;
  std::string stream_;
  std::unique_ptr<ServiceUnderTest> server_;
  std::unique_ptr<quarantine::v1::QuarantineService::Stub> stub_;
  std::string grid_;
};

TEST_F(QuarantineEventsTest, AFeverAlertBecomesOneReferralHoweverOftenItArrives) {
  const std::string resident = Uuid();
  const std::string alert = Uuid();
  Publish("checkpoint.alert.fever", AlertJson(alert, "checkpoint.alert.fever", resident));
  Publish("checkpoint.alert.fever", AlertJson(alert, "checkpoint.alert.fever", resident));
  ASSERT_TRUE(Eventually([&] { return Settled(alert) && AllAcknowledged(); }))
      << server_->process().Stderr();

  const std::string referrals =
      "SELECT count(*) FROM quarantine.persons_of_interest WHERE resident_id = '" + resident +
      "' AND category = 3 AND source = 3";
  EXPECT_EQ(Q(referrals), "1");
  EXPECT_EQ(Q("SELECT outcome FROM quarantine.consumed_events WHERE event_id = '" + alert + "'"),
            "referral_created");
  const quarantine::v1::PassStatus status = Status(resident);
  EXPECT_EQ(status.colour(), quarantine::v1::PASS_COLOUR_YELLOW);
  ASSERT_EQ(status.reasons_size(), 1);
  EXPECT_EQ(status.reasons(0).code(), "fever_referral");
  // The shared entry checkpoints read, written by the relay from the committed row.
  EXPECT_TRUE(Eventually(
      [&] { return redis_->Get(quarantine::PassColourCacheKey(resident)) == "yellow"; }));

  // Redis restarted without its data: the stream and the group are gone. The same alert
  // relayed again is read by a group created anew, and changes nothing.
  redis_->Del(stream_);
  Publish("checkpoint.alert.fever", AlertJson(alert, "checkpoint.alert.fever", resident));
  ASSERT_TRUE(Eventually([&] { return AllAcknowledged(); })) << server_->process().Stderr();
  EXPECT_EQ(Q(referrals), "1");

  // A second fever while the referral is open refreshes it: still one open referral.
  const std::string second = Uuid();
  Publish("checkpoint.alert.fever", AlertJson(second, "checkpoint.alert.fever", resident));
  ASSERT_TRUE(Eventually([&] { return Settled(second); }));
  EXPECT_EQ(Q(referrals), "1");
  EXPECT_EQ(Q("SELECT referral_alert_id FROM quarantine.persons_of_interest WHERE resident_id = '" +
              resident + "'"),
            second);
}

TEST_F(QuarantineEventsTest, AFeverAlertAfterAServerRestartIsStillHandledOnce) {
  const std::string resident = Uuid();
  const std::string alert = Uuid();
  Publish("checkpoint.alert.fever", AlertJson(alert, "checkpoint.alert.fever", resident));
  ASSERT_TRUE(Eventually([&] { return Settled(alert); }));
  // A new server process on the same database (a crash and restart, or another replica)
  // sees the same alert relayed again.
  ServiceUnderTest restarted("services/quarantine/quarantine_server", *server_, tokens_,
                             {{"FX_ALERT_STREAM", stream_}, {"FX_EVENTS_POLL_MS", "20"}});
  server_.reset();
  ASSERT_TRUE(restarted.WaitUntilServing());
  Publish("checkpoint.alert.fever", AlertJson(alert, "checkpoint.alert.fever", resident));
  ASSERT_TRUE(Eventually([&] { return AllAcknowledged(); }));
  EXPECT_EQ(restarted
                .Query("SELECT count(*) FROM quarantine.persons_of_interest WHERE resident_id = '" +
                       resident + "'")
                .at(0),
            "1");
}

TEST_F(QuarantineEventsTest, AnEventThatCannotBeHandledIsParkedAndOthersFlowOn) {
  Publish("checkpoint.alert.fever", "{not json");
  const std::string resident = Uuid();
  const std::string alert = Uuid();
  Publish("checkpoint.alert.fever", AlertJson(alert, "checkpoint.alert.fever", resident));
  ASSERT_TRUE(Eventually([&] {
    return Q("SELECT count(*) FROM quarantine.parked_events") == "1" && Settled(alert) &&
           AllAcknowledged();
  })) << server_->process().Stderr();
  EXPECT_EQ(Q("SELECT payload FROM quarantine.parked_events"), "{not json");
  // Other kinds of alert are not quarantine's business: acknowledged, nothing stored.
  Publish("checkpoint.alert.outside_vehicle",
          AlertJson(Uuid(), "checkpoint.alert.outside_vehicle", resident));
  ASSERT_TRUE(Eventually([&] { return AllAcknowledged(); }));
  EXPECT_EQ(Q("SELECT count(*) FROM quarantine.consumed_events"), "1");
}

TEST_F(QuarantineEventsTest, ARedPassGoingOutIsReportedOnlyForSomeoneIsolated) {
  const std::string isolated = Uuid();
  IsolateSinceYesterday(isolated);
  const std::string free = Uuid();
  const std::string a1 = Uuid();
  const std::string a2 = Uuid();
  Publish("checkpoint.alert.red_pass", AlertJson(a1, "checkpoint.alert.red_pass", isolated));
  Publish("checkpoint.alert.red_pass", AlertJson(a2, "checkpoint.alert.red_pass", free));
  ASSERT_TRUE(Eventually([&] { return Settled(a1) && Settled(a2); }));
  EXPECT_EQ(Q("SELECT kind || '/' || status || '/' || source_event_id FROM quarantine.violations "
              "WHERE resident_id = '" +
              isolated + "'"),
            absl::StrCat(quarantine::kLeavingIsolationKind, "/1/", a1));
  EXPECT_EQ(Q("SELECT count(*) FROM quarantine.violations WHERE resident_id = '" + free + "'"),
            "0");
  EXPECT_EQ(Q("SELECT outcome FROM quarantine.consumed_events WHERE event_id = '" + a2 + "'"),
            "not_isolated");
  // Reported, not confirmed: the colour is the order's, with no violation reason.
  const quarantine::v1::PassStatus status = Status(isolated);
  EXPECT_EQ(status.colour(), quarantine::v1::PASS_COLOUR_GREEN)
      << "nothing recomputed the isolated person yet: the order went in by SQL";
}

TEST_F(QuarantineEventsTest, ARedPassIsJudgedByWhenItHappenedNotByWhenItArrives) {
  const std::string resident = Uuid();
  IsolateSinceYesterday(resident);
  const absl::Time at_the_gate = absl::Now();
  // Released after the person went out, before the alert got here (a Redis outage).
  server_->Query(
      "UPDATE quarantine.isolation_orders SET released_at = now() + interval '1 "
      "second', released_by = 'officer', release_reason = 'done' FROM "
      "quarantine.isolation_order_members m WHERE m.order_id = "
      "isolation_orders.order_id AND m.resident_id = '" +
      resident + "'");
  const std::string alert = Uuid();
  Publish("checkpoint.alert.red_pass",
          AlertJson(alert, "checkpoint.alert.red_pass", resident, at_the_gate));
  ASSERT_TRUE(Eventually([&] { return Settled(alert); }));
  EXPECT_EQ(Q("SELECT outcome FROM quarantine.consumed_events WHERE event_id = '" + alert + "'"),
            "violation_reported");
  // An alert from before the order started is not a violation.
  const std::string early = Uuid();
  Publish("checkpoint.alert.red_pass",
          AlertJson(early, "checkpoint.alert.red_pass", resident, absl::Now() - absl::Hours(72)));
  ASSERT_TRUE(Eventually([&] { return Settled(early); }));
  EXPECT_EQ(Q("SELECT outcome FROM quarantine.consumed_events WHERE event_id = '" + early + "'"),
            "not_isolated");
}

// The engine and the relay in-process on their own database, Redis behind a proxy.
class PassColourPublishTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pg_ = PoolFor(CreateScratchDatabase("qcolour"));
    ASSERT_TRUE(common::Migrate(*pg_, "quarantine", quarantine::Migrations()).ok());
    common::RedisPool::Options options;
    ASSERT_TRUE(common::ParseRedisAddress(RedisAddr(), &options).ok());
    proxy_ = std::make_unique<TcpProxy>(options.port, /*enabled=*/true);
    redis_ = RedisAt(proxy_->port());
    direct_ = RedisAt();
    stream_ = "fx:test:qevents:" + Query("SELECT gen_random_uuid()::text");
    resident_ = Query("SELECT gen_random_uuid()::text");
  }
  void TearDown() override {
    if (direct_) {
      direct_->Del(stream_);
      direct_->Del(quarantine::PassColourCacheKey(resident_));
    }
  }

  std::string Query(const std::string& sql) {
    auto conn = pg_->Acquire();
    EXPECT_TRUE(conn.ok());
    auto r = conn->Exec(sql);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() && r->rows() > 0 ? std::string(r->Get(0, 0)) : std::string();
  }

  common::OutboxRelay::Options RelayOptions() {
    common::OutboxRelay::Options o;
    o.table = quarantine::kQuarantineOutboxTable;
    o.stream = stream_;
    o.poll = absl::Milliseconds(10);
    o.max_backoff = absl::Milliseconds(50);
    o.before_publish = [this](common::PgConn& c, const common::OutboxRelay::Row& row) {
      return quarantine::RefreshCachedColour(*redis_, c, row);
    };
    return o;
  }

  // Writes an order for resident_ starting on `start` and recomputes, in one transaction.
  std::vector<quarantine::PassChange> Isolate(const quarantine::PassColourEngine& engine,
                                              absl::CivilDay start, absl::Time now) {
    std::vector<quarantine::PassChange> changes;
    absl::Status s = pg_->Transaction([&](common::PgConn& c) -> absl::Status {
      const std::string order = std::string(c.Exec("SELECT gen_random_uuid()::text")->Get(0, 0));
      auto o = c.Exec(
          "INSERT INTO quarantine.isolation_orders (order_id, household_id, area_code, "
          "start_date, period_days, created_by, created_at) "
          "VALUES ($1, gen_random_uuid(), $2, $3::date, 14, 'test', $4::timestamptz)",
          {order, kArea, common::IsoDate(start), common::Rfc3339Micros(now - absl::Hours(30))});
      if (!o.ok()) return o.status();
      auto m = c.Exec(
          "INSERT INTO quarantine.isolation_order_members (order_id, resident_id) VALUES ($1, $2)",
          {order, resident_});
      if (!m.ok()) return m.status();
      auto ch = engine.Recompute(c, {resident_}, now);
      if (!ch.ok()) return ch.status();
      changes = *ch;
      return absl::OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s;
    return changes;
  }

  std::unique_ptr<common::PgPool> pg_;
  std::unique_ptr<TcpProxy> proxy_;
  std::unique_ptr<common::RedisPool> redis_;
  std::unique_ptr<common::RedisPool> direct_;
  std::string stream_;
  std::string resident_;
};

TEST_F(PassColourPublishTest, AChangeMadeWhileRedisIsDownReplacesTheStaleGreenWhenItReturns) {
  const std::string key = quarantine::PassColourCacheKey(resident_);
  ASSERT_TRUE(direct_->Command({"SET", key, "green", "EX", "600"}).ok());
  common::OutboxRelay relay(*pg_, *redis_, RelayOptions());
  const quarantine::PassColourEngine engine(
      {}, [&relay](const std::vector<quarantine::PassChange>&) { relay.Notify(); });
  relay.Start();
  proxy_->SetEnabled(false);

  const absl::Time now = absl::Now();
  const std::vector<quarantine::PassChange> changes =
      Isolate(engine, common::ChinaToday(now) - 1, now);
  engine.Published(changes);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].previous, quarantine::v1::PASS_COLOUR_GREEN);
  EXPECT_EQ(changes[0].colour, quarantine::v1::PASS_COLOUR_RED);
  // Committed although Redis is down; the event waits in the outbox.
  EXPECT_EQ(
      Query("SELECT colour FROM quarantine.pass_status WHERE resident_id = '" + resident_ + "'"),
      "3");
  EXPECT_EQ(Query("SELECT count(*) FROM quarantine.outbox"), "1");
  EXPECT_EQ(direct_->Get(key), "green");

  proxy_->SetEnabled(true);
  ASSERT_TRUE(Eventually([&] { return direct_->Get(key) == "red"; }));
  ASSERT_TRUE(Eventually([&] { return ReadStream(*direct_, stream_).size() == 1; }));
  const StreamEntry event = ReadStream(*direct_, stream_)[0];
  EXPECT_EQ(event.type, quarantine::kPassStatusChangedEvent);
  EXPECT_NE(event.payload.find(resident_), std::string::npos);
  EXPECT_NE(event.payload.find("\"colour\":\"PASS_COLOUR_RED\""), std::string::npos)
      << event.payload;
  EXPECT_NE(event.payload.find("\"previous_colour\":\"PASS_COLOUR_GREEN\""), std::string::npos)
      << event.payload;
  // Health data stays out of the shared stream: no reasons, not even their codes.
  EXPECT_EQ(event.payload.find("isolation"), std::string::npos) << event.payload;
  EXPECT_TRUE(Eventually([&] { return Query("SELECT count(*) FROM quarantine.outbox") == "0"; }));
}

TEST_F(PassColourPublishTest, AnOrderStartingLaterTurnsRedWhenTheReviewReachesIt) {
  const quarantine::PassColourEngine engine({}, nullptr);
  const absl::Time now = absl::Now();
  const absl::CivilDay tomorrow = common::ChinaToday(now) + 1;
  EXPECT_TRUE(Isolate(engine, tomorrow, now).empty());  // still GREEN
  EXPECT_EQ(
      Query("SELECT colour FROM quarantine.pass_status WHERE resident_id = '" + resident_ + "'"),
      "1");
  // Nothing is due yet.
  absl::StatusOr<int> looked = engine.ReviewDue(*pg_, now, 100);
  ASSERT_TRUE(looked.ok()) << looked.status();
  EXPECT_EQ(*looked, 0);
  // At midnight (China time) the order starts.
  const absl::Time midnight = common::ChinaDayStart(tomorrow);
  looked = engine.ReviewDue(*pg_, midnight, 100);
  ASSERT_TRUE(looked.ok()) << looked.status();
  EXPECT_EQ(*looked, 1);
  EXPECT_EQ(
      Query("SELECT colour FROM quarantine.pass_status WHERE resident_id = '" + resident_ + "'"),
      "3");
  // Next due: the end of the first check-in slot.
  EXPECT_EQ(
      Query("SELECT next_review_at = '" + common::Rfc3339Micros(midnight + absl::Hours(12)) +
            "'::timestamptz FROM quarantine.pass_status WHERE resident_id = '" + resident_ + "'"),
      "t");
}

}  // namespace
}  // namespace fangxian::testing
