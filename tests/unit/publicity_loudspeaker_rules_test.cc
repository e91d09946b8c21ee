// Loudspeaker schedule rules: what an entry may say, and which entries play when (China
// time), with the moment the playlist next changes.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "common/validate.h"
#include "google/protobuf/util/time_util.h"
#include "services/publicity/loudspeaker_rules.h"

namespace fangxian::publicity {
namespace {

using google::protobuf::RepeatedPtrField;
using google::protobuf::util::TimeUtil;

constexpr char kScriptA[] = "00000000-0000-4000-8000-00000000000a";
constexpr char kScriptB[] = "00000000-0000-4000-8000-00000000000b";

// 2024-03-04 is a Monday. China time, to the minute.
absl::Time China(int month, int day, int hour, int minute) {
  return absl::FromCivil(absl::CivilMinute(2024, month, day, hour, minute),
                         common::ChinaTimeZone());
}

absl::Time FromProto(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixMicros(TimeUtil::TimestampToMicroseconds(ts));
}

v1::ScheduleEntry Entry() {
  v1::ScheduleEntry e;
  e.set_content_id(kScriptA);
  e.add_days(v1::DAY_OF_WEEK_MONDAY);
  e.add_days(v1::DAY_OF_WEEK_FRIDAY);
  e.set_start_minute_of_day(8 * 60);
  e.set_end_minute_of_day(9 * 60);
  e.set_repeat_interval_minutes(15);
  e.set_order(1);
  return e;
}

RepeatedPtrField<v1::ScheduleEntry> Entries(const std::vector<v1::ScheduleEntry>& in) {
  RepeatedPtrField<v1::ScheduleEntry> out;
  for (const v1::ScheduleEntry& e : in) *out.Add() = e;
  return out;
}

bool IsInvalidNaming(const absl::Status& s, const std::string& field) {
  return absl::IsInvalidArgument(s) && s.message().find(field) != absl::string_view::npos;
}

TEST(LoudspeakerEntryRulesTest, AcceptsTheBoundsOfEveryField) {
  v1::ScheduleEntry e = Entry();
  e.set_start_minute_of_day(0);
  e.set_end_minute_of_day(1440);
  e.set_repeat_interval_minutes(0);
  e.set_order(0);
  EXPECT_TRUE(ValidateEntries("entries", Entries({e})).ok());
  e.set_start_minute_of_day(1439);
  e.set_repeat_interval_minutes(1440);
  e.set_order(10000);
  EXPECT_TRUE(ValidateEntries("entries", Entries({e})).ok());
  EXPECT_TRUE(
      ValidateEntries("entries", Entries(std::vector<v1::ScheduleEntry>(100, Entry()))).ok());
}

TEST(LoudspeakerEntryRulesTest, RefusesEachBadFieldNamingIt) {
  struct Case {
    std::function<void(v1::ScheduleEntry&)> mutate;
    std::string field;
  };
  const std::vector<Case> cases = {
      {[](v1::ScheduleEntry& e) { e.set_content_id("not-a-uuid"); }, "entries[1].content_id"},
      {[](v1::ScheduleEntry& e) { e.clear_days(); }, "entries[1].days"},
      {[](v1::ScheduleEntry& e) { e.add_days(v1::DAY_OF_WEEK_UNSPECIFIED); }, "entries[1].days"},
      {[](v1::ScheduleEntry& e) { e.add_days(static_cast<v1::DayOfWeek>(8)); }, "entries[1].days"},
      {[](v1::ScheduleEntry& e) { e.add_days(v1::DAY_OF_WEEK_MONDAY); }, "entries[1].days"},
      {[](v1::ScheduleEntry& e) { e.set_start_minute_of_day(-1); },
       "entries[1].start_minute_of_day"},
      {[](v1::ScheduleEntry& e) { e.set_start_minute_of_day(1440); },
       "entries[1].start_minute_of_day"},
      // The end before the start, equal to it, and past midnight (a window crossing it).
      {[](v1::ScheduleEntry& e) { e.set_end_minute_of_day(7 * 60); },
       "entries[1].end_minute_of_day"},
      {[](v1::ScheduleEntry& e) { e.set_end_minute_of_day(8 * 60); },
       "entries[1].end_minute_of_day"},
      {[](v1::ScheduleEntry& e) { e.set_end_minute_of_day(1441); }, "entries[1].end_minute_of_day"},
      {[](v1::ScheduleEntry& e) { e.set_repeat_interval_minutes(-1); },
       "entries[1].repeat_interval_minutes"},
      {[](v1::ScheduleEntry& e) { e.set_repeat_interval_minutes(1441); },
       "entries[1].repeat_interval_minutes"},
      {[](v1::ScheduleEntry& e) { e.set_order(-1); }, "entries[1].order"},
      {[](v1::ScheduleEntry& e) { e.set_order(10001); }, "entries[1].order"},
  };
  for (const Case& c : cases) {
    v1::ScheduleEntry bad = Entry();
    c.mutate(bad);
    const absl::Status s = ValidateEntries("entries", Entries({Entry(), bad}));
    EXPECT_TRUE(IsInvalidNaming(s, c.field)) << c.field << ": " << s;
  }
  EXPECT_TRUE(IsInvalidNaming(ValidateEntries("entries", Entries({})), "entries"));
  EXPECT_TRUE(IsInvalidNaming(
      ValidateEntries("entries", Entries(std::vector<v1::ScheduleEntry>(101, Entry()))),
      "entries"));
}

TEST(LoudspeakerEntryRulesTest, StoredFormRoundTripsWithDaysMondayFirst) {
  v1::ScheduleEntry e = Entry();
  e.clear_days();
  e.add_days(v1::DAY_OF_WEEK_SUNDAY);
  e.add_days(v1::DAY_OF_WEEK_WEDNESDAY);
  const EntryRow row = EntryFromProto(e);
  EXPECT_EQ(row.days_mask, (1 << 6) | (1 << 2));
  const v1::ScheduleEntry back = EntryToProto(row);
  ASSERT_EQ(back.days_size(), 2);
  EXPECT_EQ(back.days(0), v1::DAY_OF_WEEK_WEDNESDAY);
  EXPECT_EQ(back.days(1), v1::DAY_OF_WEEK_SUNDAY);
  EXPECT_EQ(back.start_minute_of_day(), 480);
  EXPECT_EQ(back.end_minute_of_day(), 540);
  EXPECT_EQ(back.repeat_interval_minutes(), 15);
  EXPECT_EQ(back.order(), 1);
}

// A candidate for `content_id` from `entry`, live since long ago unless told otherwise.
PlaylistCandidate Candidate(const v1::ScheduleEntry& entry, const std::string& schedule_id = "s1",
                            int position = 0) {
  PlaylistCandidate c;
  c.schedule_id = schedule_id;
  c.position = position;
  c.entry = EntryFromProto(entry);
  PlaylistCandidate::Live live;
  live.title = "防疫小喇叭";
  live.body = "逢车必查、逢人必测。";
  live.media_url = "https://example.org/a.mp3";
  live.publish_at = China(1, 1, 0, 0);
  c.live = live;
  return c;
}

// The playlist at `t` asked at `t` by the server's clock (GetPlaylist without a time).
v1::Playlist PlayAt(const std::vector<PlaylistCandidate>& candidates, absl::Time t) {
  return BuildPlaylist(candidates, t, t);
}

TEST(PlaylistTest, PlaysInsideTheWindowOnItsDaysWithTheWindowEnd) {
  const PlaylistCandidate c = Candidate(Entry());  // Mon and Fri, 08:00-09:00
  const v1::Playlist p = PlayAt({c}, China(3, 4, 8, 30));
  ASSERT_EQ(p.items_size(), 1);
  EXPECT_EQ(p.items(0).content_id(), kScriptA);
  EXPECT_EQ(p.items(0).title(), "防疫小喇叭");
  EXPECT_EQ(p.items(0).body(), "逢车必查、逢人必测。");
  EXPECT_EQ(p.items(0).media_url(), "https://example.org/a.mp3");
  EXPECT_EQ(p.items(0).repeat_interval_minutes(), 15);
  EXPECT_EQ(p.items(0).schedule_id(), "s1");
  EXPECT_EQ(FromProto(p.items(0).window_end_time()), China(3, 4, 9, 0));
  EXPECT_EQ(FromProto(p.time()), China(3, 4, 8, 30));
  EXPECT_EQ(FromProto(p.next_change_time()), China(3, 4, 9, 0));
  // The start is inclusive, the end exclusive.
  EXPECT_EQ(PlayAt({c}, China(3, 4, 8, 0)).items_size(), 1);
  EXPECT_EQ(PlayAt({c}, China(3, 4, 9, 0)).items_size(), 0);
}

TEST(PlaylistTest, OutsideTheWindowNothingPlaysUntilTheNextStartOnAScheduledDay) {
  const PlaylistCandidate c = Candidate(Entry());
  v1::Playlist p = PlayAt({c}, China(3, 4, 7, 0));  // Monday, before the window
  EXPECT_EQ(p.items_size(), 0);
  EXPECT_EQ(FromProto(p.next_change_time()), China(3, 4, 8, 0));
  p = PlayAt({c}, China(3, 5, 8, 30));  // Tuesday: not one of its days
  EXPECT_EQ(p.items_size(), 0);
  EXPECT_EQ(FromProto(p.next_change_time()), China(3, 8, 8, 0));  // Friday
  p = PlayAt({c}, China(3, 9, 12, 0));  // Saturday: over the weekend to Monday
  EXPECT_EQ(FromProto(p.next_change_time()), China(3, 11, 8, 0));
}

TEST(PlaylistTest, DaysAndTimesAreChinaTimeNotUtc) {
  v1::ScheduleEntry e = Entry();
  e.clear_days();
  e.add_days(v1::DAY_OF_WEEK_MONDAY);
  e.set_start_minute_of_day(0);
  e.set_end_minute_of_day(60);
  // Sunday 16:30 UTC is Monday 00:30 in China.
  const absl::Time t = absl::FromCivil(absl::CivilMinute(2024, 3, 3, 16, 30), absl::UTCTimeZone());
  EXPECT_EQ(PlayAt({Candidate(e)}, t).items_size(), 1);
}

TEST(PlaylistTest, OnlyScriptsLiveAtThatTimePlay) {
  PlaylistCandidate not_live = Candidate(Entry());
  not_live.live.reset();  // a draft, or live only for other areas
  v1::Playlist p = PlayAt({not_live}, China(3, 4, 8, 30));
  EXPECT_EQ(p.items_size(), 0);
  EXPECT_FALSE(p.has_next_change_time());  // an approval cannot be foreseen

  PlaylistCandidate later = Candidate(Entry());
  later.live->publish_at = China(3, 4, 8, 40);
  p = PlayAt({later}, China(3, 4, 8, 30));
  EXPECT_EQ(p.items_size(), 0);
  EXPECT_EQ(FromProto(p.next_change_time()), China(3, 4, 8, 40));
  EXPECT_EQ(PlayAt({later}, China(3, 4, 8, 45)).items_size(), 1);

  PlaylistCandidate expiring = Candidate(Entry());
  expiring.live->expire_at = China(3, 4, 8, 50);
  p = PlayAt({expiring}, China(3, 4, 8, 30));
  ASSERT_EQ(p.items_size(), 1);
  EXPECT_EQ(FromProto(p.items(0).window_end_time()), China(3, 4, 8, 50));
  EXPECT_EQ(FromProto(p.next_change_time()), China(3, 4, 8, 50));
  p = PlayAt({expiring}, China(3, 4, 8, 55));
  EXPECT_EQ(p.items_size(), 0);
  EXPECT_FALSE(p.has_next_change_time());  // expired: it never plays again
}

TEST(PlaylistTest, InPlayOrderEachScriptOnceAndTheEarliestChange) {
  v1::ScheduleEntry first = Entry();
  first.set_content_id(kScriptB);
  first.set_order(0);
  first.set_start_minute_of_day(8 * 60 + 15);
  first.set_end_minute_of_day(8 * 60 + 45);
  v1::ScheduleEntry again = Entry();  // script A again, in another schedule, later order
  again.set_order(5);
  again.set_repeat_interval_minutes(0);
  const v1::Playlist p =
      PlayAt({Candidate(Entry(), "s1", 0), Candidate(first, "s1", 1), Candidate(again, "s0", 0)},
             China(3, 4, 8, 30));
  ASSERT_EQ(p.items_size(), 2);
  EXPECT_EQ(p.items(0).content_id(), kScriptB);
  EXPECT_EQ(p.items(1).content_id(), kScriptA);
  EXPECT_EQ(p.items(1).order(), 1);  // the entry with the lower order wins
  EXPECT_EQ(p.items(1).repeat_interval_minutes(), 15);
  EXPECT_EQ(FromProto(p.next_change_time()), China(3, 4, 8, 45));
}

TEST(PlaylistTest, WindowsThatMeetAcrossMidnightAreOneStretch) {
  v1::ScheduleEntry e = Entry();
  e.clear_days();
  e.add_days(v1::DAY_OF_WEEK_MONDAY);
  e.add_days(v1::DAY_OF_WEEK_TUESDAY);
  e.set_start_minute_of_day(0);
  e.set_end_minute_of_day(1440);
  const v1::Playlist p = PlayAt({Candidate(e)}, China(3, 4, 12, 0));
  ASSERT_EQ(p.items_size(), 1);
  EXPECT_EQ(FromProto(p.items(0).window_end_time()), China(3, 6, 0, 0));
  EXPECT_EQ(FromProto(p.next_change_time()), China(3, 6, 0, 0));
}

TEST(PlaylistTest, NothingScheduledIsAnEmptyPlaylistWithoutAChange) {
  const v1::Playlist p = PlayAt({}, China(3, 4, 8, 30));
  EXPECT_EQ(p.items_size(), 0);
  EXPECT_FALSE(p.has_next_change_time());
  EXPECT_EQ(FromProto(p.time()), China(3, 4, 8, 30));
}

TEST(PlaylistTest, AScriptNotYetPublicNeverPlaysWhateverTheMomentAskedAbout) {
  PlaylistCandidate later = Candidate(Entry());  // Mon and Fri, 08:00-09:00
  later.live->publish_at = China(3, 4, 8, 40);
  const PlaylistCandidate public_one = Candidate(Entry(), "s2");
  // Asked at 08:20 (server clock) about 08:45: the script live from 08:40 stays hidden,
  // and its first playing is the only change it reveals.
  v1::Playlist p = BuildPlaylist({later}, China(3, 4, 8, 45), China(3, 4, 8, 20));
  EXPECT_EQ(p.items_size(), 0);
  EXPECT_FALSE(p.has_next_change_time());  // 08:40 is not after 08:45
  p = BuildPlaylist({later}, China(3, 4, 8, 10), China(3, 4, 8, 10));
  EXPECT_EQ(FromProto(p.next_change_time()), China(3, 4, 8, 40));
  // A script public by the server's clock plays at the moment asked about.
  p = BuildPlaylist({later, public_one}, China(3, 4, 8, 45), China(3, 4, 8, 20));
  ASSERT_EQ(p.items_size(), 1);
  EXPECT_EQ(p.items(0).schedule_id(), "s2");
  // Once the server's clock passes the publish time it plays.
  EXPECT_EQ(BuildPlaylist({later}, China(3, 4, 8, 45), China(3, 4, 8, 40)).items_size(), 1);
}

TEST(PlaylistTimeTest, NowWhenUnsetAndAtMostADayFromTheServersClock) {
  const absl::Time now = China(3, 4, 8, 30);
  v1::GetPlaylistRequest request;
  EXPECT_EQ(*PlaylistTime(request, now), now);
  *request.mutable_time() = TimeUtil::MicrosecondsToTimestamp(
      absl::ToUnixMicros(now + absl::Hours(kMaxPlaylistOffsetHours)));
  EXPECT_EQ(*PlaylistTime(request, now), now + absl::Hours(24));
  *request.mutable_time() = TimeUtil::MicrosecondsToTimestamp(
      absl::ToUnixMicros(now - absl::Hours(kMaxPlaylistOffsetHours)));
  EXPECT_EQ(*PlaylistTime(request, now), now - absl::Hours(24));
  *request.mutable_time() = TimeUtil::MicrosecondsToTimestamp(
      absl::ToUnixMicros(now + absl::Hours(24) + absl::Seconds(1)));
  EXPECT_TRUE(IsInvalidNaming(PlaylistTime(request, now).status(), "time"));
  *request.mutable_time() = TimeUtil::MicrosecondsToTimestamp(
      absl::ToUnixMicros(now - absl::Hours(24) - absl::Seconds(1)));
  EXPECT_TRUE(IsInvalidNaming(PlaylistTime(request, now).status(), "time"));
  request.mutable_time()->set_nanos(-1);
  EXPECT_TRUE(IsInvalidNaming(PlaylistTime(request, now).status(), "time"));
}

TEST(ScriptReachesScheduleTest, ATargetAtOrAboveAScheduleAreaAndBelowOnlyForAnArea) {
  const std::vector<std::string> jingyuan = {"gongyi.dufulu.longhai.jingyuan"};
  const std::vector<std::string> dufulu = {"gongyi.dufulu"};
  // At or above: plays there, whatever the kind of schedule.
  for (bool area_schedule : {true, false}) {
    EXPECT_TRUE(ScriptReachesSchedule(jingyuan, jingyuan, area_schedule));
    EXPECT_TRUE(ScriptReachesSchedule(dufulu, jingyuan, area_schedule));
    EXPECT_TRUE(ScriptReachesSchedule({"gongyi"}, jingyuan, area_schedule));
    EXPECT_TRUE(ScriptReachesSchedule({"gongyi.xinhua", "gongyi.dufulu"},
                                      {"gongyi.dufulu.yimin", "gongyi.xinhua.a"}, area_schedule));
    // Another community, and a look-alike prefix, never.
    EXPECT_FALSE(ScriptReachesSchedule({"gongyi.dufulu.yimin"}, jingyuan, area_schedule));
    EXPECT_FALSE(ScriptReachesSchedule({"gongyi.dufulu.longhaix"}, {"gongyi.dufulu.longhai"},
                                       area_schedule));
    EXPECT_FALSE(ScriptReachesSchedule({"gongyi.dufulu.longhai"}, {"gongyi.dufulu.longhaix"},
                                       area_schedule));
    EXPECT_FALSE(ScriptReachesSchedule({}, jingyuan, area_schedule));
  }
  // Below: an area's schedule plays at the players below its area too; a checkpoint's
  // only at the checkpoint.
  EXPECT_TRUE(ScriptReachesSchedule(jingyuan, dufulu, /*area_schedule=*/true));
  EXPECT_FALSE(ScriptReachesSchedule(jingyuan, dufulu, /*area_schedule=*/false));
}

}  // namespace
}  // namespace fangxian::publicity
