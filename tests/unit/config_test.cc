#include "common/config.h"

#include <gtest/gtest.h>

#include <map>

namespace fangxian::common {
namespace {

EnvConfig From(std::map<std::string, std::string> vars) {
  return EnvConfig(
      [vars](const std::string& name) -> std::optional<std::string> {
        auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
      },
      [vars] {
        std::vector<std::string> names;
        for (const auto& [name, value] : vars) names.push_back(name);
        return names;
      });
}

TEST(EnvConfigTest, ReadsValuesAndFallbacks) {
  EnvConfig env = From({{"A", "x"}, {"N", "42"}, {"B", "true"}, {"H", "127.0.0.1:0"}});
  EXPECT_EQ(env.String("A"), "x");
  EXPECT_EQ(env.String("MISSING", "d"), "d");
  EXPECT_EQ(env.Int("N", 1, 0, 100), 42);
  EXPECT_EQ(env.Int("MISSING", 7, 0, 100), 7);
  EXPECT_TRUE(env.Bool("B", false));
  EXPECT_EQ(env.HostPort("H"), "127.0.0.1:0");
  EXPECT_TRUE(env.errors().empty());
}

TEST(EnvConfigTest, NamesEveryBadOrMissingVariable) {
  EnvConfig env = From({{"N", "abc"},
                        {"R", "500"},
                        {"B", "maybe"},
                        {"H", "nohost"},
                        {"E", ""},
                        {"K", "dG9vIHNob3J0"}});
  env.String("REQUIRED");
  env.String("E");  // empty counts as missing
  env.Int("N", 1, 0, 100);
  env.Int("R", 1, 0, 100);
  env.Bool("B", false);
  env.HostPort("H");
  env.Key32("K");
  ASSERT_EQ(env.errors().size(), 7u);
  const std::vector<std::string> names = {"REQUIRED", "E", "N", "R", "B", "H", "K"};
  for (size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(env.errors()[i].rfind(names[i] + ": ", 0), 0u) << env.errors()[i];
  }
  // A secret's value is never echoed.
  EXPECT_EQ(env.errors()[6].find("dG9v"), std::string::npos);
}

TEST(EnvConfigTest, Key32DecodesBase64) {
  EnvConfig env = From({{"K", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="}});
  EXPECT_EQ(env.Key32("K"), "0123456789abcdef0123456789abcdef");
  EXPECT_TRUE(env.errors().empty());
}

TEST(EnvConfigTest, RefusesThePlaceholderOfAnExampleSecretsFile) {
  EnvConfig env = From({{"FX_PG_DSN", "host=db user=fx password=CHANGE-ME-db-password"},
                        {"FX_PII_ENC_KEY", "CHANGE-ME-32-random-bytes-base64"},
                        {"FX_REDIS_PASSWORD", "a-real-one"}});
  EXPECT_EQ(env.Secret("FX_PG_DSN"), "");
  EXPECT_EQ(env.Key32("FX_PII_ENC_KEY"), "");
  EXPECT_EQ(env.Secret("FX_REDIS_PASSWORD"), "a-real-one");
  ASSERT_EQ(env.errors().size(), 2u);
  EXPECT_NE(env.errors()[0].find("FX_PG_DSN: still holds the CHANGE-ME placeholder"),
            std::string::npos);
  EXPECT_NE(env.errors()[1].find("FX_PII_ENC_KEY: still holds"), std::string::npos);
  // The rest of the value (a real password beside a placeholder) is never echoed.
  EXPECT_EQ(env.errors()[0].find("host=db"), std::string::npos);
}

TEST(EnvConfigTest, ListsTheFxVariablesNothingRead) {
  EnvConfig env = From({{"FX_GRPC_ADDR", "0.0.0.0:1"},
                        {"FX_REDIS_ADR", "redis:6379"},
                        {"FX_PG_DSN", "x"},
                        {"HOME", "/"}});
  env.HostPort("FX_GRPC_ADDR");
  env.String("FX_PG_DSN");
  env.String("FX_NOT_SET", "fallback");
  EXPECT_EQ(env.UnreadVariables(), std::vector<std::string>{"FX_REDIS_ADR"});
}

TEST(EnvConfigDeathTest, ExitIfInvalidExitsWithStatus2) {
  EnvConfig env = From({});
  env.String("FX_SOMETHING");
  EXPECT_EXIT(env.ExitIfInvalid(), ::testing::ExitedWithCode(2), "FX_SOMETHING");
}

}  // namespace
}  // namespace fangxian::common
