// Black-box tests of loudspeaker schedules and playlists: the real publicity_server with a
// real identity_server (areas) and a real checkpoint_server (checkpoints' areas), each on
// its own scratch database. Scripts and their live copies are seeded with SQL: the
// editorial workflow is not what these tests are about.
#include <algorithm>
#include <functional>
#include <optional>

#include "absl/strings/str_cat.h"
#include "common/time_text.h"
#include "common/validate.h"
#include "fangxian/publicity/v1/loudspeaker.grpc.pb.h"
#include "google/protobuf/util/time_util.h"
#include "tests/support/checkpoint_fixtures.h"
#include "tests/support/identity_fixtures.h"

namespace fangxian::testing {
namespace {

namespace pv1 = publicity::v1;
using google::protobuf::util::TimeUtil;

constexpr char kUnknownId[] = "123e4567-e89b-12d3-a456-426614174000";
constexpr char kDufulu[] = "gongyi.dufulu";
constexpr char kJingyuan[] = "gongyi.dufulu.longhai.jingyuan";
constexpr char kYimin[] = "gongyi.dufulu.yimin";

// China time, to the minute; 2024-03-04 is a Monday.
absl::Time China(int day, int hour, int minute) {
  return absl::FromCivil(absl::CivilMinute(2024, 3, day, hour, minute), common::ChinaTimeZone());
}

google::protobuf::Timestamp ToProto(absl::Time t) {
  return TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t));
}

absl::Time FromProto(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixMicros(TimeUtil::TimestampToMicroseconds(ts));
}

pv1::ScheduleEntry Entry(const std::string& content_id, std::vector<pv1::DayOfWeek> days,
                         int start_minute, int end_minute, int order, int repeat = 10) {
  pv1::ScheduleEntry e;
  e.set_content_id(content_id);
  for (pv1::DayOfWeek d : days) e.add_days(d);
  e.set_start_minute_of_day(start_minute);
  e.set_end_minute_of_day(end_minute);
  e.set_repeat_interval_minutes(repeat);
  e.set_order(order);
  return e;
}

std::vector<std::string> ContentIds(const pv1::Playlist& p) {
  std::vector<std::string> out;
  for (const pv1::PlaylistItem& item : p.items()) out.push_back(item.content_id());
  return out;
}

class LoudspeakerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    identity_ = std::make_unique<IdentityUnderTest>(tokens_, "lsp_identity");
    identity_->EnsureArea(kJingyuan);
    identity_->EnsureArea(kYimin);
    identity_->EnsureArea("gongyi.xinhua");
    checkpoint_ = std::make_unique<ServiceUnderTest>("services/checkpoint/checkpoint_server",
                                                     "lsp_checkpoint", tokens_, identity_->Env());
    ASSERT_TRUE(checkpoint_->WaitUntilServing());
    const std::string checkpoint_addr =
        absl::StrCat("127.0.0.1:", checkpoint_->process().WaitForPort("grpc_port"));
    server_ = std::make_unique<ServiceUnderTest>(
        "services/publicity/publicity_server", "lsp", tokens_,
        identity_->Env({{"FX_CHECKPOINT_ADDR", checkpoint_addr}}));
    ASSERT_TRUE(server_->WaitUntilServing());
    stub_ = pv1::LoudspeakerService::NewStub(server_->channel());
    editor_ = tokens_.Mint("editor-1", {"publicity_editor"}, {kDufulu});
  }

  // A content item of `kind` (4: loudspeaker script) targeting `area`; with a live copy
  // from `publish_at` (to `expire_at`) when `publish_at` is given, as an approval makes it.
  std::string Seed(int kind, const std::string& title, const std::string& area,
                   std::optional<absl::Time> publish_at = China(1, 0, 0),
                   std::optional<absl::Time> expire_at = std::nullopt) {
    const std::string id =
        server_
            ->Query(absl::StrCat("INSERT INTO publicity.contents (kind, title, body, author) "
                                 "VALUES (",
                                 kind, ", '", title, "', '", title,
                                 " 的正文', 'seed') RETURNING content_id"))
            .at(0);
    server_->Query(
        absl::StrCat("INSERT INTO publicity.content_areas VALUES ('", id, "', '", area, "')"));
    if (publish_at.has_value()) {
      const std::string publish = absl::StrCat("'", common::Rfc3339Micros(*publish_at), "'");
      const std::string expire =
          expire_at ? absl::StrCat("'", common::Rfc3339Micros(*expire_at), "'") : "NULL";
      server_->Query(absl::StrCat(
          "INSERT INTO publicity.live_contents (content_id, version, kind, title, body, "
          "media_url, tags, outlet, outlet_level, publish_at, expire_at, published_by) "
          "SELECT content_id, 1, kind, title, body, 'https://media.example.org/' || content_id, "
          "'{}', '', 0, ",
          publish, ", ", expire, ", 'reviewer' FROM publicity.contents WHERE content_id = '", id,
          "'"));
      server_->Query(absl::StrCat("INSERT INTO publicity.live_content_areas VALUES ('", id, "', '",
                                  area, "', ", publish, ")"));
    }
    return id;
  }

  grpc::Status Create(const std::string& token, const pv1::Schedule& s, pv1::Schedule* out) {
    pv1::CreateScheduleRequest req;
    *req.mutable_schedule() = s;
    return stub_->CreateSchedule(CallContextWith(token).get(), req, out);
  }

  grpc::Status Get(const std::string& token, const std::string& id, pv1::Schedule* out) {
    pv1::GetScheduleRequest req;
    req.set_schedule_id(id);
    return stub_->GetSchedule(CallContextWith(token).get(), req, out);
  }

  grpc::Status Update(const std::string& token, const std::string& id, int expected_version,
                      const std::string& name, const std::vector<pv1::ScheduleEntry>& entries,
                      pv1::Schedule* out) {
    pv1::UpdateScheduleRequest req;
    req.set_schedule_id(id);
    req.set_expected_version(expected_version);
    req.set_name(name);
    for (const pv1::ScheduleEntry& e : entries) *req.add_entries() = e;
    return stub_->UpdateSchedule(CallContextWith(token).get(), req, out);
  }

  grpc::Status Delete(const std::string& token, const std::string& id, int expected_version) {
    pv1::DeleteScheduleRequest req;
    req.set_schedule_id(id);
    req.set_expected_version(expected_version);
    pv1::DeleteScheduleResponse out;
    return stub_->DeleteSchedule(CallContextWith(token).get(), req, &out);
  }

  grpc::Status List(const std::string& token, pv1::ListSchedulesRequest req,
                    pv1::ListSchedulesResponse* out) {
    return stub_->ListSchedules(CallContextWith(token).get(), req, out);
  }

  // GetPlaylist without a token, as a player device asks.
  grpc::Status Playlist(const std::string& checkpoint_id, const std::string& area, absl::Time at,
                        pv1::Playlist* out) {
    pv1::GetPlaylistRequest req;
    req.set_checkpoint_id(checkpoint_id);
    req.set_area_code(area);
    *req.mutable_time() = ToProto(at);
    return stub_->GetPlaylist(CallContextWith("").get(), req, out);
  }

  pv1::Playlist PlaylistOrFail(const std::string& checkpoint_id, const std::string& area,
                               absl::Time at) {
    pv1::Playlist out;
    const grpc::Status st = Playlist(checkpoint_id, area, at, &out);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return out;
  }

  static pv1::Schedule AreaSchedule(const std::string& area,
                                    const std::vector<pv1::ScheduleEntry>& entries) {
    pv1::Schedule s;
    s.set_name("早间播报");
    s.set_area_code(area);
    for (const pv1::ScheduleEntry& e : entries) *s.add_entries() = e;
    return s;
  }

  std::string MakeCheckpoint(const std::vector<std::string>& areas) {
    return CreateCheckpoint(checkpoint_->channel(),
                            tokens_.Mint("cp-admin", {"subdistrict_admin"}, {"gongyi"}), "东门卡点",
                            areas);
  }

  void ExpectNoSchedules() {
    EXPECT_EQ(server_->Count("publicity.loudspeaker_schedules"), "0");
    EXPECT_EQ(server_->Count("publicity.loudspeaker_schedule_areas"), "0");
    EXPECT_EQ(server_->Count("publicity.loudspeaker_entries"), "0");
  }

  TestTokens tokens_;
  std::unique_ptr<IdentityUnderTest> identity_;
  std::unique_ptr<ServiceUnderTest> checkpoint_;
  std::unique_ptr<ServiceUnderTest> server_;
  std::unique_ptr<pv1::LoudspeakerService::Stub> stub_;
  std::string editor_;
};

const std::vector<pv1::DayOfWeek> kMonday = {pv1::DAY_OF_WEEK_MONDAY};

TEST_F(LoudspeakerTest, AnAreaScheduleLivesThroughItsVersionsAndPlaysOnlyLiveScriptsBelowIt) {
  const std::string subdistrict_script = Seed(4, "戴口罩", kDufulu);
  const std::string yimin_script = Seed(4, "义民社区通知", kYimin);
  const std::string draft = Seed(4, "草稿", kDufulu, std::nullopt);
  const std::string expired = Seed(4, "旧通知", kDufulu, China(1, 0, 0), China(4, 8, 0));

  pv1::Schedule created;
  grpc::Status st = Create(editor_,
                           AreaSchedule(kDufulu, {Entry(subdistrict_script, kMonday, 480, 540, 2),
                                                  Entry(yimin_script, kMonday, 480, 540, 1),
                                                  Entry(draft, kMonday, 480, 540, 0),
                                                  Entry(expired, kMonday, 480, 540, 0)}),
                           &created);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(created.schedule_id().size(), 36u);
  EXPECT_EQ(created.version(), 1);
  EXPECT_EQ(created.area_code(), kDufulu);
  EXPECT_EQ(created.checkpoint_id(), "");
  ASSERT_EQ(created.area_codes_size(), 1);
  EXPECT_EQ(created.area_codes(0), kDufulu);
  EXPECT_EQ(created.created_by(), "editor-1");
  ASSERT_EQ(created.entries_size(), 4);
  EXPECT_EQ(created.entries(1).content_id(), yimin_script);
  EXPECT_EQ(created.entries(1).order(), 1);
  EXPECT_EQ(created.entries(1).repeat_interval_minutes(), 10);
  pv1::Schedule got;
  ASSERT_TRUE(
      Get(tokens_.Mint("r", {"publicity_reviewer"}, {"gongyi"}), created.schedule_id(), &got).ok());
  EXPECT_EQ(got.SerializeAsString(), created.SerializeAsString());

  // A compound below the subdistrict-wide schedule: only the script live for it (not the
  // one live for another community, not the draft, not the expired one).
  pv1::Playlist p = PlaylistOrFail("", kJingyuan, China(4, 8, 30));
  EXPECT_EQ(ContentIds(p), std::vector<std::string>{subdistrict_script});
  ASSERT_EQ(p.items_size(), 1);
  EXPECT_EQ(p.items(0).title(), "戴口罩");
  EXPECT_EQ(p.items(0).body(), "戴口罩 的正文");
  EXPECT_EQ(p.items(0).media_url(), "https://media.example.org/" + subdistrict_script);
  EXPECT_EQ(p.items(0).repeat_interval_minutes(), 10);
  EXPECT_EQ(p.items(0).schedule_id(), created.schedule_id());
  EXPECT_EQ(FromProto(p.items(0).window_end_time()), China(4, 9, 0));
  EXPECT_EQ(FromProto(p.next_change_time()), China(4, 9, 0));
  // In 义民 its own script plays too, first by order.
  p = PlaylistOrFail("", kYimin, China(4, 8, 30));
  EXPECT_EQ(ContentIds(p), (std::vector<std::string>{yimin_script, subdistrict_script}));
  // Outside the window nothing plays, until the window starts.
  EXPECT_EQ(PlaylistOrFail("", kJingyuan, China(4, 7, 59)).items_size(), 0);
  EXPECT_EQ(FromProto(PlaylistOrFail("", kJingyuan, China(4, 7, 0)).next_change_time()),
            China(4, 8, 0));
  // Not above the schedule's area, not in another community, not on Tuesday.
  EXPECT_EQ(PlaylistOrFail("", "gongyi", China(4, 8, 30)).items_size(), 0);
  EXPECT_EQ(PlaylistOrFail("", "gongyi.xinhua", China(4, 8, 30)).items_size(), 0);
  EXPECT_EQ(PlaylistOrFail("", kJingyuan, China(5, 8, 30)).items_size(), 0);

  // Update with the version read; a second update from the same read is stale.
  pv1::Schedule updated;
  st = Update(editor_, created.schedule_id(), 1, "午间播报",
              {Entry(subdistrict_script, {pv1::DAY_OF_WEEK_TUESDAY}, 720, 780, 0, 0)}, &updated);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(updated.version(), 2);
  EXPECT_EQ(updated.name(), "午间播报");
  EXPECT_EQ(updated.entries_size(), 1);
  EXPECT_EQ(updated.updated_by(), "editor-1");
  st = Update(editor_, created.schedule_id(), 1, "别的", {Entry(draft, kMonday, 0, 60, 0)},
              &updated);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::ABORTED) << st.error_message();
  ASSERT_TRUE(Get(editor_, created.schedule_id(), &got).ok());
  EXPECT_EQ(got.name(), "午间播报");
  EXPECT_EQ(got.version(), 2);
  EXPECT_EQ(server_->Count("publicity.loudspeaker_entries"), "1");
  EXPECT_EQ(PlaylistOrFail("", kJingyuan, China(4, 8, 30)).items_size(), 0);
  EXPECT_EQ(ContentIds(PlaylistOrFail("", kJingyuan, China(5, 12, 30))),
            std::vector<std::string>{subdistrict_script});

  // Listing: the subdistrict's schedule is at or below gongyi.dufulu, not below 义民.
  pv1::Schedule second;
  ASSERT_TRUE(
      Create(editor_, AreaSchedule(kYimin, {Entry(yimin_script, kMonday, 0, 60, 0)}), &second)
          .ok());
  pv1::ListSchedulesRequest list;
  list.set_area_code(kDufulu);
  list.set_page_size(1);
  pv1::ListSchedulesResponse page;
  ASSERT_TRUE(List(editor_, list, &page).ok());
  ASSERT_EQ(page.schedules_size(), 1);
  ASSERT_FALSE(page.next_page_token().empty());
  std::vector<std::string> seen = {page.schedules(0).schedule_id()};
  list.set_page_token(page.next_page_token());
  ASSERT_TRUE(List(editor_, list, &page).ok());
  ASSERT_EQ(page.schedules_size(), 1);
  EXPECT_TRUE(page.next_page_token().empty());
  seen.push_back(page.schedules(0).schedule_id());
  std::vector<std::string> want = {created.schedule_id(), second.schedule_id()};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(seen, want);
  list.Clear();
  list.set_area_code(kYimin);
  ASSERT_TRUE(List(tokens_.Mint("a", {"auditor"}, {kYimin}), list, &page).ok());
  ASSERT_EQ(page.schedules_size(), 1);
  EXPECT_EQ(page.schedules(0).schedule_id(), second.schedule_id());

  // Delete: a stale version is refused, the current one deletes it and its entries.
  EXPECT_EQ(Delete(editor_, created.schedule_id(), 1).error_code(), grpc::StatusCode::ABORTED);
  ASSERT_TRUE(Delete(editor_, created.schedule_id(), 2).ok());
  EXPECT_EQ(Get(editor_, created.schedule_id(), &got).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Delete(editor_, created.schedule_id(), 0).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(server_->Count("publicity.loudspeaker_entries"), "1");  // the second schedule's
}

TEST_F(LoudspeakerTest, ACheckpointScheduleBelongsToTheCheckpointsAreasAndJoinsTheirSchedules) {
  const std::string checkpoint_id = MakeCheckpoint({kJingyuan});
  ASSERT_FALSE(checkpoint_id.empty());
  const std::string subdistrict_script = Seed(4, "戴口罩", kDufulu);
  const std::string gate_script = Seed(4, "请出示通行码", kJingyuan);
  const std::string yimin_script = Seed(4, "义民社区通知", kYimin);
  pv1::Schedule area_schedule;
  ASSERT_TRUE(Create(editor_,
                     AreaSchedule(kDufulu, {Entry(subdistrict_script, kMonday, 480, 540, 5),
                                            Entry(yimin_script, kMonday, 480, 540, 0)}),
                     &area_schedule)
                  .ok());
  // Playlists never ask the checkpoint service: before the checkpoint has a schedule of
  // its own, publicity does not know its areas.
  EXPECT_EQ(PlaylistOrFail(checkpoint_id, "", China(4, 8, 30)).items_size(), 0);

  pv1::Schedule in;
  in.set_name("东门循环播放");
  in.set_checkpoint_id(checkpoint_id);
  *in.add_entries() = Entry(gate_script, kMonday, 480, 525, 1, 0);
  pv1::Schedule created;
  const std::string jingyuan_editor = tokens_.Mint("e2", {"publicity_editor"}, {kJingyuan});
  grpc::Status st = Create(jingyuan_editor, in, &created);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(created.checkpoint_id(), checkpoint_id);
  EXPECT_EQ(created.area_code(), "");
  ASSERT_EQ(created.area_codes_size(), 1);
  EXPECT_EQ(created.area_codes(0), kJingyuan);

  pv1::Playlist p = PlaylistOrFail(checkpoint_id, "", China(4, 8, 30));
  EXPECT_EQ(ContentIds(p), (std::vector<std::string>{gate_script, subdistrict_script}));
  EXPECT_EQ(p.items(0).repeat_interval_minutes(), 0);
  EXPECT_EQ(FromProto(p.items(0).window_end_time()), China(4, 8, 45));
  EXPECT_EQ(FromProto(p.next_change_time()), China(4, 8, 45));
  // An area's players do not get the checkpoint's own schedule.
  EXPECT_EQ(ContentIds(PlaylistOrFail("", kJingyuan, China(4, 8, 30))),
            std::vector<std::string>{subdistrict_script});
  // A checkpoint publicity knows nothing about: an empty playlist, no error.
  p = PlaylistOrFail(kUnknownId, "", China(4, 8, 30));
  EXPECT_EQ(p.items_size(), 0);
  EXPECT_FALSE(p.has_next_change_time());

  pv1::ListSchedulesRequest list;
  list.set_checkpoint_id(checkpoint_id);
  pv1::ListSchedulesResponse page;
  ASSERT_TRUE(List(jingyuan_editor, list, &page).ok());
  ASSERT_EQ(page.schedules_size(), 1);
  EXPECT_EQ(page.schedules(0).schedule_id(), created.schedule_id());
  EXPECT_EQ(
      List(tokens_.Mint("x", {"publicity_editor"}, {"gongyi.xinhua"}), list, &page).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);

  // The checkpoint's areas decide the scope: unknown and invisible checkpoints are
  // NOT_FOUND (the checkpoint service hides the difference), a consolidated checkpoint
  // reaching beyond the caller's scope is PERMISSION_DENIED.
  pv1::Schedule out;
  in.set_checkpoint_id(kUnknownId);
  st = Create(editor_, in, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND) << st.error_message();
  EXPECT_NE(st.error_message().find("schedule.checkpoint_id"), std::string::npos);
  in.set_checkpoint_id(checkpoint_id);
  st = Create(tokens_.Mint("x", {"publicity_editor"}, {"gongyi.xinhua"}), in, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND) << st.error_message();
  in.set_checkpoint_id(MakeCheckpoint({kJingyuan, kYimin}));
  st = Create(jingyuan_editor, in, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED) << st.error_message();
  EXPECT_EQ(server_->Count("publicity.loudspeaker_schedules"), "2");
}

TEST_F(LoudspeakerTest, BadInputIsRefusedWithTheFieldAndStoresNothing) {
  const std::string script = Seed(4, "戴口罩", kDufulu);
  const std::string notice = Seed(1, "通告", kDufulu);
  const std::string checkpoint_id = MakeCheckpoint({kJingyuan});
  struct Case {
    std::function<void(pv1::Schedule&)> mutate;
    grpc::StatusCode code;
    std::string field;
  };
  const std::vector<Case> cases = {
      {[&](pv1::Schedule& s) { s.set_checkpoint_id(checkpoint_id); },
       grpc::StatusCode::INVALID_ARGUMENT, "schedule.checkpoint_id"},
      {[](pv1::Schedule& s) { s.clear_area_code(); }, grpc::StatusCode::INVALID_ARGUMENT,
       "schedule.area_code"},
      {[](pv1::Schedule& s) { s.clear_name(); }, grpc::StatusCode::INVALID_ARGUMENT,
       "schedule.name"},
      {[](pv1::Schedule& s) { s.mutable_entries(0)->set_end_minute_of_day(400); },
       grpc::StatusCode::INVALID_ARGUMENT, "schedule.entries[0].end_minute_of_day"},
      {[](pv1::Schedule& s) { s.mutable_entries(0)->set_content_id(kUnknownId); },
       grpc::StatusCode::NOT_FOUND, "schedule.entries[0].content_id"},
      {[&](pv1::Schedule& s) { s.mutable_entries(0)->set_content_id(notice); },
       grpc::StatusCode::INVALID_ARGUMENT, "schedule.entries[0].content_id"},
      {[](pv1::Schedule& s) { s.mutable_entries(0)->clear_days(); },
       grpc::StatusCode::INVALID_ARGUMENT, "schedule.entries[0].days"},
      {[](pv1::Schedule& s) { s.mutable_entries(0)->set_repeat_interval_minutes(1441); },
       grpc::StatusCode::INVALID_ARGUMENT, "schedule.entries[0].repeat_interval_minutes"},
      {[](pv1::Schedule& s) {
         for (int i = 0; i < 100; ++i) *s.add_entries() = s.entries(0);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "schedule.entries"},
      {[](pv1::Schedule& s) { s.set_area_code("gongyi.dufulu.nowhere"); },
       grpc::StatusCode::NOT_FOUND, "schedule.area_code"},
      {[](pv1::Schedule& s) { s.set_area_code("gongyi.xinhua"); },
       grpc::StatusCode::PERMISSION_DENIED, "schedule.area_code"},
      {[](pv1::Schedule& s) { s.set_area_code("gongyi..x"); }, grpc::StatusCode::INVALID_ARGUMENT,
       "schedule.area_code"},
  };
  for (const Case& c : cases) {
    pv1::Schedule in = AreaSchedule(kDufulu, {Entry(script, kMonday, 480, 540, 0)});
    c.mutate(in);
    pv1::Schedule out;
    const grpc::Status st = Create(editor_, in, &out);
    EXPECT_EQ(st.error_code(), c.code) << c.field << ": " << st.error_message();
    EXPECT_NE(st.error_message().find(c.field), std::string::npos)
        << c.field << ": " << st.error_message();
  }
  ExpectNoSchedules();

  // The same entry rules on update, and a missing expected_version.
  pv1::Schedule created;
  ASSERT_TRUE(
      Create(editor_, AreaSchedule(kDufulu, {Entry(script, kMonday, 480, 540, 0)}), &created).ok());
  pv1::Schedule out;
  EXPECT_TRUE(IsInvalidNaming(
      Update(editor_, created.schedule_id(), 1, "x", {Entry(script, {}, 480, 540, 0)}, &out),
      "entries[0].days"));
  EXPECT_TRUE(IsInvalidNaming(
      Update(editor_, created.schedule_id(), 0, "x", {Entry(script, kMonday, 480, 540, 0)}, &out),
      "expected_version"));
  EXPECT_EQ(
      Update(editor_, created.schedule_id(), 1, "x", {Entry(notice, kMonday, 480, 540, 0)}, &out)
          .error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(
      Update(editor_, kUnknownId, 1, "x", {Entry(script, kMonday, 480, 540, 0)}, &out).error_code(),
      grpc::StatusCode::NOT_FOUND);
  ASSERT_TRUE(Get(editor_, created.schedule_id(), &out).ok());
  EXPECT_EQ(out.version(), 1);

  // Playlists: exactly one target, well formed.
  pv1::Playlist p;
  EXPECT_TRUE(IsInvalidNaming(Playlist(checkpoint_id, kJingyuan, China(4, 8, 0), &p), "area_code"));
  EXPECT_TRUE(IsInvalidNaming(Playlist("", "", China(4, 8, 0), &p), "checkpoint_id"));
  EXPECT_TRUE(IsInvalidNaming(Playlist("nope", "", China(4, 8, 0), &p), "checkpoint_id"));
  EXPECT_TRUE(IsInvalidNaming(Playlist("", "Gongyi", China(4, 8, 0), &p), "area_code"));
  pv1::ListSchedulesRequest list;
  list.set_checkpoint_id(checkpoint_id);
  list.set_area_code(kDufulu);
  pv1::ListSchedulesResponse page;
  EXPECT_EQ(List(editor_, list, &page).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(LoudspeakerTest, CallersAreConfinedToTheirRolesAndAreas) {
  const std::string script = Seed(4, "戴口罩", kDufulu);
  const pv1::Schedule in = AreaSchedule(kDufulu, {Entry(script, kMonday, 480, 540, 0)});
  pv1::Schedule out;
  EXPECT_EQ(Create("", in, &out).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  const std::string reviewer = tokens_.Mint("r", {"publicity_reviewer"}, {"gongyi"});
  EXPECT_EQ(Create(reviewer, in, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  const std::string resident = tokens_.Mint("p", {"resident"}, {kJingyuan});
  EXPECT_EQ(Create(resident, in, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // A community's editor cannot write the subdistrict's schedule.
  const std::string jingyuan_editor = tokens_.Mint("e2", {"publicity_editor"}, {kJingyuan});
  EXPECT_EQ(Create(jingyuan_editor, in, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  ExpectNoSchedules();

  pv1::Schedule created;
  ASSERT_TRUE(Create(tokens_.Mint("ca", {"community_admin"}, {kDufulu}), in, &created).ok());
  const std::string id = created.schedule_id();
  EXPECT_TRUE(Get(reviewer, id, &out).ok());
  EXPECT_TRUE(Get(tokens_.Mint("a", {"auditor"}, {"gongyi"}), id, &out).ok());
  EXPECT_EQ(Get(resident, id, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Get(jingyuan_editor, id, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Get("", id, &out).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Update(reviewer, id, 1, "x", {Entry(script, kMonday, 0, 60, 0)}, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(
      Update(jingyuan_editor, id, 1, "x", {Entry(script, kMonday, 0, 60, 0)}, &out).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Delete(jingyuan_editor, id, 1).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Delete(reviewer, id, 1).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  pv1::ListSchedulesRequest list;
  list.set_area_code("gongyi.xinhua");
  pv1::ListSchedulesResponse page;
  EXPECT_EQ(List(editor_, list, &page).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(Get(editor_, id, &out).ok());
  EXPECT_EQ(out.version(), 1);
  // The player needs no token at all.
  EXPECT_EQ(PlaylistOrFail("", kJingyuan, China(4, 8, 30)).items_size(), 1);
}

}  // namespace
}  // namespace fangxian::testing
