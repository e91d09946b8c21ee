// Drives unary calls against one target through grpc::GenericStub and the asynchronous
// CompletionQueue API: a few worker threads, each with its own queue, histogram and
// counters (merged at the end), keep many calls in flight without a thread per call.
//
// Closed loop (rate == 0): each worker keeps its share of `concurrency` calls in flight
// and starts the next call as soon as one completes. Calls completing inside the
// measurement window are counted; latency is from the actual start.
// Open loop (rate > 0): sends follow a constant-rate schedule (see schedule.h) and
// latency is measured from each send's intended time. Sends intended inside the
// measurement window are counted.
#ifndef FANGXIAN_BENCH_LOAD_DRIVER_H_
#define FANGXIAN_BENCH_LOAD_DRIVER_H_

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "bench/histogram.h"
#include "bench/request_source.h"
#include "bench/schedule.h"

namespace fangxian::bench {

struct LoadOptions {
  std::string target;  // host:port
  std::string method;  // /package.Service/Method
  std::vector<std::pair<std::string, std::string>> metadata;
  int concurrency = 32;  // closed loop: calls in flight
  int connections = 1;   // channels, each with its own TCP connection
  int threads = 0;       // worker threads; 0: one per core, at most 4
  double duration_seconds = 10;
  double warmup_seconds = 0;   // load before the measurement window, not counted
  double rate = 0;             // > 0: open loop at this many calls per second
  int max_outstanding = 1000;  // open loop: sends beyond this many in flight are skipped
  int timeout_ms = 10000;      // deadline of each call
  // Closed loop over HTTP (RunHttpLoad): > 0 ends the measurement after this many answers
  // instead of after duration_seconds.
  uint64_t max_requests = 0;
  double connect_timeout_seconds = 5;
};

inline constexpr int kStatusCodeCount = 17;  // OK .. UNAUTHENTICATED

struct LoadResult {
  LatencyHistogram latency_ns;  // successful calls only
  // Calls refused RESOURCE_EXHAUSTED (shed by an overloaded server): how fast the refusal
  // came back, from the intended send time as for successes.
  LatencyHistogram refused_latency_ns;
  std::array<uint64_t, kStatusCodeCount> calls_by_code{};
  std::array<std::string, kStatusCodeCount> first_message;  // first error text per code
  uint64_t not_sent = 0;  // open loop: sends skipped because max_outstanding was reached
  double seconds = 0;     // length of the measurement window
  // Resident memory of a watched server (fx_loadgen --rss-pid), KiB; -1: not watched.
  int64_t rss_after_warmup_kib = -1;
  int64_t rss_peak_kib = -1;
  int64_t rss_end_kib = -1;
  // The load generator's own CPU (user + system) over the whole run, warm-up included, in
  // seconds: on a machine it shares with the servers, the part of the cores it took.
  double client_cpu_seconds = -1;

  uint64_t requests() const;
  uint64_t ok() const { return calls_by_code[0]; }
  uint64_t errors() const { return requests() - ok(); }
  // Successful calls per second of the measurement window.
  double throughput() const { return seconds > 0 ? ok() / seconds : 0; }
  void Merge(const LoadResult& other);
};

// Shared by the gRPC and HTTP drivers.
// Nanoseconds on the steady clock, the time base of schedules and latencies.
int64_t NowNs();
int64_t SecondsToNs(double seconds);
// Worker threads for `options` (its threads, or one per core, at most 4), never more
// than `max_useful` (calls or connections to share out).
int WorkerThreads(const LoadOptions& options, int max_useful);
// Worker `worker` of `workers`' share of an open loop started at `start_ns`: its slots of
// the constant-rate schedule and of max_outstanding.
OpenLoopPacer WorkerPacer(const LoadOptions& options, int64_t start_ns, int64_t end_ns, int worker,
                          int workers);

// Connects (failing with UNAVAILABLE if the target cannot be reached within
// connect_timeout_seconds), runs warm-up and measurement, waits for calls still in flight.
absl::StatusOr<LoadResult> RunLoad(const LoadOptions& options, RequestSource& source);

// One call with options.metadata and timeout_ms; returns the serialized response or the
// call's status.
absl::StatusOr<std::string> CallOnce(const LoadOptions& options, RequestSource& source);

}  // namespace fangxian::bench

#endif  // FANGXIAN_BENCH_LOAD_DRIVER_H_
