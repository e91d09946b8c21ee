// Alerts against the real checkpoint_server: listing, reading and acknowledging them, the
// outbox relay publishing to the Redis Stream, and the live StreamAlerts fan-out. Alerts
// are raised the way the passage log and the staffing watch raise them: InsertAlerts in a
// transaction on the service's database. The relay's failure cases run in-process against
// a database of their own, with Redis behind a proxy the test can cut.
#include <chrono>
#include <csignal>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/migrate.h"
#include "common/outbox_relay.h"
#include "common/pg.h"
#include "common/redis.h"
#include "fangxian/checkpoint/v1/alerts.grpc.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "services/checkpoint/alert_writer.h"
#include "services/checkpoint/migrations.h"
#include "tests/support/checkpoint_fixtures.h"
#include "tests/support/direct_stores.h"
#include "tests/support/service_under_test.h"
#include "tests/support/tcp_proxy.h"

namespace fangxian::testing {
namespace {

using checkpoint::AlertKind;
using checkpoint::NewAlert;
using checkpoint::v1::AcknowledgeAlertRequest;
using checkpoint::v1::Alert;
using checkpoint::v1::AlertService;
using checkpoint::v1::GetAlertRequest;
using checkpoint::v1::ListAlertsRequest;
using checkpoint::v1::ListAlertsResponse;
using checkpoint::v1::StreamAlertsRequest;
using google::protobuf::util::TimeUtil;

constexpr char kLonghai[] = "gongyi.dufulu.longhai";
constexpr char kYimin[] = "gongyi.dufulu.yimin";

NewAlert Fever(const std::string& checkpoint_id, const std::string& area, absl::Time at,
               double celsius = 38.6) {
  NewAlert a;
  a.kind = AlertKind::kFever;
  a.checkpoint_id = checkpoint_id;
  a.area_codes = {area};
  a.resident_id = "0b0e5c1a-8f3d-4c2e-9a71-2d4f6b8c0e13";
  a.temperature_celsius = celsius;
  a.detail = "fever at the gate";
  a.raised_at = at;
  return a;
}

// Raises alerts in one transaction, as the passage log does; returns their ids.
std::vector<std::string> Raise(common::PgPool& pg, const std::vector<NewAlert>& alerts) {
  std::vector<std::string> ids;
  absl::Status s = pg.Transaction(
      [&](common::PgConn& conn) { return checkpoint::InsertAlerts(conn, alerts, &ids); });
  EXPECT_TRUE(s.ok()) << s;
  return ids;
}

class AlertServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ServiceUnderTest>(
        "services/checkpoint/checkpoint_server", "alerts", tokens_,
        std::map<std::string, std::string>{{"FX_OUTBOX_POLL_MS", "20"},
                                           {"FX_DRAIN_SECONDS", "30"}});
    ASSERT_TRUE(server_->WaitUntilServing());
    stub_ = AlertService::NewStub(server_->channel());
    pg_ = PoolFor(server_->dsn());
    redis_ = RedisAt();
    auto sql = [this](const std::string& q) { return server_->Query(q); };
    longhai_gate_ = InsertCheckpoint(sql, kLonghai + std::string(".jingyuan"));
    yimin_gate_ = InsertCheckpoint(sql, kYimin + std::string(".north"));
    leader_ = tokens_.Mint("leader-1", {"shift_leader"}, {kLonghai});
    yimin_admin_ = tokens_.Mint("admin-y", {"community_admin"}, {kYimin});
  }

  grpc::Status List(const std::string& token, const ListAlertsRequest& req,
                    ListAlertsResponse* out) {
    return stub_->ListAlerts(CallContextWith(token).get(), req, out);
  }
  grpc::Status Get(const std::string& token, const std::string& id, Alert* out) {
    GetAlertRequest req;
    req.set_alert_id(id);
    return stub_->GetAlert(CallContextWith(token).get(), req, out);
  }
  grpc::Status Ack(const std::string& token, const std::string& id, const std::string& note,
                   Alert* out) {
    AcknowledgeAlertRequest req;
    req.set_alert_id(id);
    req.set_note(note);
    return stub_->AcknowledgeAlert(CallContextWith(token).get(), req, out);
  }

  // An open StreamAlerts call whose subscription is in place on the server.
  struct Stream {
    std::unique_ptr<grpc::ClientContext> ctx;
    std::unique_ptr<grpc::ClientReader<Alert>> reader;
  };
  Stream Subscribe(const std::string& token, const StreamAlertsRequest& req = {}) {
    Stream s;
    s.ctx = CallContextWith(token);
    s.ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    s.reader = stub_->StreamAlerts(s.ctx.get(), req);
    // The server sends its headers once the subscription is registered.
    s.reader->WaitForInitialMetadata();
    return s;
  }

  // Raises alerts as Raise does and remembers them as this test's own.
  std::vector<std::string> RaiseOwn(const std::vector<NewAlert>& alerts) {
    std::vector<std::string> ids = Raise(*pg_, alerts);
    own_.insert(ids.begin(), ids.end());
    return ids;
  }

  // The next alert on `s` that this test raised. Every checkpoint_server under test
  // publishes to the one stream of the shared test Redis, so a subscriber over gongyi
  // also gets the alerts of tests running alongside; those are skipped.
  bool ReadOwn(Stream& s, Alert* out) {
    while (s.reader->Read(out)) {
      if (own_.count(out->alert_id()) != 0) return true;
    }
    return false;
  }

  // The status a refused StreamAlerts call ends with.
  grpc::Status Refused(const std::string& token, const StreamAlertsRequest& r) {
    auto ctx = CallContextWith(token);
    auto reader = stub_->StreamAlerts(ctx.get(), r);
    Alert ignored;
    while (reader->Read(&ignored)) {
    }
    return reader->Finish();
  }

  TestTokens tokens_;
  std::unique_ptr<ServiceUnderTest> server_;
  std::unique_ptr<AlertService::Stub> stub_;
  std::unique_ptr<common::PgPool> pg_;
  std::unique_ptr<common::RedisPool> redis_;
  std::string longhai_gate_;
  std::string yimin_gate_;
  std::string leader_;
  std::string yimin_admin_;
  std::set<std::string> own_;  // ids of the alerts this test raised
};

TEST_F(AlertServerTest, ListFiltersByScopeKindAndStateNewestFirstInPages) {
  const absl::Time t0 = absl::Now() - absl::Minutes(30);
  const std::string jingyuan = kLonghai + std::string(".jingyuan");
  NewAlert red = Fever(longhai_gate_, jingyuan, t0 + absl::Minutes(2));
  red.kind = AlertKind::kRedPass;
  red.temperature_celsius.reset();
  NewAlert unstaffed = Fever(longhai_gate_, jingyuan, t0 + absl::Minutes(3));
  unstaffed.kind = AlertKind::kPostUnstaffed;
  unstaffed.temperature_celsius.reset();
  unstaffed.resident_id.clear();
  unstaffed.detail = "post 2 of shift 1 unstaffed";
  const std::vector<std::string> ids =
      Raise(*pg_, {Fever(longhai_gate_, jingyuan, t0 + absl::Minutes(1)), red, unstaffed,
                   Fever(yimin_gate_, kYimin + std::string(".north"), t0 + absl::Minutes(4))});
  ASSERT_EQ(ids.size(), 4u);

  ListAlertsResponse page;
  ASSERT_TRUE(List(leader_, {}, &page).ok());
  ASSERT_EQ(page.alerts_size(), 3);  // not yimin's
  EXPECT_EQ(page.alerts(0).alert_id(), ids[2]);
  EXPECT_EQ(page.alerts(1).alert_id(), ids[1]);
  EXPECT_EQ(page.alerts(2).alert_id(), ids[0]);
  const Alert& fever = page.alerts(2);
  EXPECT_EQ(fever.kind(), checkpoint::v1::ALERT_KIND_FEVER);
  EXPECT_EQ(fever.checkpoint_id(), longhai_gate_);
  EXPECT_EQ(fever.area_codes(0), jingyuan);
  EXPECT_EQ(fever.resident_id(), "0b0e5c1a-8f3d-4c2e-9a71-2d4f6b8c0e13");
  ASSERT_TRUE(fever.has_temperature_celsius());  // a shift leader of the area
  EXPECT_DOUBLE_EQ(fever.temperature_celsius(), 38.6);
  EXPECT_EQ(fever.detail(), "fever at the gate");
  EXPECT_EQ(TimeUtil::TimestampToMicroseconds(fever.raise_time()),
            absl::ToUnixMicros(t0 + absl::Minutes(1)));
  EXPECT_FALSE(page.alerts(1).has_temperature_celsius());

  // Inspectors and auditors read alerts but not the health data in them.
  for (const char* role : {"inspector", "auditor"}) {
    ASSERT_TRUE(List(tokens_.Mint("x", {role}, {"gongyi"}), {}, &page).ok());
    ASSERT_EQ(page.alerts_size(), 4) << role;
    for (const Alert& a : page.alerts()) EXPECT_FALSE(a.has_temperature_celsius()) << role;
  }

  ListAlertsRequest req;
  req.add_kinds(checkpoint::v1::ALERT_KIND_FEVER);
  req.add_kinds(checkpoint::v1::ALERT_KIND_POST_UNSTAFFED);
  ASSERT_TRUE(List(leader_, req, &page).ok());
  ASSERT_EQ(page.alerts_size(), 2);
  EXPECT_EQ(page.alerts(0).alert_id(), ids[2]);

  // Pages of two, with the same filters, cover everything once.
  const std::string subdistrict = tokens_.Mint("sd", {"subdistrict_admin"}, {"gongyi"});
  req.Clear();
  req.set_page_size(2);
  std::vector<std::string> seen;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(List(subdistrict, req, &page).ok());
    for (const Alert& a : page.alerts()) seen.push_back(a.alert_id());
    if (page.next_page_token().empty()) break;
    req.set_page_token(page.next_page_token());
  }
  EXPECT_EQ(seen, (std::vector<std::string>{ids[3], ids[2], ids[1], ids[0]}));

  // area_code narrows within the scope; since bounds the time.
  req.Clear();
  req.set_area_code(kYimin);
  ASSERT_TRUE(List(subdistrict, req, &page).ok());
  ASSERT_EQ(page.alerts_size(), 1);
  EXPECT_EQ(page.alerts(0).alert_id(), ids[3]);
  req.Clear();
  *req.mutable_since() =
      TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t0 + absl::Minutes(2)));
  ASSERT_TRUE(List(leader_, req, &page).ok());
  EXPECT_EQ(page.alerts_size(), 2);

  // Acknowledged alerts drop out of unacknowledged_only.
  Alert acked;
  ASSERT_TRUE(Ack(leader_, ids[1], "", &acked).ok());
  req.Clear();
  req.set_unacknowledged_only(true);
  ASSERT_TRUE(List(leader_, req, &page).ok());
  ASSERT_EQ(page.alerts_size(), 2);
  EXPECT_NE(page.alerts(0).alert_id(), ids[1]);
  EXPECT_NE(page.alerts(1).alert_id(), ids[1]);

  // Refusals.
  req.Clear();
  req.set_area_code(kYimin);
  EXPECT_EQ(List(leader_, req, &page).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  req.Clear();
  req.set_page_size(501);
  EXPECT_TRUE(IsInvalidNaming(List(leader_, req, &page), "page_size"));
  req.Clear();
  req.set_page_token("bm90LWEtdG9rZW4");
  EXPECT_TRUE(IsInvalidNaming(List(leader_, req, &page), "page_token"));
  req.Clear();
  req.add_kinds(static_cast<checkpoint::v1::AlertKind>(9));
  EXPECT_TRUE(IsInvalidNaming(List(leader_, req, &page), "kinds"));
  req.Clear();
  req.set_area_code("Long Hai");
  EXPECT_TRUE(IsInvalidNaming(List(leader_, req, &page), "area_code"));
  EXPECT_EQ(List("", {}, &page).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(List(tokens_.Mint("v", {"temperature_monitor"}, {"gongyi"}), {}, &page).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(AlertServerTest, AcknowledgingRecordsWhoAndWhenOnce) {
  const std::string id =
      Raise(*pg_, {Fever(longhai_gate_, kLonghai + std::string(".jingyuan"), absl::Now())})[0];
  Alert got;
  ASSERT_TRUE(Get(leader_, id, &got).ok());
  EXPECT_FALSE(got.has_acknowledge_time());
  // Outside the scope the alert does not exist; malformed ids are refused.
  EXPECT_EQ(Get(yimin_admin_, id, &got).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Get(leader_, "123e4567-e89b-12d3-a456-426614174000", &got).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(IsInvalidNaming(Get(leader_, "42", &got), "alert_id"));
  Alert acked;
  EXPECT_EQ(Ack(yimin_admin_, id, "", &acked).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Ack(tokens_.Mint("au", {"auditor"}, {"gongyi"}), id, "", &acked).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(IsInvalidNaming(Ack(leader_, id, std::string(501, 'x'), &acked), "note"));
  EXPECT_EQ(server_->Query("SELECT count(*) FROM checkpoint.alerts WHERE acknowledged_at IS "
                           "NOT NULL")[0],
            "0");

  const absl::Time before = absl::Now();
  grpc::Status st = Ack(leader_, id, "referred to the fever clinic", &acked);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(acked.acknowledged_by(), "leader-1");
  EXPECT_EQ(acked.note(), "referred to the fever clinic");
  EXPECT_GE(TimeUtil::TimestampToMicroseconds(acked.acknowledge_time()),
            absl::ToUnixMicros(before) - 1000000);
  ASSERT_TRUE(Get(leader_, id, &got).ok());
  EXPECT_EQ(got.acknowledged_by(), "leader-1");

  const std::string admin = tokens_.Mint("admin-l", {"community_admin"}, {kLonghai});
  st = Ack(admin, id, "", &acked);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(st.error_message().find("leader-1"), std::string::npos) << st.error_message();
  ASSERT_TRUE(Get(leader_, id, &got).ok());
  EXPECT_EQ(got.note(), "referred to the fever clinic");  // the first one stands
}

TEST_F(AlertServerTest, CommittedAlertsArePublishedToTheStreamAndLeaveTheOutbox) {
  const absl::Time at = absl::Now();
  NewAlert fever = Fever(longhai_gate_, kLonghai + std::string(".jingyuan"), at, 39.2);
  fever.passage_id = "9b2f3c1e-0a4d-4b6e-8c7f-1d2e3f4a5b6c";
  const std::string id = Raise(*pg_, {fever})[0];
  // A rolled-back alert is never published.
  absl::Status rolled_back = pg_->Transaction([&](common::PgConn& conn) {
    std::vector<std::string> ids;
    absl::Status s = checkpoint::InsertAlerts(conn, {fever}, &ids);
    return s.ok() ? absl::AbortedError("changed my mind") : s;
  });
  ASSERT_TRUE(absl::IsAborted(rolled_back));

  StreamEntry published;
  ASSERT_TRUE(Eventually([&] {
    for (const StreamEntry& e : ReadStream(*redis_, server_->alert_stream())) {
      if (e.payload.find(id) != std::string::npos) published = e;
    }
    return !published.payload.empty();
  }));
  EXPECT_EQ(published.type, "checkpoint.alert.fever");
  EXPECT_FALSE(published.event_id.empty());
  checkpoint::v1::AlertEvent event;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(published.payload, &event).ok())
      << published.payload;
  EXPECT_EQ(event.alert_id(), id);
  EXPECT_EQ(event.kind(), 1);
  EXPECT_EQ(event.checkpoint_id(), longhai_gate_);
  EXPECT_EQ(event.passage_id(), fever.passage_id);
  EXPECT_EQ(event.resident_id(), fever.resident_id);
  EXPECT_DOUBLE_EQ(event.temperature_celsius(), 39.2);
  EXPECT_EQ(event.detail(), "fever at the gate");
  EXPECT_EQ(TimeUtil::TimestampToMicroseconds(event.raised_at()), absl::ToUnixMicros(at));
  EXPECT_TRUE(Eventually([&] { return server_->Count("checkpoint.outbox") == "0"; }));
}

TEST_F(AlertServerTest, StreamDeliversLiveAlertsOnlyWithinTheSubscribersScope) {
  Stream longhai = Subscribe(leader_);
  Stream yimin = Subscribe(yimin_admin_);
  Stream inspector = Subscribe(tokens_.Mint("insp", {"inspector"}, {"gongyi"}));

  const std::string a =
      RaiseOwn({Fever(longhai_gate_, kLonghai + std::string(".jingyuan"), absl::Now())})[0];
  Alert got;
  ASSERT_TRUE(ReadOwn(longhai, &got));
  EXPECT_EQ(got.alert_id(), a);
  EXPECT_EQ(got.kind(), checkpoint::v1::ALERT_KIND_FEVER);
  ASSERT_TRUE(got.has_temperature_celsius());
  EXPECT_DOUBLE_EQ(got.temperature_celsius(), 38.6);
  EXPECT_EQ(got.detail(), "fever at the gate");
  ASSERT_TRUE(ReadOwn(inspector, &got));
  EXPECT_EQ(got.alert_id(), a);
  EXPECT_FALSE(got.has_temperature_celsius());

  // The yimin subscriber's first alert is yimin's, raised after longhai's: it never got
  // longhai's.
  const std::string b =
      RaiseOwn({Fever(yimin_gate_, kYimin + std::string(".north"), absl::Now())})[0];
  ASSERT_TRUE(ReadOwn(yimin, &got));
  EXPECT_EQ(got.alert_id(), b);
  ASSERT_TRUE(ReadOwn(inspector, &got));
  EXPECT_EQ(got.alert_id(), b);

  // Cancelling ends the call on both sides; the others carry on.
  longhai.ctx->TryCancel();
  EXPECT_FALSE(longhai.reader->Read(&got));
  EXPECT_EQ(longhai.reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  const std::string c =
      RaiseOwn({Fever(yimin_gate_, kYimin + std::string(".north"), absl::Now())})[0];
  ASSERT_TRUE(ReadOwn(yimin, &got));
  EXPECT_EQ(got.alert_id(), c);

  // SIGTERM ends open streams with UNAVAILABLE, so the server drains long before its
  // 30 s drain window.
  const auto start = std::chrono::steady_clock::now();
  server_->process().Signal(SIGTERM);
  EXPECT_FALSE(ReadOwn(yimin, &got));
  EXPECT_EQ(yimin.reader->Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(server_->process().WaitExit(std::chrono::seconds(10)), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST_F(AlertServerTest, StreamReplaysStoredAlertsSinceThenGoesLiveWithoutDuplicates) {
  const absl::Time now = absl::Now();
  const std::string area = kLonghai + std::string(".jingyuan");
  const std::vector<std::string> old =
      RaiseOwn({Fever(longhai_gate_, area, now - absl::Minutes(50)),
                Fever(longhai_gate_, area, now - absl::Minutes(10)),
                Fever(longhai_gate_, area, now - absl::Minutes(5))});
  // Published before the stream opens: a live stream sends every alert published while
  // it is open, however old, so the 50-minute-old one must not be published meanwhile.
  ASSERT_TRUE(Eventually([&] { return server_->Count("checkpoint.outbox") == "0"; }));
  StreamAlertsRequest req;
  *req.mutable_since() =
      TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(now - absl::Minutes(20)));
  Stream s = Subscribe(leader_, req);
  Alert got;
  ASSERT_TRUE(ReadOwn(s, &got));
  EXPECT_EQ(got.alert_id(), old[1]);  // oldest first, the 50-minute-old one not included
  ASSERT_TRUE(ReadOwn(s, &got));
  EXPECT_EQ(got.alert_id(), old[2]);
  const std::string live = RaiseOwn({Fever(longhai_gate_, area, absl::Now())})[0];
  ASSERT_TRUE(ReadOwn(s, &got));
  EXPECT_EQ(got.alert_id(), live);
  s.ctx->TryCancel();

  // Refusals arrive as the stream's status.
  auto refused = [&](const std::string& token, const StreamAlertsRequest& r) {
    return Refused(token, r);
  };
  EXPECT_EQ(refused("", {}).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(refused(tokens_.Mint("v", {"volunteer"}, {"gongyi"}), {}).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  req.Clear();
  req.set_area_code(kYimin);
  EXPECT_EQ(refused(leader_, req).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  req.Clear();
  *req.mutable_since() =
      TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(absl::Now() - absl::Hours(2)));
  EXPECT_TRUE(IsInvalidNaming(refused(leader_, req), "since"));
}

// Alerts reach the stream in commit order, not raise_time order: a client resuming from
// the raise_time of the last alert it got must still get one raised a little earlier
// that was committed (and published) later. The replay starts a minute before `since`.
TEST_F(AlertServerTest, AResumedStreamReplaysFromAMinuteBeforeSince) {
  const absl::Time now = absl::Now();
  const std::string area = kLonghai + std::string(".jingyuan");
  // Raised 30 s ago and 2 minutes ago; the client last saw an alert raised 10 s ago.
  const std::string late = RaiseOwn({Fever(longhai_gate_, area, now - absl::Seconds(30))})[0];
  const std::string early = RaiseOwn({Fever(longhai_gate_, area, now - absl::Minutes(2))})[0];
  // Both already published, as for a client that reconnects a while later.
  ASSERT_TRUE(Eventually([&] { return server_->Count("checkpoint.outbox") == "0"; }));
  StreamAlertsRequest req;
  *req.mutable_since() =
      TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(now - absl::Seconds(10)));
  Stream s = Subscribe(leader_, req);
  Alert got;
  // The early alert is outside the replay, but it may still arrive live: the hub may not
  // have read it from Redis yet when the stream starts, and a live alert is streamed
  // whatever its raise_time. It is skipped here; nothing else may come.
  auto read_skipping_early = [&](Alert* out) {
    bool ok = ReadOwn(s, out);
    while (ok && out->alert_id() == early) ok = ReadOwn(s, out);
    return ok;
  };
  ASSERT_TRUE(read_skipping_early(&got));
  EXPECT_EQ(got.alert_id(), late);
  // Replayed and (maybe) published live meanwhile: sent once. The next is a new one.
  const std::string next = RaiseOwn({Fever(longhai_gate_, area, absl::Now())})[0];
  ASSERT_TRUE(read_skipping_early(&got));
  EXPECT_EQ(got.alert_id(), next);
  s.ctx->TryCancel();
}

// A live alert is streamed however long before `since` it was raised (its transaction, or
// the outbox, was slow), and an event the relay published twice goes out once.
TEST_F(AlertServerTest, LateAndRepeatedLiveAlertsAreStreamedOnce) {
  const std::string area = kLonghai + std::string(".jingyuan");
  StreamAlertsRequest req;
  *req.mutable_since() =
      TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(absl::Now() - absl::Seconds(5)));
  Stream s = Subscribe(leader_, req);
  const std::string late =
      RaiseOwn({Fever(longhai_gate_, area, absl::Now() - absl::Minutes(5))})[0];
  Alert got;
  ASSERT_TRUE(ReadOwn(s, &got));
  EXPECT_EQ(got.alert_id(), late);

  // The relay delivers at least once: the same event again, as it would after a retry.
  StreamEntry published;
  ASSERT_TRUE(Eventually([&] {
    for (const StreamEntry& e : ReadStream(*redis_, server_->alert_stream())) {
      if (e.payload.find(late) != std::string::npos) published = e;
    }
    return !published.payload.empty();
  }));
  ASSERT_TRUE(redis_
                  ->Command({"XADD", server_->alert_stream(), "*", "event_id", published.event_id,
                             "type", published.type, "payload", published.payload})
                  .ok());
  const std::string next = RaiseOwn({Fever(longhai_gate_, area, absl::Now())})[0];
  ASSERT_TRUE(ReadOwn(s, &got));
  EXPECT_EQ(got.alert_id(), next);
  s.ctx->TryCancel();
}

// FX_ALERT_MAX_STREAMS bounds the streams one replica serves; a closed stream frees its
// slot.
TEST(AlertStreamLimitTest, StreamsBeyondTheLimitAreResourceExhausted) {
  TestTokens tokens;
  ServiceUnderTest server("services/checkpoint/checkpoint_server", "alertlimit", tokens,
                          {{"FX_ALERT_MAX_STREAMS", "2"}});
  ASSERT_TRUE(server.WaitUntilServing());
  auto stub = AlertService::NewStub(server.channel());
  const std::string token = tokens.Mint("leader", {"shift_leader"}, {kLonghai});
  struct Open {
    std::unique_ptr<grpc::ClientContext> ctx;
    std::unique_ptr<grpc::ClientReader<Alert>> reader;
  };
  auto open = [&] {
    Open o;
    o.ctx = CallContextWith(token);
    o.ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    o.reader = stub->StreamAlerts(o.ctx.get(), StreamAlertsRequest());
    o.reader->WaitForInitialMetadata();
    return o;
  };
  // The status of a stream the server ended at once; OK while it stays open.
  auto refusal = [&](Open& o) {
    Alert ignored;
    if (!o.reader->Read(&ignored)) return o.reader->Finish();
    return grpc::Status::OK;
  };
  Open first = open();
  Open second = open();
  Open third = open();
  const grpc::Status st = refusal(third);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << st.error_message();
  EXPECT_NE(st.error_message().find("2 alert streams"), std::string::npos) << st.error_message();

  first.ctx->TryCancel();
  Alert ignored;
  EXPECT_FALSE(first.reader->Read(&ignored));
  first.reader->Finish();
  // The slot comes free once the server has finished the call: a stream opened then stays
  // open until its (short) deadline instead of being refused.
  EXPECT_TRUE(Eventually([&] {
    auto ctx = CallContextWith(token);
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(300));
    auto reader = stub->StreamAlerts(ctx.get(), StreamAlertsRequest());
    while (reader->Read(&ignored)) {
    }
    return reader->Finish().error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
  }));
  second.ctx->TryCancel();
}

// The relay on its own database (no server relaying alongside), with Redis behind a
// proxy the test can cut, and a stream key of its own.
class OutboxRelayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pg_ = PoolFor(CreateScratchDatabase("relay"));
    ASSERT_TRUE(common::Migrate(*pg_, "checkpoint", checkpoint::Migrations()).ok());
    common::RedisPool::Options options;
    ASSERT_TRUE(common::ParseRedisAddress(RedisAddr(), &options).ok());
    proxy_ = std::make_unique<TcpProxy>(options.port, /*enabled=*/true);
    redis_ = RedisAt(proxy_->port());
    direct_ = RedisAt();
    stream_ = "fx:test:relay:" + Query("SELECT gen_random_uuid()::text")[0];  // shared test Redis
    checkpoint_ = InsertCheckpoint([this](const std::string& q) { return Query(q); },
                                   "gongyi.dufulu.longhai.jingyuan");
  }
  void TearDown() override {
    if (direct_) direct_->Del(stream_);
  }

  std::vector<std::string> Query(const std::string& sql) {
    std::vector<std::string> out;
    auto conn = pg_->Acquire();
    EXPECT_TRUE(conn.ok());
    auto r = conn->Exec(sql);
    EXPECT_TRUE(r.ok()) << r.status();
    for (int i = 0; r.ok() && i < r->rows(); ++i) out.emplace_back(r->Get(i, 0));
    return out;
  }

  common::OutboxRelay::Options Options(int batch = 500) {
    common::OutboxRelay::Options o;
    o.table = checkpoint::kAlertOutboxTable;
    o.stream = stream_;
    o.poll = absl::Milliseconds(10);
    o.batch = batch;
    o.max_backoff = absl::Milliseconds(100);
    return o;
  }

  std::unique_ptr<common::PgPool> pg_;
  std::unique_ptr<TcpProxy> proxy_;
  std::unique_ptr<common::RedisPool> redis_;
  std::unique_ptr<common::RedisPool> direct_;
  std::string stream_;
  std::string checkpoint_;
};

TEST_F(OutboxRelayTest, WhileRedisIsDownEventsWaitInTheOutboxThenArriveInOrder) {
  proxy_->SetEnabled(false);
  std::vector<NewAlert> alerts;
  for (int i = 0; i < 3; ++i) {
    alerts.push_back(Fever(checkpoint_, "gongyi.dufulu.longhai.jingyuan", absl::Now(), 37.5 + i));
  }
  const std::vector<std::string> ids = Raise(*pg_, alerts);
  common::OutboxRelay relay(*pg_, *redis_, Options());
  EXPECT_EQ(relay.RelayOnce().status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(Query("SELECT count(*) FROM checkpoint.outbox")[0], "3");
  EXPECT_TRUE(ReadStream(*direct_, stream_).empty());

  relay.Start();
  proxy_->SetEnabled(true);
  ASSERT_TRUE(Eventually([&] { return ReadStream(*direct_, stream_).size() == 3; }));
  const std::vector<StreamEntry> entries = ReadStream(*direct_, stream_);
  for (size_t i = 0; i < ids.size(); ++i) {
    EXPECT_NE(entries[i].payload.find(ids[i]), std::string::npos) << i;
  }
  EXPECT_TRUE(
      Eventually([&] { return Query("SELECT count(*) FROM checkpoint.outbox")[0] == "0"; }));
}

TEST_F(OutboxRelayTest, TwoRelaysTogetherPublishEachEventOnce) {
  std::vector<NewAlert> alerts;
  for (int i = 0; i < 600; ++i) {
    alerts.push_back(Fever(checkpoint_, "gongyi.dufulu.longhai.jingyuan", absl::Now()));
  }
  ASSERT_EQ(Raise(*pg_, alerts).size(), 600u);
  common::OutboxRelay one(*pg_, *direct_, Options(/*batch=*/25));
  common::OutboxRelay two(*pg_, *direct_, Options(/*batch=*/25));
  one.Start();
  two.Start();
  ASSERT_TRUE(Eventually([&] { return Query("SELECT count(*) FROM checkpoint.outbox")[0] == "0"; },
                         std::chrono::seconds(30)));
  one.Stop();
  two.Stop();
  const std::vector<StreamEntry> entries = ReadStream(*direct_, stream_);
  std::set<std::string> event_ids;
  for (const StreamEntry& e : entries) event_ids.insert(e.event_id);
  EXPECT_EQ(entries.size(), 600u);
  EXPECT_EQ(event_ids.size(), 600u);
}

}  // namespace
}  // namespace fangxian::testing
