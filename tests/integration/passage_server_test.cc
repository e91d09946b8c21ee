// Black-box tests of the passage log: the real checkpoint_server, identity_server and
// quarantine_server on scratch databases and the test Redis, called over gRPC, with SQL
// checks of what was (and was not) stored.
#include <gmock/gmock.h>

#include <cmath>
#include <mutex>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "common/time_text.h"
#include "common/validate.h"
#include "tests/integration/passage_test_base.h"
#include "tests/support/http_client.h"

namespace fangxian::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class PassageServerTest : public PassageTestBase {
 protected:
  void SetUp() override {
    PassageTestBase::SetUp();
    if (HasFatalFailure()) return;
    StartCheckpoint();
    if (HasFatalFailure()) return;
    checkpoint_id_ = MakeCheckpoint();
    PutOnDuty(checkpoint_id_, "op-1");
  }

  // Records and expects success.
  cpv1::Passage MustRecord(const cpv1::RecordPassageRequest& r, const std::string& token = "") {
    cpv1::Passage out;
    grpc::Status st = Record(token.empty() ? operator_ : token, r, &out);
    EXPECT_TRUE(st.ok()) << st.error_code() << " " << st.error_message();
    return out;
  }

  std::string PassageCount() { return Count("checkpoint.passages"); }

  // The event of `alert_id` is either still in the outbox or already relayed to the stream.
  bool AlertEventPublished(const std::string& alert_id, const std::string& type) {
    return Eventually([&] {
      if (Count("checkpoint.outbox",
                "event_type = '" + type + "' AND payload LIKE '%" + alert_id + "%'") == "1") {
        return true;
      }
      auto r = redis_->Command({"XRANGE", checkpoint_->alert_stream(), "-", "+"});
      if (!r.ok()) return false;
      for (size_t i = 0; i < (*r)->elements; ++i) {
        const redisReply* fields = (*r)->element[i]->element[1];
        for (size_t j = 0; j < fields->elements; ++j) {
          const std::string v(fields->element[j]->str, fields->element[j]->len);
          if (v.find(alert_id) != std::string::npos) return true;
        }
      }
      return false;
    });
  }

  std::string checkpoint_id_;
};

TEST_F(PassageServerTest, AGreenResidentWithAPassIsAdmittedAndStoredWithBothTimes) {
  const Person zhang = Resident("张三");
  SetColour(zhang.resident_id, "green");
  cpv1::RecordPassageRequest r = NewRequest(checkpoint_id_, "dev1:0001");
  r.set_pass_token(PassOf(zhang.resident_id));
  r.set_temperature_celsius(36.62);
  const int64_t client_seconds = r.client_time().seconds();

  cpv1::Passage p = MustRecord(r);
  EXPECT_EQ(p.decision(), cpv1::DECISION_ADMIT);
  EXPECT_THAT(p.reasons(), IsEmpty());
  EXPECT_EQ(p.pass_colour(), cpv1::PASS_COLOUR_GREEN);
  EXPECT_EQ(p.person().resident_id(), zhang.resident_id);
  EXPECT_EQ(p.person().name(), "张三");
  EXPECT_EQ(p.person().id_number(),
            zhang.id_number.substr(0, 3) + "***********" + zhang.id_number.substr(14));
  EXPECT_FALSE(p.person().visitor());
  EXPECT_DOUBLE_EQ(p.temperature_celsius(), 36.6);
  EXPECT_EQ(p.client_time().seconds(), client_seconds);
  EXPECT_GE(p.record_time().seconds(), client_seconds);
  EXPECT_EQ(p.operator_id(), "op-1");
  EXPECT_FALSE(p.replayed());
  EXPECT_THAT(p.alert_ids(), IsEmpty());

  // Durable before acknowledged: the row is there once the answer is.
  const std::string where = "passage_id = '" + p.passage_id() + "'";
  EXPECT_EQ(Count("checkpoint.passages", where), "1");
  EXPECT_EQ(Query("SELECT resident_id FROM checkpoint.passages WHERE " + where)[0],
            zhang.resident_id);
  EXPECT_EQ(Query("SELECT temperature_celsius::text FROM checkpoint.passages WHERE " + where)[0],
            "36.6");
  EXPECT_EQ(Query("SELECT extract(epoch from client_time)::int8 FROM checkpoint.passages WHERE " +
                  where)[0],
            std::to_string(client_seconds));
  EXPECT_EQ(Count("checkpoint.passage_requests", "request_id = 'dev1:0001'"), "1");
  // No name and no ID number is stored by the passage log.
  EXPECT_EQ(Count("checkpoint.passages", "plate IS NOT NULL"), "0");

  // Read back: the stored fields, without what identity said at the gate.
  cpv1::GetPassageRequest get;
  get.set_checkpoint_id(checkpoint_id_);
  get.set_passage_id(p.passage_id());
  cpv1::Passage got;
  ASSERT_TRUE(passages_->GetPassage(CallContextWith(operator_).get(), get, &got).ok());
  EXPECT_EQ(got.decision(), cpv1::DECISION_ADMIT);
  EXPECT_EQ(got.person().resident_id(), zhang.resident_id);
  EXPECT_EQ(got.person().name(), "");
  // The first answer's server time is exactly the stored one (microseconds).
  EXPECT_EQ(got.record_time().seconds(), p.record_time().seconds());
  EXPECT_EQ(got.record_time().nanos(), p.record_time().nanos());
  EXPECT_EQ(p.record_time().nanos() % 1000, 0);

  cpv1::ListPassagesRequest list;
  list.set_checkpoint_id(checkpoint_id_);
  cpv1::ListPassagesResponse page;
  ASSERT_TRUE(passages_->ListPassages(CallContextWith(operator_).get(), list, &page).ok());
  ASSERT_EQ(page.passages_size(), 1);
  EXPECT_EQ(page.passages(0).passage_id(), p.passage_id());
}

TEST_F(PassageServerTest, FeverIsReferredWithAnAlertAndItsEvent) {
  const Person li = Resident("李四");
  SetColour(li.resident_id, "green");
  cpv1::RecordPassageRequest r = NewRequest(checkpoint_id_, "fever-1");
  r.set_pass_token(PassOf(li.resident_id));
  r.set_temperature_celsius(37.3);
  cpv1::Passage p = MustRecord(r);
  EXPECT_EQ(p.decision(), cpv1::DECISION_REFER);
  EXPECT_THAT(p.reasons(), ElementsAre(cpv1::REASON_FEVER));
  ASSERT_EQ(p.alert_ids_size(), 1);
  const std::string alert = "alert_id = '" + p.alert_ids(0) + "'";
  EXPECT_EQ(Query("SELECT kind FROM checkpoint.alerts WHERE " + alert)[0], "1");
  EXPECT_EQ(Query("SELECT passage_id FROM checkpoint.alerts WHERE " + alert)[0], p.passage_id());
  EXPECT_EQ(Query("SELECT temperature_celsius::text FROM checkpoint.alerts WHERE " + alert)[0],
            "37.3");
  EXPECT_EQ(Query("SELECT resident_id FROM checkpoint.alerts WHERE " + alert)[0], li.resident_id);
  EXPECT_TRUE(AlertEventPublished(p.alert_ids(0), "checkpoint.alert.fever"));
}

TEST_F(PassageServerTest, RedPassesAreDeniedGoingOutAndReferredComingIn) {
  const Person wang = Resident("王五");
  SetColour(wang.resident_id, "red");
  cpv1::RecordPassageRequest out = NewRequest(checkpoint_id_, "red-out");
  out.set_direction(cpv1::DIRECTION_OUT);
  out.set_id_number(wang.id_number);
  cpv1::Passage p = MustRecord(out);
  EXPECT_EQ(p.decision(), cpv1::DECISION_DENY);
  EXPECT_THAT(p.reasons(), ElementsAre(cpv1::REASON_RED_PASS));
  EXPECT_EQ(p.pass_colour(), cpv1::PASS_COLOUR_RED);
  ASSERT_EQ(p.alert_ids_size(), 1);
  EXPECT_EQ(
      Query("SELECT kind FROM checkpoint.alerts WHERE alert_id = '" + p.alert_ids(0) + "'")[0],
      "2");

  cpv1::RecordPassageRequest in = NewRequest(checkpoint_id_, "red-in");
  in.set_id_number(wang.id_number);
  p = MustRecord(in);
  EXPECT_EQ(p.decision(), cpv1::DECISION_REFER);
  EXPECT_THAT(p.reasons(), ElementsAre(cpv1::REASON_RED_PASS));
  EXPECT_EQ(Count("checkpoint.alerts", "kind = 2"), "2");
}

TEST_F(PassageServerTest, YellowPassesAreReferred) {
  const Person zhao = Resident("赵六");
  SetColour(zhao.resident_id, "yellow");
  cpv1::RecordPassageRequest r = NewRequest(checkpoint_id_, "yellow-1");
  r.set_pass_token(PassOf(zhao.resident_id));
  cpv1::Passage p = MustRecord(r);
  EXPECT_EQ(p.decision(), cpv1::DECISION_REFER);
  EXPECT_THAT(p.reasons(), ElementsAre(cpv1::REASON_YELLOW_PASS));
  EXPECT_EQ(p.pass_colour(), cpv1::PASS_COLOUR_YELLOW);
  EXPECT_THAT(p.alert_ids(), IsEmpty());
}

TEST_F(PassageServerTest, ACacheMissAsksQuarantine) {
  // No Redis entry: quarantine's GetPassStatus answers (GREEN for a person it does not
  // know, RED from its table) and refreshes the entry.
  const Person known = Resident("钱七");
  Sql(quarantine_->dsn(), "INSERT INTO quarantine.pass_status (resident_id, colour) VALUES ('" +
                              known.resident_id + "', 3)");
  cpv1::RecordPassageRequest r = NewRequest(checkpoint_id_, "miss-red");
  r.set_direction(cpv1::DIRECTION_OUT);
  r.set_id_number(known.id_number);
  cpv1::Passage p = MustRecord(r);
  EXPECT_EQ(p.pass_colour(), cpv1::PASS_COLOUR_RED);
  EXPECT_EQ(p.decision(), cpv1::DECISION_DENY);
  EXPECT_EQ(redis_->Get("fx:quarantine:v1:pass:" + known.resident_id), "red");

  const Person unknown = Resident("孙八");
  r = NewRequest(checkpoint_id_, "miss-green");
  r.set_id_number(unknown.id_number);
  p = MustRecord(r);
  EXPECT_EQ(p.pass_colour(), cpv1::PASS_COLOUR_GREEN);
  EXPECT_EQ(p.decision(), cpv1::DECISION_ADMIT);
}

TEST_F(PassageServerTest, VehiclesMustBelongToTheCoveredAreasUnlessExempt) {
  RegisterVehicle("豫A12345", kBuilding);  // in jingyuan: covered
  RegisterVehicle("豫A54321", kXinyuan);   // another community
  auto car = [&](const std::string& id, const std::string& plate, cpv1::VehicleExemption e,
                 cpv1::Direction d = cpv1::DIRECTION_IN) {
    cpv1::RecordPassageRequest r = NewRequest(checkpoint_id_, id);
    r.clear_temperature_celsius();
    r.set_direction(d);
    r.mutable_vehicle()->set_plate(plate);
    r.mutable_vehicle()->set_exemption(e);
    return MustRecord(r);
  };
  cpv1::Passage p = car("car-own", "豫a 12345", cpv1::VEHICLE_EXEMPTION_UNSPECIFIED);
  EXPECT_EQ(p.decision(), cpv1::DECISION_ADMIT);
  EXPECT_TRUE(p.vehicle_registered());
  EXPECT_EQ(p.plate(), "豫A12345");

  p = car("car-other", "豫A54321", cpv1::VEHICLE_EXEMPTION_UNSPECIFIED);
  EXPECT_EQ(p.decision(), cpv1::DECISION_DENY);
  EXPECT_THAT(p.reasons(), ElementsAre(cpv1::REASON_OUTSIDE_VEHICLE));
  ASSERT_EQ(p.alert_ids_size(), 1);
  EXPECT_EQ(
      Query("SELECT kind FROM checkpoint.alerts WHERE alert_id = '" + p.alert_ids(0) + "'")[0],
      "3");

  p = car("car-unknown", "京B99999", cpv1::VEHICLE_EXEMPTION_UNSPECIFIED);
  EXPECT_EQ(p.decision(), cpv1::DECISION_DENY);
  EXPECT_FALSE(p.vehicle_registered());

  p = car("car-ambulance", "京B99999", cpv1::VEHICLE_EXEMPTION_AMBULANCE);
  EXPECT_EQ(p.decision(), cpv1::DECISION_ADMIT);
  EXPECT_THAT(p.reasons(), ElementsAre(cpv1::REASON_VEHICLE_EXEMPT));
  p = car("car-police", "", cpv1::VEHICLE_EXEMPTION_POLICE);
  EXPECT_EQ(p.decision(), cpv1::DECISION_ADMIT);

  // An outside vehicle may leave.
  p = car("car-leaving", "京B99999", cpv1::VEHICLE_EXEMPTION_UNSPECIFIED, cpv1::DIRECTION_OUT);
  EXPECT_EQ(p.decision(), cpv1::DECISION_ADMIT);
  EXPECT_EQ(PassageCount(), "6");
  EXPECT_EQ(Query("SELECT vehicle_registered::text FROM checkpoint.passages "
                  "WHERE request_id = 'car-ambulance'")[0],
            "<null>");
}

TEST_F(PassageServerTest, AConsolidatedCheckpointAdmitsTheCarsOfEveryCompoundItCovers) {
  // One checkpoint for jingyuan (longhai) and xinyuan (yimin); its operator's grants
  // cover jingyuan only, yet a xinyuan car is a resident car here.
  const std::string consolidated = MakeCheckpoint({kJingyuan, kXinyuan});
  const std::string op2 = tokens_.Mint("op-2", {"order_keeper"}, {kJingyuan});
  PutOnDuty(consolidated, "op-2", 3);
  RegisterVehicle("豫A24680", kXinyuan);
  cpv1::RecordPassageRequest r = NewRequest(consolidated, "car-xinyuan");
  r.clear_temperature_celsius();
  r.mutable_vehicle()->set_plate("豫A24680");
  cpv1::Passage p = MustRecord(r, op2);
  EXPECT_EQ(p.decision(), cpv1::DECISION_ADMIT);
  EXPECT_TRUE(p.vehicle_registered());
  EXPECT_THAT(p.alert_ids(), IsEmpty());
  // The checkpoint still decides by its own areas: the same car at jingyuan's own gate is
  // an outside vehicle.
  r = NewRequest(checkpoint_id_, "car-xinyuan-at-jingyuan");
  r.clear_temperature_celsius();
  r.mutable_vehicle()->set_plate("豫A24680");
  p = MustRecord(r);
  EXPECT_EQ(p.decision(), cpv1::DECISION_DENY);
  EXPECT_THAT(p.reasons(), ElementsAre(cpv1::REASON_OUTSIDE_VEHICLE));
}

TEST_F(PassageServerTest, OnlyRolesThatMaySeeHealthDataReadTemperatureAndColour) {
  const Person zhang = Resident("张三");
  SetColour(zhang.resident_id, "yellow");
  cpv1::RecordPassageRequest r = NewRequest(checkpoint_id_, "health-1");
  r.set_id_number(zhang.id_number);
  r.set_temperature_celsius(37.8);
  const cpv1::Passage p = MustRecord(r);
  ASSERT_EQ(p.pass_colour(), cpv1::PASS_COLOUR_YELLOW);  // the operator at the gate sees it

  auto read = [&](const std::string& token, cpv1::Passage* got, cpv1::Passage* listed) {
    cpv1::GetPassageRequest get;
    get.set_checkpoint_id(checkpoint_id_);
    get.set_passage_id(p.passage_id());
    grpc::Status st = passages_->GetPassage(CallContextWith(token).get(), get, got);
    ASSERT_TRUE(st.ok()) << st.error_message();
    cpv1::ListPassagesRequest list;
    list.set_checkpoint_id(checkpoint_id_);
    cpv1::ListPassagesResponse page;
    st = passages_->ListPassages(CallContextWith(token).get(), list, &page);
    ASSERT_TRUE(st.ok()) << st.error_message();
    ASSERT_EQ(page.passages_size(), 1);
    *listed = page.passages(0);
  };
  for (const std::string role : {"shift_leader", "community_admin", "subdistrict_admin"}) {
    SCOPED_TRACE(role);
    cpv1::Passage got, listed;
    read(tokens_.Mint("reader", {role}, {kLonghai}), &got, &listed);
    for (const cpv1::Passage* x : {&got, &listed}) {
      EXPECT_DOUBLE_EQ(x->temperature_celsius(), 37.8);
      EXPECT_EQ(x->pass_colour(), cpv1::PASS_COLOUR_YELLOW);
    }
  }
  for (const std::string role : {"inspector", "auditor", "service", "temperature_monitor",
                                 "code_verifier", "order_keeper", "info_registrar"}) {
    SCOPED_TRACE(role);
    cpv1::Passage got, listed;
    read(tokens_.Mint("reader", {role}, {kLonghai}), &got, &listed);
    for (const cpv1::Passage* x : {&got, &listed}) {
      EXPECT_FALSE(x->has_temperature_celsius());
      EXPECT_EQ(x->pass_colour(), cpv1::PASS_COLOUR_UNSPECIFIED);
      // The log itself (what was decided, and why) stays readable.
      EXPECT_EQ(x->decision(), cpv1::DECISION_REFER);
      EXPECT_EQ(x->passage_id(), p.passage_id());
    }
  }
}

TEST_F(PassageServerTest, AColourChangeReachesTheGateWithinAboutASecond) {
  const Person zhou = Resident("周十");
  SetColour(zhou.resident_id, "green");
  const std::string pass = PassOf(zhou.resident_id);
  int n = 0;
  auto colour_now = [&] {
    cpv1::RecordPassageRequest r = NewRequest(checkpoint_id_, absl::StrCat("colour-", n++));
    r.set_pass_token(pass);
    return MustRecord(r).pass_colour();
  };
  ASSERT_EQ(colour_now(), cpv1::PASS_COLOUR_GREEN);
  ASSERT_EQ(colour_now(), cpv1::PASS_COLOUR_GREEN);  // from memory now
  SetColour(zhou.resident_id, "red");
  const auto changed = std::chrono::steady_clock::now();
  EXPECT_TRUE(
      Eventually([&] { return colour_now() == cpv1::PASS_COLOUR_RED; }, std::chrono::seconds(5)));
  EXPECT_LT(std::chrono::steady_clock::now() - changed, std::chrono::milliseconds(2500));
}

TEST_F(PassageServerTest, AnUnknownPersonMustRegisterAndIsRecordedAsRefused) {
  cpv1::RecordPassageRequest r = NewRequest(checkpoint_id_, "stranger");
  r.set_id_number(NewIdNumber());
  cpv1::Passage p = MustRecord(r);
  EXPECT_EQ(p.decision(), cpv1::DECISION_DENY);
  EXPECT_THAT(p.reasons(), ElementsAre(cpv1::REASON_REGISTRATION_REQUIRED));
  EXPECT_FALSE(p.has_person());
  ASSERT_EQ(p.alert_ids_size(), 1);
  EXPECT_EQ(
      Query("SELECT kind FROM checkpoint.alerts WHERE alert_id = '" + p.alert_ids(0) + "'")[0],
      "4");

  r = NewRequest(checkpoint_id_, "forged");
  r.set_pass_token("v1.forged.token");
  p = MustRecord(r);
  EXPECT_EQ(p.decision(), cpv1::DECISION_DENY);
  EXPECT_THAT(p.reasons(), ElementsAre(cpv1::REASON_PASS_INVALID));
  EXPECT_EQ(PassageCount(), "2");
}

TEST_F(PassageServerTest, AVisitorRegistersAtTheGateAndIsThenKnown) {
  const std::string id_number = NewIdNumber();
  cpv1::RecordPassageRequest r = NewRequest(checkpoint_id_, "visit-1");
  cpv1::VisitorRegistration v;
  v.set_name("周九");
  v.set_id_number(id_number);
  v.set_phone("13800138000");
  v.set_destination("2号楼3单元");
  v.set_reason("探亲");
  *r.mutable_visitor() = v;
  cpv1::Passage p = MustRecord(r);
  // Quarantine knows nothing about a new visitor: GREEN.
  EXPECT_EQ(p.decision(), cpv1::DECISION_ADMIT);
  EXPECT_THAT(p.reasons(), ElementsAre(cpv1::REASON_VISITOR_REGISTERED));
  EXPECT_TRUE(p.person().visitor());
  EXPECT_EQ(p.person().name(), "周九");
  const std::string resident_id = p.person().resident_id();
  EXPECT_EQ(Sql(identity_->dsn(),
                "SELECT visitor::text FROM identity.residents WHERE "
                "resident_id = '" +
                    resident_id + "'")[0],
            "true");
  EXPECT_EQ(Sql(identity_->dsn(),
                "SELECT area_code FROM identity.residents WHERE "
                "resident_id = '" +
                    resident_id + "'")[0],
            kJingyuan);
  EXPECT_EQ(Query("SELECT visit_destination || '/' || visit_reason FROM checkpoint.passages "
                  "WHERE passage_id = '" +
                  p.passage_id() + "'")[0],
            "2号楼3单元/探亲");

  // Next time the ID card is enough; registering again resolves to the same person.
  r = NewRequest(checkpoint_id_, "visit-2");
  r.set_id_number(id_number);
  p = MustRecord(r);
  EXPECT_EQ(p.decision(), cpv1::DECISION_ADMIT);
  EXPECT_EQ(p.person().resident_id(), resident_id);
  r = NewRequest(checkpoint_id_, "visit-3");
  *r.mutable_visitor() = v;
  p = MustRecord(r);
  EXPECT_EQ(p.person().resident_id(), resident_id);

  // An invalid ID number is identity's INVALID_ARGUMENT, and nothing is stored.
  r = NewRequest(checkpoint_id_, "visit-bad");
  *r.mutable_visitor() = v;
  r.mutable_visitor()->set_id_number("410181199003071234");  // wrong check character
  cpv1::Passage out;
  EXPECT_TRUE(IsInvalidNaming(Record(operator_, r, &out), "visitor.id_number"));
  EXPECT_EQ(PassageCount(), "3");
}

TEST_F(PassageServerTest, ARepeatedRequestIdReturnsTheFirstResultAndStoresNothingNew) {
  const Person zhang = Resident("张三");
  SetColour(zhang.resident_id, "green");
  cpv1::RecordPassageRequest r = NewRequest(checkpoint_id_, "same-id");
  r.set_id_number(zhang.id_number);
  r.set_temperature_celsius(38.0);
  cpv1::Passage first = MustRecord(r);
  EXPECT_FALSE(first.replayed());
  ASSERT_EQ(first.alert_ids_size(), 1);

  // The colour changes meanwhile: the replay is still the first result.
  SetColour(zhang.resident_id, "red");
  cpv1::Passage again = MustRecord(r);
  EXPECT_TRUE(again.replayed());
  EXPECT_EQ(again.passage_id(), first.passage_id());
  EXPECT_EQ(again.decision(), first.decision());
  EXPECT_EQ(again.pass_colour(), cpv1::PASS_COLOUR_GREEN);
  EXPECT_THAT(again.alert_ids(), ElementsAre(first.alert_ids(0)));
  EXPECT_EQ(again.record_time().seconds(), first.record_time().seconds());
  EXPECT_EQ(again.record_time().nanos(), first.record_time().nanos());
  EXPECT_EQ(PassageCount(), "1");
  EXPECT_EQ(Count("checkpoint.alerts"), "1");

  // Same id, different content: refused, nothing stored.
  cpv1::RecordPassageRequest changed = r;
  changed.set_temperature_celsius(36.5);
  cpv1::Passage out;
  grpc::Status st = Record(operator_, changed, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::ALREADY_EXISTS) << st.error_message();
  EXPECT_THAT(st.error_message(), HasSubstr("request_id"));
  EXPECT_EQ(PassageCount(), "1");
  EXPECT_EQ(Count("checkpoint.passage_requests"), "1");

  // Request ids are unique per checkpoint: another checkpoint may use the same one.
  const std::string other = MakeCheckpoint({kJingyuan});
  r.set_checkpoint_id(other);
  cpv1::Passage elsewhere = MustRecord(r, tokens_.Mint("ca-1", {"community_admin"}, {kLonghai}));
  EXPECT_FALSE(elsewhere.replayed());
  EXPECT_NE(elsewhere.passage_id(), first.passage_id());
}

TEST_F(PassageServerTest, OfflineRecordsUpTo72HoursOldKeepBothTimes) {
  const Person zhang = Resident("张三");
  SetColour(zhang.resident_id, "green");
  cpv1::RecordPassageRequest r = NewRequest(checkpoint_id_, "offline-1");
  r.set_id_number(zhang.id_number);
  const int64_t two_days_ago = absl::ToUnixSeconds(absl::Now() - absl::Hours(48));
  r.mutable_client_time()->set_seconds(two_days_ago);
  cpv1::Passage p = MustRecord(r);
  EXPECT_EQ(p.client_time().seconds(), two_days_ago);
  EXPECT_GT(p.record_time().seconds(), two_days_ago + 47 * 3600);
  EXPECT_EQ(Query("SELECT (recorded_at - client_time > interval '47 hours')::text "
                  "FROM checkpoint.passages")[0],
            "true");
}

TEST_F(PassageServerTest, BadInputIsRefusedClearlyAndNothingIsStored) {
  const Person zhang = Resident("张三");
  SetColour(zhang.resident_id, "green");
  struct Case {
    std::string name;
    std::function<void(cpv1::RecordPassageRequest&)> mutate;
    std::string field;
  };
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  const std::vector<Case> cases = {
      {"NaN temperature", [](auto& r) { r.set_temperature_celsius(std::nan("")); },
       "temperature_celsius"},
      {"too cold", [](auto& r) { r.set_temperature_celsius(33.9); }, "temperature_celsius"},
      {"too hot", [](auto& r) { r.set_temperature_celsius(43.5); }, "temperature_celsius"},
      {"no temperature", [](auto& r) { r.clear_temperature_celsius(); }, "temperature_celsius"},
      {"no direction", [](auto& r) { r.clear_direction(); }, "direction"},
      {"malformed plate", [](auto& r) { r.mutable_vehicle()->set_plate("ABC-123"); },
       "vehicle.plate"},
      {"future client time", [now](auto& r) { r.mutable_client_time()->set_seconds(now + 6 * 60); },
       "client_time"},
      {"too old client time",
       [now](auto& r) { r.mutable_client_time()->set_seconds(now - 73 * 3600); }, "client_time"},
      {"no client time", [](auto& r) { r.clear_client_time(); }, "client_time"},
      {"malformed request id", [](auto& r) { r.set_request_id("has space"); }, "request_id"},
      {"malformed checkpoint", [](auto& r) { r.set_checkpoint_id("gate-1"); }, "checkpoint_id"},
      {"nobody", [](auto& r) { r.clear_person(); }, "person"},
      {"invalid ID number", [](auto& r) { r.set_id_number("410181199003071234"); }, "id_number"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    cpv1::RecordPassageRequest r =
        NewRequest(checkpoint_id_, "bad-" + std::to_string(&c - &cases[0]));
    r.set_id_number(zhang.id_number);
    c.mutate(r);
    cpv1::Passage out;
    EXPECT_TRUE(IsInvalidNaming(Record(operator_, r, &out), c.field));
  }
  EXPECT_EQ(PassageCount(), "0");
  EXPECT_EQ(Count("checkpoint.passage_requests"), "0");
  EXPECT_EQ(Count("checkpoint.alerts"), "0");
}

TEST_F(PassageServerTest, OnlyStaffOnDutyAtAnOpenCheckpointMayRecord) {
  const Person zhang = Resident("张三");
  SetColour(zhang.resident_id, "green");
  auto attempt = [&](const std::string& token, const std::string& checkpoint,
                     const std::string& id) {
    cpv1::RecordPassageRequest r = NewRequest(checkpoint, id);
    r.set_id_number(zhang.id_number);
    cpv1::Passage out;
    return Record(token, r, &out);
  };
  // Unknown checkpoint.
  EXPECT_EQ(attempt(operator_, "00000000-0000-4000-8000-000000000000", "x1").error_code(),
            grpc::StatusCode::NOT_FOUND);
  // Not on duty: assigned elsewhere, clocked out, or not clocked in.
  const std::string off = tokens_.Mint("op-off", {"temperature_monitor"}, {kLonghai});
  grpc::Status st = attempt(off, checkpoint_id_, "x2");
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(st.error_message(), HasSubstr("clock in first"));
  const std::string gone = tokens_.Mint("op-gone", {"temperature_monitor"}, {kLonghai});
  PutOnDuty(checkpoint_id_, "op-gone", 2);
  Query("UPDATE checkpoint.post_assignments SET clock_out_at = now() WHERE account_id = 'op-gone'");
  EXPECT_EQ(attempt(gone, checkpoint_id_, "x3").error_code(), grpc::StatusCode::PERMISSION_DENIED);
  const std::string late = tokens_.Mint("op-late", {"order_keeper"}, {kLonghai});
  PutOnDuty(checkpoint_id_, "op-late", 3);
  Query("UPDATE checkpoint.post_assignments SET clock_in_at = NULL WHERE account_id = 'op-late'");
  EXPECT_EQ(attempt(late, checkpoint_id_, "x4").error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // On duty, but the token's scope is another community: the checkpoint is as missing.
  const std::string stranger = tokens_.Mint("op-yimin", {"temperature_monitor"}, {kYimin});
  PutOnDuty(checkpoint_id_, "op-yimin", 4);
  EXPECT_EQ(attempt(stranger, checkpoint_id_, "x5").error_code(), grpc::StatusCode::NOT_FOUND);
  // A role that never records.
  EXPECT_EQ(
      attempt(tokens_.Mint("vol", {"volunteer"}, {kLonghai}), checkpoint_id_, "x6").error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(PassageCount(), "0");

  // Today's leading cadre and an admin over the area may record without a post.
  const std::string cadre = tokens_.Mint("cadre-1", {"shift_leader"}, {kLonghai});
  Query(absl::StrCat(
      "INSERT INTO checkpoint.duty_days (checkpoint_id, duty_date, "
      "cadre_account_id, assigned_by) VALUES ('",
      checkpoint_id_, "', '", common::IsoDate(CurrentShift().day), "', 'cadre-1', 'test')"));
  EXPECT_TRUE(attempt(cadre, checkpoint_id_, "y1").ok());
  const std::string community_admin = tokens_.Mint("ca-1", {"community_admin"}, {kLonghai});
  EXPECT_TRUE(attempt(community_admin, checkpoint_id_, "y2").ok());
  EXPECT_EQ(PassageCount(), "2");

  // A closed checkpoint takes no records (closed before anyone used it: nothing cached).
  const std::string closed = MakeCheckpoint({kJingyuan});
  Query("UPDATE checkpoint.checkpoints SET open = false WHERE checkpoint_id = '" + closed + "'");
  st = attempt(community_admin, closed, "z1");
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(st.error_message(), HasSubstr("closed"));
  EXPECT_EQ(PassageCount(), "2");
}

TEST_F(PassageServerTest, ConcurrentRecordsAreAllCommittedExactlyOnce) {
  const Person zhang = Resident("张三");
  SetColour(zhang.resident_id, "green");
  const std::string token = PassOf(zhang.resident_id);
  constexpr int kThreads = 16;
  constexpr int kPerThread = 13;  // 208 records
  std::atomic<int> ok{0};
  std::mutex mu;
  std::set<std::string> ids;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        cpv1::RecordPassageRequest r = NewRequest(checkpoint_id_, absl::StrCat("c", t, "-", i));
        r.set_pass_token(token);
        cpv1::Passage out;
        if (!Record(operator_, r, &out).ok()) continue;
        ++ok;
        std::lock_guard<std::mutex> lock(mu);
        ids.insert(out.passage_id());
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(ok.load(), kThreads * kPerThread);
  EXPECT_EQ(ids.size(), static_cast<size_t>(kThreads * kPerThread));
  EXPECT_EQ(PassageCount(), std::to_string(kThreads * kPerThread));
  EXPECT_EQ(Count("checkpoint.passage_requests"), std::to_string(kThreads * kPerThread));

  // The same request sent by 16 threads at once: one record, every answer the same.
  cpv1::RecordPassageRequest same = NewRequest(checkpoint_id_, "everyone");
  same.set_pass_token(token);
  std::vector<std::string> answers(kThreads);
  std::vector<std::thread> racers;
  for (int t = 0; t < kThreads; ++t) {
    racers.emplace_back([&, t] {
      cpv1::Passage out;
      if (Record(operator_, same, &out).ok()) answers[t] = out.passage_id();
    });
  }
  for (std::thread& t : racers) t.join();
  for (const std::string& a : answers) EXPECT_EQ(a, answers[0]);
  EXPECT_FALSE(answers[0].empty());
  EXPECT_EQ(Count("checkpoint.passages", "request_id = 'everyone'"), "1");
}

TEST_F(PassageServerTest, ReplaysAndNewRecordsSentTogetherAreSortedOut) {
  // Warm pass-token records take the fast path straight to the group committer, so a
  // replay meets its stored key inside a batch (the statement for all-new keys fails on it,
  // and the batch is written by the one that sorts new keys from old).
  const Person zhang = Resident("张三");
  SetColour(zhang.resident_id, "green");
  const std::string token = PassOf(zhang.resident_id);
  constexpr int kThreads = 16;
  std::vector<cpv1::RecordPassageRequest> old(kThreads);
  std::vector<cpv1::Passage> first(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    old[t] = NewRequest(checkpoint_id_, absl::StrCat("old-", t));
    old[t].set_pass_token(token);
    first[t] = MustRecord(old[t]);
  }
  // Each thread sends its old request again and a new one, all at once.
  std::vector<cpv1::Passage> replays(kThreads), fresh(kThreads);
  std::vector<grpc::StatusCode> codes(2 * kThreads, grpc::StatusCode::UNKNOWN);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      cpv1::RecordPassageRequest next = NewRequest(checkpoint_id_, absl::StrCat("new-", t));
      next.set_pass_token(token);
      codes[2 * t] = Record(operator_, old[t], &replays[t]).error_code();
      codes[2 * t + 1] = Record(operator_, next, &fresh[t]).error_code();
    });
  }
  for (std::thread& t : threads) t.join();
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_EQ(codes[2 * t], grpc::StatusCode::OK) << t;
    ASSERT_EQ(codes[2 * t + 1], grpc::StatusCode::OK) << t;
    EXPECT_TRUE(replays[t].replayed()) << t;
    EXPECT_EQ(replays[t].passage_id(), first[t].passage_id());
    EXPECT_FALSE(fresh[t].replayed()) << t;
  }
  EXPECT_EQ(PassageCount(), std::to_string(2 * kThreads));
  EXPECT_EQ(Count("checkpoint.passage_requests"), std::to_string(2 * kThreads));
}

TEST_F(PassageServerTest, ListingIsPerChinaDayNewestFirstAndPaged) {
  const Person zhang = Resident("张三");
  SetColour(zhang.resident_id, "green");
  std::vector<std::string> recorded;
  for (int i = 0; i < 5; ++i) {
    cpv1::RecordPassageRequest r = NewRequest(checkpoint_id_, absl::StrCat("l", i));
    r.set_id_number(zhang.id_number);
    recorded.push_back(MustRecord(r).passage_id());
  }
  cpv1::ListPassagesRequest req;
  req.set_checkpoint_id(checkpoint_id_);
  req.set_date(common::IsoDate(common::ChinaToday(absl::Now())));
  req.set_page_size(2);
  std::vector<std::string> seen;
  for (int page = 0; page < 5; ++page) {
    cpv1::ListPassagesResponse out;
    grpc::Status st = passages_->ListPassages(CallContextWith(operator_).get(), req, &out);
    ASSERT_TRUE(st.ok()) << st.error_message();
    for (const auto& p : out.passages()) seen.push_back(p.passage_id());
    if (out.next_page_token().empty()) break;
    req.set_page_token(out.next_page_token());
  }
  EXPECT_EQ(seen, std::vector<std::string>(recorded.rbegin(), recorded.rend()));

  req.clear_page_token();
  req.set_date("2020-01-01");
  cpv1::ListPassagesResponse empty;
  ASSERT_TRUE(passages_->ListPassages(CallContextWith(operator_).get(), req, &empty).ok());
  EXPECT_EQ(empty.passages_size(), 0);
  req.set_date("2020-02-30");
  EXPECT_TRUE(IsInvalidNaming(
      passages_->ListPassages(CallContextWith(operator_).get(), req, &empty), "date"));
  req.set_date("");
  req.set_page_token("garbage!");
  EXPECT_TRUE(IsInvalidNaming(
      passages_->ListPassages(CallContextWith(operator_).get(), req, &empty), "page_token"));
  // Another community's staff do not see the checkpoint at all.
  req.clear_page_token();
  const std::string yimin = tokens_.Mint("y", {"shift_leader"}, {kYimin});
  EXPECT_EQ(passages_->ListPassages(CallContextWith(yimin).get(), req, &empty).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

// Under steady traffic the fast path's entries (the checkpoint, the operator's duty, the
// pass, its colour) are fetched again in the background before they lapse, so passages
// recorded back to back over four of their lifetimes (600 ms each here) take the worker
// path only for the first call, when nothing is known yet. Without the refresh, each
// lapse sends a call there again (and under load, every call in flight at that moment).
class PassageRefreshAheadTest : public PassageTestBase {
 protected:
  // The value of the sample `name` in a /metrics body; -1 when absent.
  static double Sample(const std::string& body, const std::string& name) {
    for (absl::string_view line : absl::StrSplit(body, '\n')) {
      if (absl::StartsWith(line, name + " ")) {
        double v = -1;
        return absl::SimpleAtod(line.substr(name.size() + 1), &v) ? v : -1;
      }
    }
    return -1;
  }
};

TEST_F(PassageRefreshAheadTest, SteadyTrafficStaysOnTheFastPathAcrossTheCachesLifetimes) {
  StartCheckpoint({{"FX_PASSAGE_DUTY_CACHE_MS", "600"},
                   {"FX_PASSAGE_LOCAL_CACHE_MS", "600"},
                   {"FX_METRICS_PORT", "0"}});
  if (HasFatalFailure()) return;
  const std::string checkpoint = MakeCheckpoint();
  PutOnDuty(checkpoint, "op-1");
  const Person qian = Resident("钱十一");
  SetColour(qian.resident_id, "green");
  const std::string pass = PassOf(qian.resident_id);
  const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(2400);
  int n = 0;
  while (std::chrono::steady_clock::now() < end) {
    cpv1::RecordPassageRequest r = NewRequest(checkpoint, absl::StrCat("steady-", n++));
    r.set_pass_token(pass);
    cpv1::Passage out;
    grpc::Status st = Record(operator_, r, &out);
    ASSERT_TRUE(st.ok()) << st.error_message();
    ASSERT_EQ(out.decision(), cpv1::DECISION_ADMIT);
  }
  const std::string metrics =
      HttpRequest(checkpoint_->process().WaitForPort("metrics_port"), "GET", "/metrics").body;
  const double fast = Sample(metrics, "fx_passage_fast_path_total");
  const double worker = Sample(metrics, "fx_passage_worker_path_total");
  EXPECT_EQ(fast + worker, n) << metrics;
  // The first call, and at most one more whose refresh did not land in its 150 ms.
  EXPECT_LE(worker, 2) << n << " passages";
  EXPECT_GT(n, 20);
}

}  // namespace
}  // namespace fangxian::testing
