// Drives one HTTP/1.1 request (the same method, path, headers and body every time)
// against a server over keep-alive connections, with Boost.Beast: a few worker threads,
// each running its own io_context with its share of the connections. HTTP/1.1 has one
// request in flight per connection, so:
//
// Closed loop (rate == 0): `concurrency` connections, each sending its next request as
// soon as the previous answer is read. Answers completing inside the measurement window
// are counted; latency is from the actual send.
// Open loop (rate > 0): `connections` connections; sends follow the constant-rate
// schedule of schedule.h and wait for a free connection when all are busy, their latency
// still counted from the intended time (no coordinated omission). Sends beyond
// `max_outstanding` waiting or in flight are skipped (not_sent).
//
// Results use the gRPC driver's LoadResult: a 2xx answer is OK, any other status is
// counted under the gRPC code the gateway's table maps to it (400 INVALID_ARGUMENT, 429
// RESOURCE_EXHAUSTED, 503 UNAVAILABLE, ...), a broken connection as UNAVAILABLE and a
// timeout as DEADLINE_EXCEEDED. A connection the server closes is reopened.
#ifndef FANGXIAN_BENCH_HTTP_DRIVER_H_
#define FANGXIAN_BENCH_HTTP_DRIVER_H_

#include <string>

#include "absl/status/statusor.h"
#include "bench/load_driver.h"

namespace fangxian::bench {

struct HttpRequestSpec {
  std::string method;  // GET, POST, ...
  std::string target;  // path and query, e.g. /v1/passes/resolve
  std::string body;    // sent with Content-Type: application/json when not empty
};

// options.target is host:port (IPv4 or a name); options.metadata are sent as headers.
// Fails with UNAVAILABLE when a connection cannot be opened within
// connect_timeout_seconds.
absl::StatusOr<LoadResult> RunHttpLoad(const LoadOptions& options, const HttpRequestSpec& spec);

// One request; returns the body of a 2xx answer, else an error carrying the status and
// the body.
absl::StatusOr<std::string> HttpCallOnce(const LoadOptions& options, const HttpRequestSpec& spec);

// The gRPC code the gateway's table maps to an HTTP status (the reverse of that table;
// 2xx is OK, an unlisted status UNKNOWN).
int GrpcCodeForHttpStatus(int http_status);

}  // namespace fangxian::bench

#endif  // FANGXIAN_BENCH_HTTP_DRIVER_H_
