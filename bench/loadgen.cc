// fx_loadgen: asynchronous gRPC load generator for any unary method of a Fangxian proto.
//
//   fx_loadgen --target 127.0.0.1:PORT --method /fangxian.bench.v1.EchoService/Echo
//       --request-json '{"payload":"aGVsbG8="}' [--metadata authorization='Bearer ...']...
//       [--metadata-from-env authorization=ENV_VAR]...
//       [--concurrency 32] [--connections 1] [--threads N] [--duration 10] [--warmup 2]
//       [--rate R [--max-outstanding 1000]] [--timeout-ms 10000]
//       [--sequence [--id-start K]] [--json-out FILE] [--once]
//
// --rate switches from a closed loop (--concurrency calls in flight) to an open loop at R
// calls per second. --metadata-from-env takes the value from an environment variable, so
// a token stays out of process listings. --sequence fills in the request JSON per request:
// {{N}} becomes a sequence number (from --id-start) and {{ID}} a fresh valid ID number
// derived from it (--unique-id-number is its older name). --once makes a single call and
// prints the response as JSON (to pick up ids for later scenarios).
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "bench/load_driver.h"
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
               "  [--sequence] [--id-start K] [--json-out FILE] [--once]\n",
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
  std::string json_out;
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
                                                          {"--json-out", true},
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
  if (f.load.method.empty()) return "--method is required";
  if (f.request_json.empty()) return "--request-json is required";
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  if (const std::string problem = Parse(argc, argv, flags); !problem.empty()) {
    return Usage(problem);
  }
  auto method = fangxian::bench::FindMethod(flags.load.method);
  if (!method.ok()) return Usage(method.status().message());
  if (!flags.id_start_set) {
    // A different stretch of ID numbers per run, so repeated runs against one database
    // rarely collide; pass --id-start for a reproducible sequence.
    flags.id_start = static_cast<uint64_t>(absl::ToUnixMicros(absl::Now())) %
                     fangxian::bench::IdNumberGenerator::kCapacity;
  }
  auto source = fangxian::bench::RequestSource::Create(*method, flags.request_json, flags.sequence,
                                                       flags.id_start);
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

  auto result = fangxian::bench::RunLoad(flags.load, **source);
  if (!result.ok()) {
    std::fprintf(stderr, "fx_loadgen: %s\n", result.status().ToString().c_str());
    return 1;
  }
  std::fputs(fangxian::bench::FormatSummary(flags.load, *result).c_str(), stdout);
  if (!flags.json_out.empty()) {
    std::ofstream out(flags.json_out);
    out << fangxian::bench::FormatJson(flags.load, *result);
    if (!out.flush()) {
      std::fprintf(stderr, "fx_loadgen: cannot write %s\n", flags.json_out.c_str());
      return 1;
    }
  }
  return 0;
}
