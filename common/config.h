// Configuration from environment variables, read in one place (main.cc) and validated at
// start. Every accessor records a problem instead of failing at once, so one start
// names every bad variable; ExitIfInvalid() then stops the process.
//
// Secrets still holding the deployment placeholder (a value starting with "CHANGE-ME",
// k8s/overlays/*/secrets.env.example) are refused, so a copied example never runs.
#ifndef FANGXIAN_COMMON_CONFIG_H_
#define FANGXIAN_COMMON_CONFIG_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace fangxian::common {

class EnvConfig {
 public:
  using Lookup = std::function<std::optional<std::string>(const std::string&)>;

  // Reads the process environment.
  EnvConfig();
  // Reads from `lookup` (tests); `names` lists what is set, for UnreadVariables().
  explicit EnvConfig(Lookup lookup, std::function<std::vector<std::string>()> names = {});

  // A required string when `fallback` is empty; empty values count as missing.
  std::string String(const std::string& name, std::optional<std::string> fallback = {});
  // Like String, for values that must never be echoed (keys, passwords): the error
  // message names the variable but never shows its value.
  std::string Secret(const std::string& name, std::optional<std::string> fallback = {});
  int64_t Int(const std::string& name, int64_t fallback, int64_t min, int64_t max);
  bool Bool(const std::string& name, bool fallback);
  // "host:port" with a port in 0..65535 (0 = pick a free port).
  std::string HostPort(const std::string& name, std::optional<std::string> fallback = {});
  // 32 bytes, base64-encoded (standard or URL alphabet). Returns the raw bytes.
  std::string Key32(const std::string& name);

  // Adds a problem found by a caller's own validation.
  void AddError(const std::string& name, const std::string& problem);

  const std::vector<std::string>& errors() const { return errors_; }
  // The FX_ variables of the process environment that nothing has read: a misspelt or
  // retired setting, which would otherwise be silently ignored.
  std::vector<std::string> UnreadVariables() const;
  // Logs each problem and exits with status 2 when there is any; otherwise warns about
  // every unread FX_ variable.
  void ExitIfInvalid() const;

 private:
  std::optional<std::string> Get(const std::string& name);
  Lookup lookup_;
  std::function<std::vector<std::string>()> names_;  // every name set (process env only)
  std::set<std::string> read_;
  std::vector<std::string> errors_;
};

}  // namespace fangxian::common

#endif  // FANGXIAN_COMMON_CONFIG_H_
