// Server-Sent Events framing, and which streaming methods become routes.
#include "gateway/sse.h"

#include <gmock/gmock.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include "fangxian/bench/v1/echo.pb.h"
#include "gateway/route_table.h"
#include "gateway/services.h"
#include "gateway/transcode.h"

namespace fangxian::gateway {
namespace {

using ::testing::HasSubstr;

TEST(SseFramingTest, DataEventIsOneIdAndOneDataLine) {
  EXPECT_EQ(SseDataEvent(7, R"({"text":"a"})"), "id: 7\ndata: {\"text\":\"a\"}\n\n");
}

TEST(SseFramingTest, CanonicalJsonOfTextWithNewlinesStaysOnOneLine) {
  bench::v1::StreamEchoResponse m;
  m.set_text("line one\nline two\r\n");
  absl::StatusOr<std::string> json = MessageToJson(m);
  ASSERT_TRUE(json.ok());
  const std::string event = SseDataEvent(1, *json);
  // Exactly the id line, the data line and the blank line that ends the event.
  EXPECT_EQ(std::count(event.begin(), event.end(), '\n'), 3) << event;
  EXPECT_EQ(event.find('\r'), std::string::npos);
}

TEST(SseFramingTest, ErrorEventCarriesTheStatusShape) {
  EXPECT_EQ(SseErrorEvent(grpc::StatusCode::UNAVAILABLE, "say \"bye\"\n"),
            "event: error\ndata: {\"code\":14,\"message\":\"say \\\"bye\\\"\\n\",\"details\":[]}"
            "\n\n");
}

TEST(SseFramingTest, KeepAliveIsAComment) {
  EXPECT_EQ(std::string(kSseKeepAlive), ": keep-alive\n\n");
}

TEST(SseRoutesTest, ServerStreamingMethodsAreRouted) {
  absl::StatusOr<RouteTable> t = RouteTable::Build({BenchEchoService().descriptor});
  ASSERT_TRUE(t.ok()) << t.status();
  RouteMatch m = t->Match("GET", "/v1/echo:stream");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->grpc_method, "/fangxian.bench.v1.EchoService/StreamEcho");
  EXPECT_TRUE(m.route->method->server_streaming());
  absl::StatusOr<std::unique_ptr<google::protobuf::Message>> req =
      BuildRequestMessage(*m.route, m.values, "text=x&count=2&intervalMs=5", "");
  ASSERT_TRUE(req.ok()) << req.status();
  EXPECT_THAT((*req)->ShortDebugString(), HasSubstr("count: 2"));
  EXPECT_NE(t->Match("POST", "/v1/echo").route, nullptr) << "the unary Echo stays routed";
}

TEST(SseRegistryTest, LimitsOpenStreamsAndRefusesNewOnesWhileDraining) {
  auto shared = std::make_shared<StreamRegistry>(1);
  StreamRegistry& registry = *shared;
  auto a = std::make_shared<SseStream>(SseRequest{}, nullptr, shared);
  auto b = std::make_shared<SseStream>(SseRequest{}, nullptr, shared);
  EXPECT_TRUE(registry.Add(a).ok());
  absl::Status full = registry.Add(b);
  EXPECT_EQ(full.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(full.message()), HasSubstr("retry later"));
  registry.Remove(a.get());
  EXPECT_EQ(registry.open(), 0);
  registry.EndAll();
  EXPECT_EQ(registry.Add(b).code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace fangxian::gateway
