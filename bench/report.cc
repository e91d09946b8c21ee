#include "bench/report.h"

#include <grpcpp/support/status.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/json.h"
#include "common/status.h"

namespace fangxian::bench {
namespace {

double Ms(int64_t ns) { return ns / 1e6; }

absl::string_view Name(int code) { return common::CodeName(static_cast<grpc::StatusCode>(code)); }

}  // namespace

std::string FormatSummary(const LoadOptions& options, const LoadResult& r) {
  const LatencyHistogram& h = r.latency_ns;
  std::string out = absl::StrFormat(
      "%s %s\n  %s, %d connection(s), %.1f s warm-up, %.1f s measured\n", options.method,
      options.target,
      options.rate > 0 ? absl::StrFormat("open loop at %.0f req/s", options.rate)
                       : absl::StrFormat("closed loop, %d in flight", options.concurrency),
      options.connections, options.warmup_seconds, r.seconds);
  absl::StrAppendFormat(&out, "  requests %d, ok %d, errors %d", r.requests(), r.ok(), r.errors());
  if (options.rate > 0) absl::StrAppendFormat(&out, ", not sent %d", r.not_sent);
  absl::StrAppendFormat(&out, "\n  throughput %.1f req/s\n", r.throughput());
  absl::StrAppendFormat(&out,
                        "  latency ms: p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  "
                        "mean %.3f\n",
                        Ms(h.Percentile(0.5)), Ms(h.Percentile(0.9)), Ms(h.Percentile(0.99)),
                        Ms(h.Percentile(0.999)), Ms(h.max()), h.mean() / 1e6);
  for (int code = 1; code < kStatusCodeCount; ++code) {
    if (r.calls_by_code[code] == 0) continue;
    absl::StrAppendFormat(&out, "  %s: %d", Name(code), r.calls_by_code[code]);
    if (!r.first_message[code].empty()) {
      absl::StrAppend(&out, " (first: ", r.first_message[code], ")");
    }
    out += "\n";
  }
  if (r.client_cpu_seconds >= 0) {
    absl::StrAppendFormat(&out, "  load generator CPU: %.2f s, warm-up included\n",
                          r.client_cpu_seconds);
  }
  if (r.rss_end_kib >= 0) {
    absl::StrAppendFormat(&out, "  server RSS KiB: after warm-up %d, peak %d, end %d\n",
                          r.rss_after_warmup_kib, r.rss_peak_kib, r.rss_end_kib);
  }
  return out;
}

std::string FormatJson(const LoadOptions& options, const LoadResult& r) {
  const LatencyHistogram& h = r.latency_ns;
  std::string out = "{\"target\":";
  common::AppendJsonString(out, options.target);
  out += ",\"method\":";
  common::AppendJsonString(out, options.method);
  absl::StrAppendFormat(
      &out,
      ",\"mode\":\"%s\",\"concurrency\":%d,\"connections\":%d,\"rate\":%.3f,"
      "\"warmup_s\":%.3f,\"duration_s\":%.3f,\"requests\":%d,\"ok\":%d,\"errors\":%d,"
      "\"not_sent\":%d,\"throughput_rps\":%.3f,",
      options.rate > 0 ? "open" : "closed", options.concurrency, options.connections, options.rate,
      options.warmup_seconds, r.seconds, r.requests(), r.ok(), r.errors(), r.not_sent,
      r.throughput());
  absl::StrAppendFormat(&out,
                        "\"latency_ms\":{\"p50\":%.4f,\"p90\":%.4f,\"p99\":%.4f,"
                        "\"p99_9\":%.4f,\"max\":%.4f,\"mean\":%.4f},",
                        Ms(h.Percentile(0.5)), Ms(h.Percentile(0.9)), Ms(h.Percentile(0.99)),
                        Ms(h.Percentile(0.999)), Ms(h.max()), h.mean() / 1e6);
  out += "\"errors_by_code\":{";
  bool first = true;
  for (int code = 1; code < kStatusCodeCount; ++code) {
    if (r.calls_by_code[code] == 0) continue;
    if (!first) out += ",";
    first = false;
    common::AppendJsonString(out, Name(code));
    absl::StrAppend(&out, ":", r.calls_by_code[code]);
  }
  out += "}";
  if (r.refused_latency_ns.count() > 0) {
    const LatencyHistogram& f = r.refused_latency_ns;
    absl::StrAppendFormat(&out, ",\"refused_latency_ms\":{\"p50\":%.4f,\"p99\":%.4f,\"max\":%.4f}",
                          Ms(f.Percentile(0.5)), Ms(f.Percentile(0.99)), Ms(f.max()));
  }
  if (r.client_cpu_seconds >= 0) {
    absl::StrAppendFormat(&out, ",\"client_cpu_s\":%.3f", r.client_cpu_seconds);
  }
  if (r.rss_end_kib >= 0) {
    absl::StrAppendFormat(&out, ",\"rss_kib\":{\"after_warmup\":%d,\"peak\":%d,\"end\":%d}",
                          r.rss_after_warmup_kib, r.rss_peak_kib, r.rss_end_kib);
  }
  out += "}\n";
  return out;
}

}  // namespace fangxian::bench
