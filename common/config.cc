#include "common/config.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/log.h"

namespace fangxian::common {

namespace {

constexpr absl::string_view kPlaceholder = "CHANGE-ME";

std::vector<std::string> ProcessVariableNames() {
  std::vector<std::string> names;
  for (char** e = environ; *e != nullptr; ++e) {
    const absl::string_view entry(*e);
    names.emplace_back(entry.substr(0, entry.find('=')));
  }
  return names;
}

}  // namespace

EnvConfig::EnvConfig()
    : EnvConfig(
          [](const std::string& name) -> std::optional<std::string> {
            const char* v = std::getenv(name.c_str());
            if (v == nullptr) return std::nullopt;
            return std::string(v);
          },
          ProcessVariableNames) {}

EnvConfig::EnvConfig(Lookup lookup, std::function<std::vector<std::string>()> names)
    : lookup_(std::move(lookup)), names_(std::move(names)) {}

std::optional<std::string> EnvConfig::Get(const std::string& name) {
  read_.insert(name);
  auto v = lookup_(name);
  if (v && v->empty()) return std::nullopt;
  return v;
}

std::vector<std::string> EnvConfig::UnreadVariables() const {
  std::vector<std::string> unread;
  if (!names_) return unread;
  for (const std::string& name : names_()) {
    if (absl::StartsWith(name, "FX_") && read_.count(name) == 0) unread.push_back(name);
  }
  std::sort(unread.begin(), unread.end());
  return unread;
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
  std::string value = String(name, std::move(fallback));
  // Also inside a DSN ("... password=CHANGE-ME...").
  if (absl::StrContains(value, kPlaceholder)) {
    AddError(name, "still holds the CHANGE-ME placeholder; set the real secret (docs/deploy.md)");
    return "";
  }
  return value;
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
  if (absl::StartsWith(*v, kPlaceholder)) {
    AddError(name, "still holds the CHANGE-ME placeholder; set the real key (docs/deploy.md)");
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
  if (errors_.empty()) {
    for (const std::string& name : UnreadVariables()) {
      LogWarning("unknown configuration variable ignored", {{"name", name}});
    }
    return;
  }
  for (const std::string& e : errors_) {
    LogError("invalid configuration", {{"problem", e}});
  }
  std::exit(2);
}

}  // namespace fangxian::common
