#include "common/config.h"

#include <cstdlib>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/log.h"

namespace fangxian::common {

EnvConfig::EnvConfig()
    : EnvConfig([](const std::string& name) -> std::optional<std::string> {
        const char* v = std::getenv(name.c_str());
        if (v == nullptr) return std::nullopt;
        return std::string(v);
      }) {}

EnvConfig::EnvConfig(Lookup lookup) : lookup_(std::move(lookup)) {}

std::optional<std::string> EnvConfig::Get(const std::string& name) const {
  auto v = lookup_(name);
  if (v && v->empty()) return std::nullopt;
  return v;
}

void EnvConfig::AddError(const std::string& name, const std::string& problem) {
  errors_.push_back(absl::StrCat(name, ": ", problem));
}

std::string EnvConfig::String(const std::string& name, std::optional<std::string> fallback) {
  if (auto v = Get(name)) return *v;
  if (fallback) return *fallback;
  AddError(name, "required but not set");
  return "";
}

std::string EnvConfig::Secret(const std::string& name, std::optional<std::string> fallback) {
  return String(name, std::move(fallback));
}

int64_t EnvConfig::Int(const std::string& name, int64_t fallback, int64_t min, int64_t max) {
  auto v = Get(name);
  if (!v) return fallback;
  int64_t out = 0;
  if (!absl::SimpleAtoi(*v, &out) || out < min || out > max) {
    AddError(name,
             absl::StrCat("must be a whole number from ", min, " to ", max, ", got \"", *v, "\""));
    return fallback;
  }
  return out;
}

bool EnvConfig::Bool(const std::string& name, bool fallback) {
  auto v = Get(name);
  if (!v) return fallback;
  if (*v == "1" || *v == "true" || *v == "yes" || *v == "on") return true;
  if (*v == "0" || *v == "false" || *v == "no" || *v == "off") return false;
  AddError(name, absl::StrCat("must be true or false, got \"", *v, "\""));
  return fallback;
}

std::string EnvConfig::HostPort(const std::string& name, std::optional<std::string> fallback) {
  auto v = Get(name);
  if (!v) {
    if (fallback) return *fallback;
    AddError(name, "required but not set (host:port)");
    return "";
  }
  const size_t colon = v->rfind(':');
  int port = -1;
  if (colon == std::string::npos || colon == 0 || !absl::SimpleAtoi(v->substr(colon + 1), &port) ||
      port < 0 || port > 65535) {
    AddError(name, absl::StrCat("must be host:port with a port from 0 to 65535, got \"", *v, "\""));
    return fallback.value_or("");
  }
  return *v;
}

std::string EnvConfig::Key32(const std::string& name) {
  auto v = Get(name);
  if (!v) {
    AddError(name, "required but not set (32 random bytes, base64)");
    return "";
  }
  std::string raw;
  if ((!absl::Base64Unescape(*v, &raw) && !absl::WebSafeBase64Unescape(*v, &raw)) ||
      raw.size() != 32) {
    // The value is a secret: say what is wrong, never echo it.
    AddError(name, "must be exactly 32 bytes encoded as base64");
    return "";
  }
  return raw;
}

void EnvConfig::ExitIfInvalid() const {
  if (errors_.empty()) return;
  for (const std::string& e : errors_) {
    LogError("invalid configuration", {{"problem", e}});
  }
  std::exit(2);
}

}  // namespace fangxian::common
