// The pass colour rule (DecideColour) and check-in slots (SlotAt), with a fixed clock.
#include <gtest/gtest.h>

#include "common/validate.h"
#include "services/quarantine/pass_colour_engine.h"

namespace fangxian::quarantine {
namespace {

// China time (UTC+8) of a civil second.
absl::Time China(int y, int m, int d, int hh, int mm = 0) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, mm, 0), common::ChinaTimeZone());
}

std::vector<std::string> Codes(const ColourDecision& d) {
  std::vector<std::string> out;
  for (const auto& [code, detail] : d.reasons) out.push_back(code);
  return out;
}

ColourFacts::Order Order(absl::CivilDay start, int per_day = 2) {
  ColourFacts::Order o;
  o.order_id = "order";
  o.area_code = "gongyi.dufulu.longhai";
  o.start_date = start;
  o.end_date = start + 14;
  o.checkins_per_day = per_day;
  o.created_at = common::ChinaDayStart(start) - absl::Hours(12);
  return o;
}

const ColourRules kRules;  // 14 days of observation

TEST(PassColourRuleTest, NothingKnownIsGreenWithNothingToReview) {
  const ColourDecision d = DecideColour(ColourFacts{}, China(2024, 3, 2, 10), kRules);
  EXPECT_EQ(d.colour, v1::PASS_COLOUR_GREEN);
  EXPECT_TRUE(d.reasons.empty());
  EXPECT_FALSE(d.next_review_at.has_value());
  EXPECT_EQ(d.area_code, "");
}

TEST(PassColourRuleTest, AStartedOrderIsRedAndAScheduledOneTurnsRedWhenItStarts) {
  ColourFacts f;
  f.orders.push_back(Order(absl::CivilDay(2024, 3, 5)));
  ColourDecision before = DecideColour(f, China(2024, 3, 4, 23, 59), kRules);
  EXPECT_EQ(before.colour, v1::PASS_COLOUR_GREEN);
  EXPECT_EQ(before.next_review_at, China(2024, 3, 5, 0));

  ColourDecision after = DecideColour(f, China(2024, 3, 5, 0), kRules);
  EXPECT_EQ(after.colour, v1::PASS_COLOUR_RED);
  EXPECT_EQ(Codes(after), std::vector<std::string>{"isolation_order"});
  EXPECT_EQ(after.reasons[0].second,
            "home isolation since 2024-03-05, due for release on 2024-03-19");
  EXPECT_EQ(after.area_code, "gongyi.dufulu.longhai");
  EXPECT_EQ(after.next_review_at, China(2024, 3, 5, 12));  // end of the first slot
}

TEST(PassColourRuleTest, AMissedSlotIsAReasonUntilTheNextCheckIn) {
  ColourFacts f;
  f.orders.push_back(Order(absl::CivilDay(2024, 3, 5)));
  // 13:00: the 00:00-12:00 slot passed without a check-in.
  ColourDecision d = DecideColour(f, China(2024, 3, 5, 13), kRules);
  EXPECT_EQ(Codes(d), (std::vector<std::string>{"isolation_order", "missed_check_ins"}));
  EXPECT_EQ(d.reasons[1].second, "no health check-in between 00:00 and 12:00 on 2024-03-05");
  EXPECT_EQ(d.next_review_at, China(2024, 3, 6, 0));

  f.orders[0].last_check_in = China(2024, 3, 5, 12, 30);  // late, but it counts
  EXPECT_EQ(Codes(DecideColour(f, China(2024, 3, 5, 13), kRules)),
            std::vector<std::string>{"isolation_order"});
  f.orders[0].last_check_in = China(2024, 3, 5, 9);  // in the slot
  EXPECT_EQ(Codes(DecideColour(f, China(2024, 3, 5, 13), kRules)),
            std::vector<std::string>{"isolation_order"});
  // ...but the next slot (12:00-24:00) is missed by the following morning.
  EXPECT_EQ(Codes(DecideColour(f, China(2024, 3, 6, 1), kRules)),
            (std::vector<std::string>{"isolation_order", "missed_check_ins"}));
}

TEST(PassColourRuleTest, ASlotUnderWayWhenTheOrderWasMadeIsNotMissed) {
  ColourFacts f;
  ColourFacts::Order o = Order(absl::CivilDay(2024, 3, 5));
  o.created_at = China(2024, 3, 5, 15);  // made in the afternoon, starting today
  f.orders.push_back(o);
  EXPECT_EQ(Codes(DecideColour(f, China(2024, 3, 5, 23), kRules)),
            std::vector<std::string>{"isolation_order"});
  // The 12:00-24:00 slot began before the order was made: not owed either.
  EXPECT_EQ(Codes(DecideColour(f, China(2024, 3, 6, 1), kRules)),
            std::vector<std::string>{"isolation_order"});
  // The first slot owed is the next morning's.
  EXPECT_EQ(Codes(DecideColour(f, China(2024, 3, 6, 12, 1), kRules)),
            (std::vector<std::string>{"isolation_order", "missed_check_ins"}));
}

TEST(PassColourRuleTest, ReturneesAndContactsAreYellowWithinTheWindowOnly) {
  ColourFacts f;
  ColourFacts::Episode returnee;
  returnee.category = v1::CATEGORY_RETURNEE;
  returnee.area_code = "gongyi.dufulu.longhai";
  returnee.arrival_date = absl::CivilDay(2024, 3, 1);
  returnee.origin_region = "武汉";
  f.episodes.push_back(returnee);
  ColourDecision d = DecideColour(f, China(2024, 3, 14, 23, 59), kRules);
  EXPECT_EQ(d.colour, v1::PASS_COLOUR_YELLOW);
  EXPECT_EQ(Codes(d), std::vector<std::string>{"returnee_window"});
  EXPECT_EQ(d.reasons[0].second,
            "returned from 武汉 on 2024-03-01; under observation until 2024-03-15");
  EXPECT_EQ(d.next_review_at, China(2024, 3, 15, 0));
  EXPECT_EQ(DecideColour(f, China(2024, 3, 15, 0), kRules).colour, v1::PASS_COLOUR_GREEN);

  ColourFacts c;
  ColourFacts::Episode contact;
  contact.category = v1::CATEGORY_CLOSE_CONTACT;
  contact.contact_date = absl::CivilDay(2024, 3, 10);
  c.episodes.push_back(contact);
  ColourRules seven;
  seven.observation_days = 7;
  EXPECT_EQ(Codes(DecideColour(c, China(2024, 3, 16, 12), seven)),
            std::vector<std::string>{"contact_window"});
  EXPECT_EQ(DecideColour(c, China(2024, 3, 17, 0), seven).colour, v1::PASS_COLOUR_GREEN);
}

TEST(PassColourRuleTest, RedReasonsComeFirstAndTheWorstColourWins) {
  ColourFacts f;
  ColourFacts::Episode fever;
  fever.category = v1::CATEGORY_FEVER_REFERRAL;
  fever.referred_at = China(2024, 3, 5, 8);
  f.episodes.push_back(fever);
  f.open_follow_up_since = China(2024, 3, 5, 9);
  f.follow_up_area = "gongyi.dufulu.yuanding";
  ColourDecision yellow = DecideColour(f, China(2024, 3, 5, 10), kRules);
  EXPECT_EQ(yellow.colour, v1::PASS_COLOUR_YELLOW);
  EXPECT_EQ(Codes(yellow), (std::vector<std::string>{"fever_referral", "follow_up"}));
  EXPECT_FALSE(yellow.next_review_at.has_value());  // only a new fact changes these

  ColourFacts::Violation v;
  v.kind = 1;
  v.area_code = "gongyi.dufulu.longhai";
  v.confirmed_at = China(2024, 3, 5, 9, 30);
  f.violations.push_back(v);
  ColourDecision red = DecideColour(f, China(2024, 3, 5, 10), kRules);
  EXPECT_EQ(red.colour, v1::PASS_COLOUR_RED);
  EXPECT_EQ(Codes(red), (std::vector<std::string>{"violation", "fever_referral", "follow_up"}));
  EXPECT_EQ(red.area_code, "gongyi.dufulu.longhai");
}

TEST(CheckInSlotTest, SlotsSplitTheChinaDayEvenly) {
  CheckInSlot s = SlotAt(China(2024, 3, 5, 11, 59), 2);
  EXPECT_EQ(s.day, absl::CivilDay(2024, 3, 5));
  EXPECT_EQ(s.slot, 0);
  EXPECT_EQ(s.start, China(2024, 3, 5, 0));
  EXPECT_EQ(s.end, China(2024, 3, 5, 12));
  s = SlotAt(China(2024, 3, 5, 23, 59), 3);
  EXPECT_EQ(s.slot, 2);
  EXPECT_EQ(s.start, China(2024, 3, 5, 16));
  EXPECT_EQ(s.end, China(2024, 3, 6, 0));
  // 16:30 UTC is already the next China day.
  s = SlotAt(absl::FromCivil(absl::CivilSecond(2024, 3, 1, 16, 30, 0), absl::UTCTimeZone()), 1);
  EXPECT_EQ(s.day, absl::CivilDay(2024, 3, 2));
}

TEST(CheckInSlotTest, ASlotIsOwedOnlyWhenItBeganOnceTheOrderHeld) {
  const absl::Time start = China(2024, 3, 5, 0);  // start_date 2024-03-05
  const CheckInSlot morning = SlotAt(China(2024, 3, 5, 9), 2);
  const CheckInSlot afternoon = SlotAt(China(2024, 3, 5, 15), 2);
  // Made before its start day: every slot from the start on.
  EXPECT_TRUE(SlotOwed(morning, start, China(2024, 3, 4, 18)));
  EXPECT_TRUE(SlotOwed(afternoon, start, China(2024, 3, 4, 18)));
  // Made during the morning: that slot was under way, the afternoon is owed.
  EXPECT_FALSE(SlotOwed(morning, start, China(2024, 3, 5, 10)));
  EXPECT_TRUE(SlotOwed(afternoon, start, China(2024, 3, 5, 10)));
  EXPECT_TRUE(SlotOwed(afternoon, start, China(2024, 3, 5, 12)));  // made as it began
  // A slot before the start day is never owed.
  EXPECT_FALSE(SlotOwed(SlotAt(China(2024, 3, 4, 15), 2), start, China(2024, 3, 1, 0)));
}

}  // namespace
}  // namespace fangxian::quarantine
