// fx_loadgen: asynchronous gRPC load generator for any unary method of a Fangxian proto.
//
//   fx_loadgen --target 127.0.0.1:PORT --method /fangxian.bench.v1.EchoService/Echo
//       --request-json '{"payload":"aGVsbG8="}' [--metadata authorization='Bearer ...']...
//       [--metadata-from-env authorization=ENV_VAR]...
//       [--concurrency 32] [--connections 1] [--threads N] [--duration 10] [--warmup 2]
//       [--rate R [--max-outstanding 1000]] [--timeout-ms 10000]
//       [--sequence [--id-start K] [--random-index SPAN]] [--json-out FILE] [--once]
//
// --rate switches from a closed loop (--concurrency calls in flight) to an open loop at R
// calls per second. --metadata-from-env takes the value from an environment variable, so
// a token stays out of process listings. --sequence fills in the request JSON per request:
// {{N}} becomes a sequence number (from --id-start) and {{ID}} a fresh valid ID number
// derived from it (--unique-id-number is its older name); with --random-index SPAN the
// number is drawn at random from [K, K + SPAN) per request instead of counting up (a
// lookup of any resident fx_seed made). --once makes a single call and
// prints the response as JSON (to pick up ids for later scenarios).
//
// HTTP mode (the gateway): --http "POST /v1/passes/resolve" [--body JSON] instead of
// --method and --request-json; --metadata and --metadata-from-env become headers. Closed
// loop: one keep-alive connection per call in flight (--concurrency); open loop (--rate):
// --connections connections. --requests N (closed loop) measures N answers instead of
// --duration seconds. --rss-pid PID (either mode) reports that process's resident memory
// after the warm-up, at its peak and at the end.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "bench/http_driver.h"
#include "bench/load_driver.h"
#include "bench/process_memory.h"
#include "bench/report.h"
#include "bench/request_source.h"

namespace {

using fangxian::bench::LoadOptions;

int Usage(absl::string_view problem) {
  std::fprintf(stderr,
               "fx_loadgen: %s\n"
               "usage: fx_loadgen --target HOST:PORT --method /pkg.Service/Method "
               "--request-json JSON\n"
               "  [--metadata KEY=VALUE]... [--metadata-from-env KEY=ENV_VAR]...\n"
               "  [--concurrency N] [--connections C] "
               "[--threads T]\n"
               "  [--duration S] [--warmup S] [--rate R] [--max-outstanding N] "
               "[--timeout-ms MS]\n"
               "  [--sequence] [--id-start K] [--random-index SPAN] [--json-out FILE] [--once]\n"
               "  [--rss-pid PID]\n"
               "   or: fx_loadgen --target HOST:PORT --http 'METHOD /path' [--body JSON]\n"
               "  [--metadata KEY=VALUE]... [--requests N] ... (the same load flags)\n",
               std::string(problem).c_str());
  return 2;
}

struct Flags {
  LoadOptions load;
  std::string request_json;
  bool sequence = false;
  bool once = false;
  uint64_t id_start = 0;
  bool id_start_set = false;
  uint64_t random_index = 0;  // 0: count up from id_start
  std::string json_out;
  std::string http;  // "METHOD /path": HTTP mode
  std::string body;
  int rss_pid = 0;
};

// Returns an empty string on success, else the problem.
std::string Parse(int argc, char** argv, Flags& f) {
  // Flag name -> whether it takes a value.
  static const std::map<std::string, bool> kTakesValue = {{"--target", true},
                                                          {"--method", true},
                                                          {"--request-json", true},
                                                          {"--metadata", true},
                                                          {"--metadata-from-env", true},
                                                          {"--concurrency", true},
                                                          {"--connections", true},
                                                          {"--threads", true},
                                                          {"--duration", true},
                                                          {"--warmup", true},
                                                          {"--rate", true},
                                                          {"--max-outstanding", true},
                                                          {"--timeout-ms", true},
                                                          {"--id-start", true},
                                                          {"--random-index", true},
                                                          {"--json-out", true},
                                                          {"--http", true},
                                                          {"--body", true},
                                                          {"--requests", true},
                                                          {"--rss-pid", true},
                                                          {"--sequence", false},
                                                          {"--unique-id-number", false},
                                                          {"--once", false}};
  for (int i = 1; i < argc; ++i) {
    std::string name = argv[i];
    std::string value;
    bool has_value = false;
    if (const size_t eq = name.find('='); name.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    auto it = kTakesValue.find(name);
    if (it == kTakesValue.end()) return absl::StrCat("unknown argument ", name);
    if (it->second && !has_value) {
      if (i + 1 >= argc) return absl::StrCat(name, " needs a value");
      value = argv[++i];
    }
    const absl::string_view v = value;
    bool ok = true;
    if (name == "--target")
      f.load.target = value;
    else if (name == "--method")
      f.load.method = value;
    else if (name == "--request-json")
      f.request_json = value;
    else if (name == "--json-out")
      f.json_out = value;
    else if (name == "--http")
      f.http = value;
    else if (name == "--body")
      f.body = value;
    else if (name == "--requests")
      ok = absl::SimpleAtoi(v, &f.load.max_requests) && f.load.max_requests > 0;
    else if (name == "--rss-pid")
      ok = absl::SimpleAtoi(v, &f.rss_pid) && f.rss_pid > 0;
    else if (name == "--sequence" || name == "--unique-id-number")
      f.sequence = true;
    else if (name == "--once")
      f.once = true;
    else if (name == "--concurrency")
      ok = absl::SimpleAtoi(v, &f.load.concurrency) && f.load.concurrency > 0;
    else if (name == "--connections")
      ok = absl::SimpleAtoi(v, &f.load.connections) && f.load.connections > 0;
    else if (name == "--threads")
      ok = absl::SimpleAtoi(v, &f.load.threads) && f.load.threads > 0;
    else if (name == "--duration")
      ok = absl::SimpleAtod(v, &f.load.duration_seconds) && f.load.duration_seconds > 0;
    else if (name == "--warmup")
      ok = absl::SimpleAtod(v, &f.load.warmup_seconds) && f.load.warmup_seconds >= 0;
    else if (name == "--rate")
      ok = absl::SimpleAtod(v, &f.load.rate) && f.load.rate > 0;
    else if (name == "--max-outstanding")
      ok = absl::SimpleAtoi(v, &f.load.max_outstanding) && f.load.max_outstanding > 0;
    else if (name == "--timeout-ms")
      ok = absl::SimpleAtoi(v, &f.load.timeout_ms) && f.load.timeout_ms > 0;
    else if (name == "--id-start")
      ok = f.id_start_set = absl::SimpleAtoi(v, &f.id_start);
    else if (name == "--random-index")
      ok = absl::SimpleAtoi(v, &f.random_index) && f.random_index > 0;
    else if (name == "--metadata") {
      const size_t eq = value.find('=');
      if (eq == std::string::npos || eq == 0) return "--metadata must be KEY=VALUE";
      // gRPC rejects upper-case keys; accept "Authorization=..." as typed.
      f.load.metadata.emplace_back(absl::AsciiStrToLower(value.substr(0, eq)),
                                   value.substr(eq + 1));
    } else if (name == "--metadata-from-env") {
      const size_t eq = value.find('=');
      if (eq == std::string::npos || eq == 0) return "--metadata-from-env must be KEY=ENV_VAR";
      const char* env_value = std::getenv(value.c_str() + eq + 1);
      if (env_value == nullptr) return absl::StrCat(value.substr(eq + 1), " is not set");
      f.load.metadata.emplace_back(absl::AsciiStrToLower(value.substr(0, eq)), env_value);
    }
    if (!ok) return absl::StrCat("bad value for ", name, ": \"", value, "\"");
  }
  if (f.load.target.empty()) return "--target is required";
  if (!f.http.empty()) {
    const size_t space = f.http.find(' ');
    if (space == std::string::npos || space == 0 || f.http[space + 1] != '/') {
      return "--http must be \"METHOD /path\"";
    }
    if (!f.load.method.empty() || !f.request_json.empty() || f.sequence) {
      return "--http replaces --method, --request-json and --sequence (use --body)";
    }
    if (f.load.max_requests > 0 && f.load.rate > 0) return "--requests needs a closed loop";
    return "";
  }
  if (!f.body.empty() || f.load.max_requests > 0) return "--body and --requests need --http";
  if (f.load.method.empty()) return "--method is required";
  if (f.request_json.empty()) return "--request-json is required";
  return "";
}

// Prints the result and writes --json-out; the exit code.
int Report(const Flags& flags, const fangxian::bench::LoadResult& result) {
  std::fputs(fangxian::bench::FormatSummary(flags.load, result).c_str(), stdout);
  if (!flags.json_out.empty()) {
    std::ofstream out(flags.json_out);
    out << fangxian::bench::FormatJson(flags.load, result);
    if (!out.flush()) {
      std::fprintf(stderr, "fx_loadgen: cannot write %s\n", flags.json_out.c_str());
      return 1;
    }
  }
  return 0;
}

// Runs `load` (returning absl::StatusOr<LoadResult>), watching --rss-pid meanwhile.
template <typename Load>
int RunAndReport(const Flags& flags, Load load) {
  std::unique_ptr<fangxian::bench::RssWatcher> watcher;
  if (flags.rss_pid > 0) {
    watcher = std::make_unique<fangxian::bench::RssWatcher>(
        flags.rss_pid, std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                           std::chrono::duration<double>(flags.load.warmup_seconds)));
  }
  absl::StatusOr<fangxian::bench::LoadResult> result = load();
  if (!result.ok()) {
    std::fprintf(stderr, "fx_loadgen: %s\n", result.status().ToString().c_str());
    return 1;
  }
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) == 0) {
    auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
    result->client_cpu_seconds = seconds(usage.ru_utime) + seconds(usage.ru_stime);
  }
  if (watcher != nullptr) {
    const auto rss = watcher->Stop();
    result->rss_after_warmup_kib = rss.after_warmup_kib;
    result->rss_peak_kib = rss.peak_kib;
    result->rss_end_kib = rss.end_kib;
  }
  return Report(flags, *result);
}

int RunHttp(Flags& flags) {
  const size_t space = flags.http.find(' ');
  const fangxian::bench::HttpRequestSpec spec{flags.http.substr(0, space),
                                              flags.http.substr(space + 1), flags.body};
  flags.load.method = flags.http;  // what the summary names
  // A closed loop over HTTP/1.1 has one connection per call in flight.
  if (flags.load.rate <= 0) flags.load.connections = flags.load.concurrency;
  if (flags.once) {
    auto body = fangxian::bench::HttpCallOnce(flags.load, spec);
    if (!body.ok()) {
      std::fprintf(stderr, "fx_loadgen: %s\n", body.status().ToString().c_str());
      return 1;
    }
    std::printf("%s\n", body->c_str());
    return 0;
  }
  return RunAndReport(flags, [&] { return fangxian::bench::RunHttpLoad(flags.load, spec); });
}

}  // namespace

int main(int argc, char** argv) {
  // It shares the cores with the servers measured: no lock-order checks on every
  // absl::Mutex of gRPC (on by default in Debian's abseil), as in the servers.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  Flags flags;
  if (const std::string problem = Parse(argc, argv, flags); !problem.empty()) {
    return Usage(problem);
  }
  if (!flags.http.empty()) return RunHttp(flags);
  auto method = fangxian::bench::FindMethod(flags.load.method);
  if (!method.ok()) return Usage(method.status().message());
  if (!flags.id_start_set && flags.random_index == 0) {
    // A stretch of sequence numbers no earlier run used (the clock in microseconds, not
    // wrapped), so runs against one database record new request ids rather than replay
    // an earlier run's: a replay is a different, costlier path. ({{ID}} numbers wrap at
    // the generator's capacity; pass --id-start for a reproducible sequence.)
    flags.id_start = static_cast<uint64_t>(absl::ToUnixMicros(absl::Now()));
  }
  if (flags.random_index > 0 &&
      flags.id_start + flags.random_index > fangxian::bench::IdNumberGenerator::kCapacity) {
    return Usage("--id-start + --random-index is beyond the ID numbers this generator makes");
  }
  auto source = fangxian::bench::RequestSource::Create(*method, flags.request_json, flags.sequence,
                                                       flags.id_start, flags.random_index);
  if (!source.ok()) return Usage(source.status().message());

  if (flags.once) {
    auto response = fangxian::bench::CallOnce(flags.load, **source);
    if (!response.ok()) {
      std::fprintf(stderr, "fx_loadgen: %s\n", response.status().ToString().c_str());
      return 1;
    }
    auto json = (*source)->ResponseToJson(*response);
    if (!json.ok()) {
      std::fprintf(stderr, "fx_loadgen: %s\n", json.status().ToString().c_str());
      return 1;
    }
    std::printf("%s\n", json->c_str());
    return 0;
  }
  return RunAndReport(flags, [&] { return fangxian::bench::RunLoad(flags.load, **source); });
}
