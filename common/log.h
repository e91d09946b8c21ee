// Structured logging: one JSON object per line on stderr.
//   {"time":"2026-11-29T04:52:19.123Z","severity":"INFO","message":"...", ...fields}
// Never pass an unmasked ID number, a token or a password as a field.
#ifndef FANGXIAN_COMMON_LOG_H_
#define FANGXIAN_COMMON_LOG_H_

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>

#include "absl/strings/string_view.h"

namespace fangxian::common {

enum class Severity { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

struct LogField {
  LogField(absl::string_view k, absl::string_view v) : key(k), value(v) {}
  LogField(absl::string_view k, const std::string& v) : key(k), value(absl::string_view(v)) {}
  LogField(absl::string_view k, const char* v) : key(k), value(absl::string_view(v)) {}
  LogField(absl::string_view k, int64_t v) : key(k), value(v) {}
  LogField(absl::string_view k, int v) : key(k), value(static_cast<int64_t>(v)) {}
  LogField(absl::string_view k, double v) : key(k), value(v) {}
  LogField(absl::string_view k, bool v) : key(k), value(v) {}

  absl::string_view key;
  std::variant<absl::string_view, int64_t, double, bool> value;
};

// Lines below this severity are dropped. Set once at start-up (FX_LOG_LEVEL).
void SetMinSeverity(Severity severity);
bool ParseSeverity(absl::string_view name, Severity* out);

// Renders one line without writing it (exposed for tests).
std::string FormatLogLine(Severity severity, absl::string_view message,
                          std::initializer_list<LogField> fields);

void Log(Severity severity, absl::string_view message, std::initializer_list<LogField> fields = {});

inline void LogInfo(absl::string_view m, std::initializer_list<LogField> f = {}) {
  Log(Severity::kInfo, m, f);
}
inline void LogWarning(absl::string_view m, std::initializer_list<LogField> f = {}) {
  Log(Severity::kWarning, m, f);
}
inline void LogError(absl::string_view m, std::initializer_list<LogField> f = {}) {
  Log(Severity::kError, m, f);
}

}  // namespace fangxian::common

#endif  // FANGXIAN_COMMON_LOG_H_
