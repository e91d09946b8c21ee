// The gateway's CORS policy: which origin lists are accepted, and which headers an
// answer gets for a listed, an unlisted and no origin.
#include "gateway/cors.h"

#include <gtest/gtest.h>

#include <string>

namespace fangxian::gateway {
namespace {

namespace http = boost::beast::http;

std::string Header(const http::fields& f, http::field name) {
  auto it = f.find(name);
  return it == f.end() ? "" : std::string(it->value());
}

TEST(CorsParse, EmptyListTurnsCorsOff) {
  absl::StatusOr<Cors> cors = Cors::Parse("");
  ASSERT_TRUE(cors.ok());
  EXPECT_FALSE(cors->enabled());
  http::fields f;
  cors->Decorate("https://a.example", &f);
  EXPECT_EQ(f.begin(), f.end());
}

TEST(CorsParse, AcceptsExactOriginsSeparatedByCommas) {
  absl::StatusOr<Cors> cors = Cors::Parse(" https://app.example.gov.cn , http://localhost:3000");
  ASSERT_TRUE(cors.ok()) << cors.status();
  EXPECT_TRUE(cors->Allows("https://app.example.gov.cn"));
  EXPECT_TRUE(cors->Allows("http://localhost:3000"));
  EXPECT_FALSE(cors->Allows("http://localhost:3001"));
  EXPECT_FALSE(cors->Allows("https://app.example.gov.cn.evil.example"));
}

TEST(CorsParse, RefusesWhatIsNotAnOrigin) {
  for (const char* bad : {"*", "app.example", "https://app.example/", "ftp://app.example",
                          "https://App.example", "https://user@app.example", "https://"}) {
    absl::StatusOr<Cors> cors = Cors::Parse(bad);
    EXPECT_FALSE(cors.ok()) << bad;
  }
}

TEST(Cors, ListedOriginGetsAllowOriginExposeAndVary) {
  const Cors cors({"https://a.example"});
  http::fields f;
  cors.Decorate("https://a.example", &f);
  EXPECT_EQ(Header(f, http::field::access_control_allow_origin), "https://a.example");
  EXPECT_EQ(Header(f, http::field::access_control_expose_headers), "X-Request-Id, Retry-After");
  EXPECT_EQ(Header(f, http::field::vary), "Origin");
}

TEST(Cors, UnlistedOriginGetsOnlyVary) {
  const Cors cors({"https://a.example"});
  http::fields f;
  cors.DecoratePreflight("https://b.example", {"GET"}, &f);
  EXPECT_EQ(Header(f, http::field::vary), "Origin");
  EXPECT_EQ(Header(f, http::field::access_control_allow_origin), "");
  EXPECT_EQ(Header(f, http::field::access_control_allow_methods), "");
}

TEST(Cors, PreflightNamesMethodsHeadersAndMaxAge) {
  const Cors cors({"https://a.example"});
  http::fields f;
  cors.DecoratePreflight("https://a.example", {"GET", "PATCH"}, &f);
  EXPECT_EQ(Header(f, http::field::access_control_allow_methods), "GET, PATCH");
  EXPECT_EQ(Header(f, http::field::access_control_allow_headers),
            "Authorization, Content-Type, X-Request-Id, X-Timeout-Ms, Last-Event-ID");
  EXPECT_EQ(Header(f, http::field::access_control_max_age), "600");
}

}  // namespace
}  // namespace fangxian::gateway
