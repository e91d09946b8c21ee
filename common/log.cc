#include "common/log.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/json.h"

namespace fangxian::common {
namespace {

std::atomic<int> g_min_severity{static_cast<int>(Severity::kInfo)};

absl::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kDebug:
      return "DEBUG";
    case Severity::kInfo:
      return "INFO";
    case Severity::kWarning:
      return "WARNING";
    case Severity::kError:
      return "ERROR";
  }
  return "INFO";
}

}  // namespace

void SetMinSeverity(Severity severity) {
  g_min_severity.store(static_cast<int>(severity), std::memory_order_relaxed);
}

bool ParseSeverity(absl::string_view name, Severity* out) {
  for (Severity s : {Severity::kDebug, Severity::kInfo, Severity::kWarning, Severity::kError}) {
    if (name == SeverityName(s)) {
      *out = s;
      return true;
    }
  }
  return false;
}

std::string FormatLogLine(Severity severity, absl::string_view message,
                          std::initializer_list<LogField> fields) {
  std::string line;
  line.reserve(160);
  line += "{\"time\":\"";
  line += absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone());
  line += "\",\"severity\":\"";
  line.append(SeverityName(severity).data(), SeverityName(severity).size());
  line += "\",\"message\":";
  AppendJsonString(line, message);
  for (const LogField& f : fields) {
    line.push_back(',');
    AppendJsonString(line, f.key);
    line.push_back(':');
    if (auto* s = std::get_if<absl::string_view>(&f.value)) {
      AppendJsonString(line, *s);
    } else if (auto* i = std::get_if<int64_t>(&f.value)) {
      line += std::to_string(*i);
    } else if (auto* d = std::get_if<double>(&f.value)) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.3f", *d);
      line += buf;
    } else {
      line += std::get<bool>(f.value) ? "true" : "false";
    }
  }
  line += "}\n";
  return line;
}

void Log(Severity severity, absl::string_view message, std::initializer_list<LogField> fields) {
  if (static_cast<int>(severity) < g_min_severity.load(std::memory_order_relaxed)) return;
  const std::string line = FormatLogLine(severity, message, fields);
  // One write per line keeps lines whole when several threads log at once.
  size_t off = 0;
  while (off < line.size()) {
    const ssize_t n = ::write(STDERR_FILENO, line.data() + off, line.size() - off);
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
}

}  // namespace fangxian::common
