// Input rules of isolation orders and commitment letters (services/quarantine/
// isolation_rules.h): no database, no caller.
#include <gtest/gtest.h>

#include "absl/time/civil_time.h"
#include "google/protobuf/util/time_util.h"
#include "services/quarantine/isolation_rules.h"

namespace fangxian::quarantine {
namespace {

using google::protobuf::util::TimeUtil;

const absl::CivilDay kToday(2024, 3, 10);
// 2024-03-10 12:00 China time.
const absl::Time kNow =
    absl::FromCivil(absl::CivilSecond(2024, 3, 10, 4, 0, 0), absl::UTCTimeZone());
constexpr char kUuid[] = "0b0e5c1a-8f3d-4c2e-9a71-2d4f6b8c0e13";

::testing::AssertionResult InvalidNaming(const absl::Status& s, const std::string& field) {
  if (s.code() == absl::StatusCode::kInvalidArgument &&
      s.message().find(field) != absl::string_view::npos) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "want INVALID_ARGUMENT naming " << field << ", got " << s;
}

v1::CreateIsolationOrderRequest ValidOrder() {
  v1::CreateIsolationOrderRequest req;
  req.set_household_id(kUuid);
  req.set_start_date("2024-03-10");
  req.set_reason("从中风险地区返回");
  return req;
}

TEST(IsolationRulesTest, NewOrderTakesTheDefaults) {
  IsolationDefaults defaults;
  defaults.period_days = 21;
  defaults.checkins_per_day = 3;
  absl::StatusOr<NewOrder> o = ValidateNewOrder(ValidOrder(), defaults, kToday);
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->start_date, kToday);
  EXPECT_EQ(o->period_days, 21);
  EXPECT_EQ(o->checkins_per_day, 3);
  v1::CreateIsolationOrderRequest req = ValidOrder();
  req.set_period_days(7);
  req.set_checkins_per_day(1);
  o = ValidateNewOrder(req, defaults, kToday);
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->period_days, 7);
  EXPECT_EQ(o->checkins_per_day, 1);
}

TEST(IsolationRulesTest, NewOrderStartWindowIsSevenDaysBackToThirtyAhead) {
  const std::vector<std::pair<std::string, bool>> cases = {
      {"2024-03-03", true},  {"2024-03-02", false}, {"2024-04-09", true}, {"2024-04-10", false},
      {"2024-02-30", false}, {"2024/03/10", false}, {"", false}};
  for (const auto& [day, ok] : cases) {
    v1::CreateIsolationOrderRequest req = ValidOrder();
    req.set_start_date(day);
    absl::StatusOr<NewOrder> o = ValidateNewOrder(req, {}, kToday);
    if (ok) {
      EXPECT_TRUE(o.ok()) << day << ": " << o.status();
    } else {
      EXPECT_TRUE(InvalidNaming(o.status(), "start_date")) << day;
    }
  }
}

TEST(IsolationRulesTest, NewOrderBounds) {
  for (int days : {-1, 61}) {
    v1::CreateIsolationOrderRequest req = ValidOrder();
    req.set_period_days(days);
    EXPECT_TRUE(InvalidNaming(ValidateNewOrder(req, {}, kToday).status(), "period_days"));
  }
  for (int n : {-1, 7}) {
    v1::CreateIsolationOrderRequest req = ValidOrder();
    req.set_checkins_per_day(n);
    EXPECT_TRUE(InvalidNaming(ValidateNewOrder(req, {}, kToday).status(), "checkins_per_day"));
  }
  v1::CreateIsolationOrderRequest req = ValidOrder();
  req.set_household_id("not-a-uuid");
  EXPECT_TRUE(InvalidNaming(ValidateNewOrder(req, {}, kToday).status(), "household_id"));
  req = ValidOrder();
  req.clear_reason();
  EXPECT_TRUE(InvalidNaming(ValidateNewOrder(req, {}, kToday).status(), "reason"));
  req.set_reason(std::string(201, 'x'));
  EXPECT_TRUE(InvalidNaming(ValidateNewOrder(req, {}, kToday).status(), "reason"));
}

v1::ChangeIsolationPeriodRequest Change() {
  v1::ChangeIsolationPeriodRequest req;
  req.set_order_id(kUuid);
  req.set_reason("核酸阳性密接，延长");
  return req;
}

TEST(IsolationRulesTest, RequestedPeriodByDaysOrEndDate) {
  v1::ChangeIsolationPeriodRequest req = Change();
  req.set_period_days(21);
  EXPECT_EQ(*RequestedPeriod(req, kToday), 21);
  req = Change();
  req.set_end_date("2024-03-17");
  EXPECT_EQ(*RequestedPeriod(req, kToday), 7);
  req.set_end_date("2024-05-09");  // 60 days
  EXPECT_EQ(*RequestedPeriod(req, kToday), 60);
}

TEST(IsolationRulesTest, RequestedPeriodRefusesEndingBeforeStarting) {
  v1::ChangeIsolationPeriodRequest req = Change();
  req.set_end_date("2024-03-10");  // the start day itself
  EXPECT_TRUE(InvalidNaming(RequestedPeriod(req, kToday).status(), "end_date"));
  req.set_end_date("2024-03-01");
  EXPECT_TRUE(InvalidNaming(RequestedPeriod(req, kToday).status(), "end_date"));
  req.set_end_date("2024-05-10");  // 61 days
  EXPECT_TRUE(InvalidNaming(RequestedPeriod(req, kToday).status(), "end_date"));
  req.set_end_date("tomorrow");
  EXPECT_TRUE(InvalidNaming(RequestedPeriod(req, kToday).status(), "end_date"));
  req = Change();
  req.set_period_days(-3);
  EXPECT_TRUE(InvalidNaming(RequestedPeriod(req, kToday).status(), "period_days"));
  req.set_period_days(61);
  EXPECT_TRUE(InvalidNaming(RequestedPeriod(req, kToday).status(), "period_days"));
}

TEST(IsolationRulesTest, RequestedPeriodNeedsExactlyOneFormAndAReason) {
  v1::ChangeIsolationPeriodRequest req = Change();
  EXPECT_TRUE(InvalidNaming(RequestedPeriod(req, kToday).status(), "period_days"));
  req.set_period_days(10);
  req.set_end_date("2024-03-20");
  EXPECT_TRUE(InvalidNaming(RequestedPeriod(req, kToday).status(), "end_date"));
  req.clear_end_date();
  req.clear_reason();
  EXPECT_TRUE(InvalidNaming(RequestedPeriod(req, kToday).status(), "reason"));
}

TEST(IsolationRulesTest, OrderStates) {
  const absl::CivilDay start(2024, 3, 10);
  const absl::CivilDay end = start + 14;
  EXPECT_EQ(OrderState(start, end, false, start - 1), v1::ISOLATION_ORDER_STATE_SCHEDULED);
  EXPECT_EQ(OrderState(start, end, false, start), v1::ISOLATION_ORDER_STATE_ACTIVE);
  EXPECT_EQ(OrderState(start, end, false, end - 1), v1::ISOLATION_ORDER_STATE_ACTIVE);
  EXPECT_EQ(OrderState(start, end, false, end), v1::ISOLATION_ORDER_STATE_DUE_FOR_RELEASE);
  EXPECT_EQ(OrderState(start, end, false, end + 5), v1::ISOLATION_ORDER_STATE_DUE_FOR_RELEASE);
  EXPECT_EQ(OrderState(start, end, true, start), v1::ISOLATION_ORDER_STATE_RELEASED);
}

TEST(IsolationRulesTest, Templates) {
  v1::CreateLetterTemplateRequest t;
  t.set_area_code("gongyi.dufulu");
  t.set_title("居家隔离承诺书");
  t.set_body("本人承诺：\n\t一、严格居家隔离；\r\n\t二、每日如实报告健康状况。");
  EXPECT_TRUE(ValidateNewTemplate(t).ok()) << ValidateNewTemplate(t);
  v1::CreateLetterTemplateRequest bad = t;
  bad.set_body(std::string("a\x01", 2));
  EXPECT_TRUE(InvalidNaming(ValidateNewTemplate(bad), "body"));
  bad.set_body(std::string(20001, 'x'));
  EXPECT_TRUE(InvalidNaming(ValidateNewTemplate(bad), "body"));
  bad = t;
  bad.clear_title();
  EXPECT_TRUE(InvalidNaming(ValidateNewTemplate(bad), "title"));
  bad = t;
  bad.set_area_code("Gongyi");
  EXPECT_TRUE(InvalidNaming(ValidateNewTemplate(bad), "area_code"));

  v1::ReviseLetterTemplateRequest r;
  r.set_template_id(kUuid);
  r.set_body("新文本");
  EXPECT_TRUE(ValidateRevision(r).ok());
  r.set_base_version(-1);
  EXPECT_TRUE(InvalidNaming(ValidateRevision(r), "base_version"));
  r.set_base_version(1);
  r.clear_body();
  EXPECT_TRUE(InvalidNaming(ValidateRevision(r), "body"));
  r.set_body("x");
  r.set_change_note(std::string(201, 'n'));
  EXPECT_TRUE(InvalidNaming(ValidateRevision(r), "change_note"));
}

v1::RecordLetterSigningRequest Signing() {
  v1::RecordLetterSigningRequest req;
  req.set_household_id(kUuid);
  req.set_template_id(kUuid);
  req.set_template_version(1);
  req.set_signer_name("张三");
  *req.mutable_signed_at() = TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(kNow));
  req.set_delivery(v1::LETTER_DELIVERY_IN_PERSON);
  return req;
}

TEST(IsolationRulesTest, Signings) {
  EXPECT_TRUE(ValidateSigning(Signing(), kNow).ok()) << ValidateSigning(Signing(), kNow);
  v1::RecordLetterSigningRequest req = Signing();
  req.set_delivery(v1::LETTER_DELIVERY_THIRD_PARTY);
  EXPECT_TRUE(InvalidNaming(ValidateSigning(req, kNow), "third_party_name"));
  req.set_third_party_name("邻居李四");
  EXPECT_TRUE(ValidateSigning(req, kNow).ok());
  req.set_delivery(v1::LETTER_DELIVERY_PHONE);
  EXPECT_TRUE(InvalidNaming(ValidateSigning(req, kNow), "third_party_name"));

  req = Signing();
  req.set_delivery(v1::LETTER_DELIVERY_UNSPECIFIED);
  EXPECT_TRUE(InvalidNaming(ValidateSigning(req, kNow), "delivery"));
  req.set_delivery(static_cast<v1::LetterDelivery>(9));
  EXPECT_TRUE(InvalidNaming(ValidateSigning(req, kNow), "delivery"));

  req = Signing();
  *req.mutable_signed_at() =
      TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(kNow + absl::Seconds(30)));
  EXPECT_TRUE(ValidateSigning(req, kNow).ok()) << "30 s of clock skew is tolerated";
  *req.mutable_signed_at() =
      TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(kNow + absl::Minutes(5)));
  EXPECT_TRUE(InvalidNaming(ValidateSigning(req, kNow), "signed_at"));
  req.clear_signed_at();
  EXPECT_TRUE(InvalidNaming(ValidateSigning(req, kNow), "signed_at"));

  req = Signing();
  req.set_template_version(0);
  EXPECT_TRUE(InvalidNaming(ValidateSigning(req, kNow), "template_version"));
  req = Signing();
  req.set_order_id("x");
  EXPECT_TRUE(InvalidNaming(ValidateSigning(req, kNow), "order_id"));
  req = Signing();
  req.clear_signer_name();
  EXPECT_TRUE(InvalidNaming(ValidateSigning(req, kNow), "signer_name"));
  req = Signing();
  req.set_template_id("");
  EXPECT_TRUE(InvalidNaming(ValidateSigning(req, kNow), "template_id"));
}

}  // namespace
}  // namespace fangxian::quarantine
