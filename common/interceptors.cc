#include "common/interceptors.h"

#include <sodium.h>

#include <chrono>
#include <cstdint>
#include <iterator>
#include <random>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "common/log.h"
#include "common/rpc.h"
#include "common/status.h"

namespace fangxian::common {
namespace {

using grpc::experimental::InterceptionHookPoints;

class ObservabilityInterceptor : public grpc::experimental::Interceptor {
 public:
  ObservabilityInterceptor(grpc::experimental::ServerRpcInfo* info, Metrics* metrics)
      : method_(info->method()), metrics_(metrics), start_(std::chrono::steady_clock::now()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      auto* md = methods->GetRecvInitialMetadata();
      auto it = md->find(kRequestIdKey);
      if (it != md->end() && IsValidRequestId({it->second.data(), it->second.size()})) {
        request_id_.assign(it->second.data(), it->second.size());
      } else {
        // Untrusted or missing: replace it. The strings live in this interceptor, which
        // lives as long as the call, so the string_refs stay valid.
        if (it != md->end()) md->erase(it);
        request_id_ = NewRequestId();
        md->emplace(grpc::string_ref(kRequestIdKey), grpc::string_ref(request_id_));
      }
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->emplace(kRequestIdKey, request_id_);
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      const grpc::Status status = methods->GetSendStatus();
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
      const absl::string_view code = CodeName(status.error_code());
      metrics_->Record(method_, code, seconds);
      const Severity severity = status.error_code() == grpc::StatusCode::INTERNAL ||
                                        status.error_code() == grpc::StatusCode::UNKNOWN ||
                                        status.error_code() == grpc::StatusCode::DATA_LOSS
                                    ? Severity::kError
                                    : Severity::kInfo;
      Log(severity, "rpc",
          {{"method", method_},
           {"code", code},
           {"latency_ms", seconds * 1000.0},
           {"request_id", request_id_}});
    }
    methods->Proceed();
  }

 private:
  const std::string method_;
  Metrics* metrics_;
  const std::chrono::steady_clock::time_point start_;
  std::string request_id_;
};

}  // namespace

std::string NewRequestId() {
  // A correlation id needs to be unique, not secret: a per-thread generator seeded once
  // from the system's randomness, instead of a getrandom() system call per id.
  thread_local std::mt19937_64 generator([] {
    static const bool sodium_ready = sodium_init() >= 0;  // thread-safe once
    (void)sodium_ready;
    std::seed_seq::result_type seed[8];
    randombytes_buf(seed, sizeof seed);
    std::seed_seq sequence(std::begin(seed), std::end(seed));
    return std::mt19937_64(sequence);
  }());
  const uint64_t raw[2] = {generator(), generator()};
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(raw), sizeof raw));
}

bool IsValidRequestId(absl::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    const bool ok = absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

grpc::experimental::Interceptor* ObservabilityInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new ObservabilityInterceptor(info, metrics_);
}

}  // namespace fangxian::common
