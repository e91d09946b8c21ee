// The results of a load test as a human summary and as one JSON object (--json-out):
//   {"target","method","mode":"closed"|"open","concurrency","connections","rate",
//    "warmup_s","duration_s","requests","ok","errors","not_sent","throughput_rps",
//    "latency_ms":{"p50","p90","p99","p99_9","max","mean"},
//    "errors_by_code":{"UNAVAILABLE":n,...},
//    "client_cpu_s": the load generator's CPU seconds, warm-up included,
//    "rss_kib":{"after_warmup","peak","end"}}   (only with --rss-pid)
// Latency and throughput cover successful calls only; "requests" counts every call
// completed in the measurement window.
#ifndef FANGXIAN_BENCH_REPORT_H_
#define FANGXIAN_BENCH_REPORT_H_

#include <string>

#include "bench/load_driver.h"

namespace fangxian::bench {

std::string FormatSummary(const LoadOptions& options, const LoadResult& result);
std::string FormatJson(const LoadOptions& options, const LoadResult& result);

}  // namespace fangxian::bench

#endif  // FANGXIAN_BENCH_REPORT_H_
