// The passage log's pure rules: request validation and the ADMIT / DENY / REFER decision,
// every rule alone and in combination; the keyed digest of a request.
#include "services/checkpoint/passage_rules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sodium.h>

#include <cmath>
#include <limits>

#include "services/checkpoint/passages.h"

namespace fangxian::checkpoint {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const absl::Time kNow = absl::FromUnixSeconds(1780000000);
const absl::Duration kReplay = absl::Hours(72);

v1::RecordPassageRequest Sample() {
  v1::RecordPassageRequest r;
  r.set_checkpoint_id("123e4567-e89b-12d3-a456-426614174000");
  r.set_request_id("dev-7:000123");
  r.set_direction(v1::DIRECTION_IN);
  r.set_pass_token("pass-token");
  r.set_temperature_celsius(36.6);
  r.mutable_client_time()->set_seconds(absl::ToUnixSeconds(kNow) - 10);
  return r;
}

absl::Status Check(const v1::RecordPassageRequest& r) {
  return ValidateRecordPassage(r, kNow, kReplay).status();
}

void ExpectInvalid(const v1::RecordPassageRequest& r, const std::string& field) {
  absl::Status s = Check(r);
  EXPECT_TRUE(absl::IsInvalidArgument(s)) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr(field));
}

TEST(PassageValidationTest, AcceptsAPersonAVehicleOrBoth) {
  absl::StatusOr<ValidPassage> v = ValidateRecordPassage(Sample(), kNow, kReplay);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->person, PersonKind::kPassToken);
  EXPECT_EQ(v->temperature_tenths, 366);
  EXPECT_FALSE(v->vehicle);
  EXPECT_EQ(v->client_time, kNow - absl::Seconds(10));

  v1::RecordPassageRequest car = Sample();
  car.clear_pass_token();
  car.clear_temperature_celsius();
  car.mutable_vehicle()->set_plate(" 豫a·12345 ");
  v = ValidateRecordPassage(car, kNow, kReplay);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->person, PersonKind::kNone);
  EXPECT_FALSE(v->temperature_tenths.has_value());
  EXPECT_EQ(v->plate, "豫A12345");

  v1::RecordPassageRequest both = Sample();
  both.set_id_number("410102199001011234");
  both.mutable_vehicle()->set_exemption(v1::VEHICLE_EXEMPTION_AMBULANCE);  // no plate: fine
  v = ValidateRecordPassage(both, kNow, kReplay);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->person, PersonKind::kIdNumber);
  EXPECT_TRUE(v->vehicle);
  EXPECT_EQ(v->plate, "");
}

TEST(PassageValidationTest, TemperatureIsRoundedToOneDecimal) {
  v1::RecordPassageRequest r = Sample();
  r.set_temperature_celsius(37.25);
  EXPECT_EQ(ValidateRecordPassage(r, kNow, kReplay)->temperature_tenths, 373);
  r.set_temperature_celsius(34.0);
  EXPECT_EQ(ValidateRecordPassage(r, kNow, kReplay)->temperature_tenths, 340);
  r.set_temperature_celsius(43.0);
  EXPECT_EQ(ValidateRecordPassage(r, kNow, kReplay)->temperature_tenths, 430);
}

TEST(PassageValidationTest, RefusesBadTemperatures) {
  for (double t : {std::nan(""), std::numeric_limits<double>::infinity(), 33.9, 43.1, -1.0, 0.0}) {
    v1::RecordPassageRequest r = Sample();
    r.set_temperature_celsius(t);
    ExpectInvalid(r, "temperature_celsius");
  }
  v1::RecordPassageRequest missing = Sample();
  missing.clear_temperature_celsius();
  ExpectInvalid(missing, "temperature_celsius is required");
  v1::RecordPassageRequest without_person = Sample();
  without_person.clear_pass_token();
  without_person.mutable_vehicle()->set_plate("豫A12345");
  ExpectInvalid(without_person, "temperature_celsius");
}

TEST(PassageValidationTest, RefusesMalformedIdsDirectionAndMissingParts) {
  v1::RecordPassageRequest r = Sample();
  r.set_checkpoint_id("cp-1");
  ExpectInvalid(r, "checkpoint_id");
  for (const std::string& id :
       std::vector<std::string>{"", std::string(65, 'a'), "has space", "semi;colon", "汉字"}) {
    r = Sample();
    r.set_request_id(id);
    ExpectInvalid(r, "request_id");
  }
  r = Sample();
  r.set_request_id(std::string(64, 'a'));
  EXPECT_TRUE(Check(r).ok());
  r = Sample();
  r.clear_direction();
  ExpectInvalid(r, "direction");
  r.set_direction(static_cast<v1::Direction>(9));
  ExpectInvalid(r, "direction");
  r = Sample();
  r.clear_pass_token();
  r.clear_temperature_celsius();
  ExpectInvalid(r, "a person");
  r = Sample();
  r.set_pass_token("");
  ExpectInvalid(r, "pass_token");
  r = Sample();
  r.set_id_number("");
  ExpectInvalid(r, "id_number");
}

TEST(PassageValidationTest, RefusesMalformedPlatesAndUnknownExemptions) {
  for (const std::string& plate :
       std::vector<std::string>{"", "A12345", "豫A1234", "豫I12345", "京A12345X9"}) {
    v1::RecordPassageRequest r = Sample();
    r.mutable_vehicle()->set_plate(plate);
    ExpectInvalid(r, "vehicle.plate");
  }
  v1::RecordPassageRequest r = Sample();
  r.mutable_vehicle()->set_exemption(static_cast<v1::VehicleExemption>(17));
  ExpectInvalid(r, "vehicle.exemption");
  r = Sample();
  r.mutable_vehicle()->set_exemption(v1::VEHICLE_EXEMPTION_POLICE);
  r.mutable_vehicle()->set_plate("not a plate");
  ExpectInvalid(r, "vehicle.plate");
}

TEST(PassageValidationTest, ClientTimeMayBeSlightlyAheadAndUpToTheReplayWindowOld) {
  v1::RecordPassageRequest r = Sample();
  r.clear_client_time();
  ExpectInvalid(r, "client_time is required");
  r.mutable_client_time()->set_seconds(absl::ToUnixSeconds(kNow + absl::Minutes(5)));
  EXPECT_TRUE(Check(r).ok());
  r.mutable_client_time()->set_seconds(absl::ToUnixSeconds(kNow + absl::Minutes(5)) + 1);
  ExpectInvalid(r, "ahead of the server clock");
  r.mutable_client_time()->set_seconds(absl::ToUnixSeconds(kNow - kReplay));
  EXPECT_TRUE(Check(r).ok());
  r.mutable_client_time()->set_seconds(absl::ToUnixSeconds(kNow - kReplay) - 1);
  ExpectInvalid(r, "older than 72 hours");
  r.mutable_client_time()->set_nanos(-1);
  ExpectInvalid(r, "client_time");
}

TEST(PassageValidationTest, VisitorsNeedNameIdDestinationAndReason) {
  v1::RecordPassageRequest r = Sample();
  v1::VisitorRegistration* v = r.mutable_visitor();
  v->set_name("王五");
  v->set_id_number("410102199001011234");
  v->set_destination("3号楼");
  v->set_reason("探亲");
  EXPECT_EQ(ValidateRecordPassage(r, kNow, kReplay)->person, PersonKind::kVisitor);
  for (const char* field : {"name", "destination", "reason"}) {
    v1::RecordPassageRequest bad = r;
    bad.mutable_visitor()->GetReflection()->SetString(
        bad.mutable_visitor(), bad.visitor().GetDescriptor()->FindFieldByName(field), "");
    ExpectInvalid(bad, std::string("visitor.") + field);
  }
  v1::RecordPassageRequest no_id = r;
  no_id.mutable_visitor()->clear_id_number();
  ExpectInvalid(no_id, "visitor.id_number");
}

PassageFacts Person(v1::PassColour colour, int tenths = 366,
                    v1::Direction direction = v1::DIRECTION_IN) {
  PassageFacts f;
  f.direction = direction;
  f.person = PersonOutcome::kKnown;
  f.colour = colour;
  f.temperature_tenths = tenths;
  return f;
}

TEST(PassageDecisionTest, GreenPassWithNormalTemperatureIsAdmittedWithoutReasons) {
  PassageDecision d = Decide(Person(v1::PASS_COLOUR_GREEN));
  EXPECT_EQ(d.decision, v1::DECISION_ADMIT);
  EXPECT_THAT(d.reasons, IsEmpty());
  EXPECT_THAT(d.alerts, IsEmpty());
  EXPECT_EQ(Decide(Person(v1::PASS_COLOUR_GREEN, 372)).decision, v1::DECISION_ADMIT);
}

TEST(PassageDecisionTest, FeverFromThirtySevenPointThreeIsReferredWithAnAlert) {
  for (int tenths : {373, 380, 430}) {
    PassageDecision d = Decide(Person(v1::PASS_COLOUR_GREEN, tenths));
    EXPECT_EQ(d.decision, v1::DECISION_REFER);
    EXPECT_THAT(d.reasons, ElementsAre(v1::REASON_FEVER));
    EXPECT_THAT(d.alerts, ElementsAre(AlertKind::kFever));
  }
}

TEST(PassageDecisionTest, RedPassIsDeniedGoingOutAndReferredComingIn) {
  PassageDecision out = Decide(Person(v1::PASS_COLOUR_RED, 366, v1::DIRECTION_OUT));
  EXPECT_EQ(out.decision, v1::DECISION_DENY);
  EXPECT_THAT(out.reasons, ElementsAre(v1::REASON_RED_PASS));
  EXPECT_THAT(out.alerts, ElementsAre(AlertKind::kRedPass));
  PassageDecision in = Decide(Person(v1::PASS_COLOUR_RED, 366, v1::DIRECTION_IN));
  EXPECT_EQ(in.decision, v1::DECISION_REFER);
  EXPECT_THAT(in.alerts, ElementsAre(AlertKind::kRedPass));
}

TEST(PassageDecisionTest, YellowIsReferredWithoutAlert) {
  for (v1::Direction d : {v1::DIRECTION_IN, v1::DIRECTION_OUT}) {
    PassageDecision y = Decide(Person(v1::PASS_COLOUR_YELLOW, 366, d));
    EXPECT_EQ(y.decision, v1::DECISION_REFER);
    EXPECT_THAT(y.reasons, ElementsAre(v1::REASON_YELLOW_PASS));
    EXPECT_THAT(y.alerts, IsEmpty());
  }
}

TEST(PassageDecisionTest, AnUnknownColourIsNeverASilentAdmit) {
  PassageDecision d = Decide(Person(v1::PASS_COLOUR_UNSPECIFIED));
  EXPECT_EQ(d.decision, v1::DECISION_REFER);
  EXPECT_THAT(d.reasons, ElementsAre(v1::REASON_STATUS_UNAVAILABLE));
}

TEST(PassageDecisionTest, UnknownPeopleAreDeniedWithAnAlert) {
  PassageFacts f;
  f.direction = v1::DIRECTION_IN;
  f.temperature_tenths = 365;
  f.person = PersonOutcome::kUnknownIdNumber;
  PassageDecision d = Decide(f);
  EXPECT_EQ(d.decision, v1::DECISION_DENY);
  EXPECT_THAT(d.reasons, ElementsAre(v1::REASON_REGISTRATION_REQUIRED));
  EXPECT_THAT(d.alerts, ElementsAre(AlertKind::kUnknownPerson));
  f.person = PersonOutcome::kInvalidPass;
  d = Decide(f);
  EXPECT_EQ(d.decision, v1::DECISION_DENY);
  EXPECT_THAT(d.reasons, ElementsAre(v1::REASON_PASS_INVALID));
  EXPECT_THAT(d.alerts, ElementsAre(AlertKind::kUnknownPerson));
}

TEST(PassageDecisionTest, NewVisitorsAreMarked) {
  PassageFacts f = Person(v1::PASS_COLOUR_GREEN);
  f.visitor_registered = true;
  PassageDecision d = Decide(f);
  EXPECT_EQ(d.decision, v1::DECISION_ADMIT);
  EXPECT_THAT(d.reasons, ElementsAre(v1::REASON_VISITOR_REGISTERED));
}

TEST(PassageDecisionTest, OutsideVehiclesAreNotAdmittedUnlessExempt) {
  PassageFacts f;
  f.direction = v1::DIRECTION_IN;
  f.vehicle = true;
  EXPECT_TRUE(NeedsVehicleCheck(f.direction, f.vehicle, f.exemption));
  PassageDecision d = Decide(f);
  EXPECT_EQ(d.decision, v1::DECISION_DENY);
  EXPECT_THAT(d.reasons, ElementsAre(v1::REASON_OUTSIDE_VEHICLE));
  EXPECT_THAT(d.alerts, ElementsAre(AlertKind::kOutsideVehicle));

  f.vehicle_registered = true;
  d = Decide(f);
  EXPECT_EQ(d.decision, v1::DECISION_ADMIT);
  EXPECT_THAT(d.reasons, IsEmpty());

  for (v1::VehicleExemption e : {v1::VEHICLE_EXEMPTION_AMBULANCE, v1::VEHICLE_EXEMPTION_POLICE,
                                 v1::VEHICLE_EXEMPTION_FIRE, v1::VEHICLE_EXEMPTION_SUPPLIES}) {
    PassageFacts exempt;
    exempt.direction = v1::DIRECTION_IN;
    exempt.vehicle = true;
    exempt.exemption = e;
    EXPECT_FALSE(NeedsVehicleCheck(exempt.direction, exempt.vehicle, exempt.exemption));
    d = Decide(exempt);
    EXPECT_EQ(d.decision, v1::DECISION_ADMIT);
    EXPECT_THAT(d.reasons, ElementsAre(v1::REASON_VEHICLE_EXEMPT));
  }

  // Leaving is not being admitted: an outside vehicle may go.
  PassageFacts leaving;
  leaving.direction = v1::DIRECTION_OUT;
  leaving.vehicle = true;
  EXPECT_FALSE(NeedsVehicleCheck(leaving.direction, leaving.vehicle, leaving.exemption));
  EXPECT_EQ(Decide(leaving).decision, v1::DECISION_ADMIT);
}

TEST(PassageDecisionTest, TheMostSevereOutcomeWinsAndEveryReasonIsKept) {
  // Fever and a red pass going out, in an outside car: DENY with all three reasons.
  PassageFacts f = Person(v1::PASS_COLOUR_RED, 385, v1::DIRECTION_OUT);
  f.vehicle = true;
  PassageDecision d = Decide(f);
  EXPECT_EQ(d.decision, v1::DECISION_DENY);
  EXPECT_THAT(d.reasons, ElementsAre(v1::REASON_FEVER, v1::REASON_RED_PASS));
  EXPECT_THAT(d.alerts, ElementsAre(AlertKind::kFever, AlertKind::kRedPass));

  // Fever and yellow coming in, in an outside car: DENY (the car), all reasons.
  f = Person(v1::PASS_COLOUR_YELLOW, 380, v1::DIRECTION_IN);
  f.vehicle = true;
  d = Decide(f);
  EXPECT_EQ(d.decision, v1::DECISION_DENY);
  EXPECT_THAT(d.reasons,
              ElementsAre(v1::REASON_FEVER, v1::REASON_YELLOW_PASS, v1::REASON_OUTSIDE_VEHICLE));
  EXPECT_THAT(d.alerts, ElementsAre(AlertKind::kFever, AlertKind::kOutsideVehicle));

  // Fever with an unknown colour in an ambulance: REFER.
  f = Person(v1::PASS_COLOUR_UNSPECIFIED, 390, v1::DIRECTION_IN);
  f.vehicle = true;
  f.exemption = v1::VEHICLE_EXEMPTION_AMBULANCE;
  d = Decide(f);
  EXPECT_EQ(d.decision, v1::DECISION_REFER);
  EXPECT_THAT(d.reasons, ElementsAre(v1::REASON_FEVER, v1::REASON_VEHICLE_EXEMPT,
                                     v1::REASON_STATUS_UNAVAILABLE));

  // An unknown ID with fever: DENY, both alerts.
  PassageFacts unknown;
  unknown.direction = v1::DIRECTION_IN;
  unknown.person = PersonOutcome::kUnknownIdNumber;
  unknown.temperature_tenths = 375;
  d = Decide(unknown);
  EXPECT_EQ(d.decision, v1::DECISION_DENY);
  EXPECT_THAT(d.alerts, ElementsAre(AlertKind::kFever, AlertKind::kUnknownPerson));
}

TEST(PassageDigestTest, IsKeyedSoTheDatabaseAloneCannotTestGuessedIdNumbers) {
  v1::RecordPassageRequest r = Sample();
  r.clear_pass_token();
  r.set_id_number("410181199003071234");
  const std::string key_a(32, 'a');
  const std::string key_b(32, 'b');
  const std::string digest = PassagePayloadHash(r, key_a);
  EXPECT_EQ(digest.size(), 32u);
  EXPECT_EQ(PassagePayloadHash(r, key_a), digest);  // the same content: the same digest
  EXPECT_NE(PassagePayloadHash(r, key_b), digest);
  v1::RecordPassageRequest other = r;
  other.set_id_number("410181199003071242");
  EXPECT_NE(PassagePayloadHash(other, key_a), digest);
  // Not the unkeyed BLAKE2b-256 of the serialization, which anyone could recompute.
  std::string bytes;
  ASSERT_TRUE(r.SerializeToString(&bytes));
  std::string unkeyed(crypto_generichash_BYTES, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(unkeyed.data()), unkeyed.size(),
                     reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), nullptr,
                     0);
  EXPECT_NE(digest, unkeyed);
}

}  // namespace
}  // namespace fangxian::checkpoint
