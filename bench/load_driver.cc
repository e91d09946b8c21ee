#include "bench/load_driver.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>
#include <thread>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "bench/schedule.h"
#include "common/status.h"

namespace fangxian::bench {
namespace {

// The completion queue takes wall-clock deadlines; we measure on the steady clock.
std::chrono::system_clock::time_point WallDeadline(int64_t steady_ns) {
  return std::chrono::system_clock::now() + std::chrono::nanoseconds(steady_ns - NowNs());
}

std::string Flatten(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  for (const auto& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

struct Shared {
  std::vector<std::unique_ptr<grpc::GenericStub>> stubs;
  const LoadOptions* options;
  RequestSource* source;
};

absl::StatusOr<Shared> Connect(const LoadOptions& options, RequestSource& source) {
  Shared shared{{}, &options, &source};
  for (int i = 0; i < std::max(options.connections, 1); ++i) {
    grpc::ChannelArguments args;
    // Distinct arguments and a private subchannel pool: one TCP connection per channel.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt("fx.loadgen.channel", i);
    auto channel =
        grpc::CreateCustomChannel(options.target, grpc::InsecureChannelCredentials(), args);
    const auto deadline = WallDeadline(NowNs() + SecondsToNs(options.connect_timeout_seconds));
    if (!channel->WaitForConnected(deadline)) {
      return absl::UnavailableError(absl::StrCat("cannot connect to ", options.target, " within ",
                                                 options.connect_timeout_seconds, " s"));
    }
    shared.stubs.push_back(std::make_unique<grpc::GenericStub>(channel));
  }
  return shared;
}

class Worker {
 public:
  explicit Worker(const Shared& shared) : shared_(shared) {}
  ~Worker() {
    cq_.Shutdown();
    void* tag;
    bool ok;
    while (cq_.Next(&tag, &ok)) {
    }
  }

  // Closed loop; counts calls completing in [measure_start, measure_end).
  void RunClosed(int slots, int64_t measure_start, int64_t measure_end) {
    int outstanding = 0;
    for (int i = 0; i < slots; ++i, ++outstanding) Start(NowNs());
    while (outstanding > 0) {
      void* tag;
      bool ok;
      if (!cq_.Next(&tag, &ok)) break;
      const int64_t now = NowNs();
      --outstanding;
      Finish(static_cast<Call*>(tag), now, now >= measure_start && now < measure_end);
      if (now < measure_end) {
        Start(now);
        ++outstanding;
      }
    }
  }

  // Open loop; counts sends intended in [measure_start, pacer end).
  void RunOpen(OpenLoopPacer pacer, int64_t measure_start) {
    int outstanding = 0;
    while (true) {
      for (int64_t intended : pacer.Due(NowNs(), outstanding)) {
        Start(intended);
        ++outstanding;
      }
      if (pacer.done() && outstanding == 0) break;
      void* tag;
      bool ok;
      const auto deadline = pacer.done() ? std::chrono::system_clock::now() + std::chrono::hours(1)
                                         : WallDeadline(pacer.NextIntendedTime());
      if (cq_.AsyncNext(&tag, &ok, deadline) != grpc::CompletionQueue::GOT_EVENT) continue;
      auto* call = static_cast<Call*>(tag);
      --outstanding;
      Finish(call, NowNs(), call->origin_ns >= measure_start);
    }
    result_.not_sent += pacer.not_sent();
  }

  const LoadResult& result() const { return result_; }

 private:
  struct Call {
    int64_t origin_ns;  // actual start (closed loop) or intended start (open loop)
    grpc::ClientContext context;
    grpc::ByteBuffer response;
    grpc::Status status;
    std::unique_ptr<grpc::GenericClientAsyncResponseReader> reader;
  };

  void Start(int64_t origin_ns) {
    const LoadOptions& options = *shared_.options;
    auto request = shared_.source->Next();
    if (!request.ok()) {
      // The template was validated at start; expansion only inserts digits.
      std::fprintf(stderr, "fx_loadgen: %s\n", request.status().ToString().c_str());
      std::abort();
    }
    auto* call = new Call;
    call->origin_ns = origin_ns;
    call->context.set_deadline(std::chrono::system_clock::now() +
                               std::chrono::milliseconds(options.timeout_ms));
    for (const auto& [key, value] : options.metadata) call->context.AddMetadata(key, value);
    grpc::Slice slice(*request);
    grpc::ByteBuffer buffer(&slice, 1);
    auto& stub = shared_.stubs[next_stub_++ % shared_.stubs.size()];
    call->reader = stub->PrepareUnaryCall(&call->context, options.method, buffer, &cq_);
    call->reader->StartCall();
    call->reader->Finish(&call->response, &call->status, call);
  }

  void Finish(Call* call, int64_t now_ns, bool measured) {
    if (measured) {
      const int code =
          std::clamp(static_cast<int>(call->status.error_code()), 0, kStatusCodeCount - 1);
      ++result_.calls_by_code[code];
      if (call->status.ok()) {
        result_.latency_ns.Record(LatencyFromIntended(call->origin_ns, now_ns));
      } else if (code == grpc::StatusCode::RESOURCE_EXHAUSTED) {
        result_.refused_latency_ns.Record(LatencyFromIntended(call->origin_ns, now_ns));
      }
      if (!call->status.ok() && result_.first_message[code].empty()) {
        result_.first_message[code] = call->status.error_message();
      }
    }
    delete call;
  }

  const Shared& shared_;
  grpc::CompletionQueue cq_;
  size_t next_stub_ = 0;
  LoadResult result_;
};

}  // namespace

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int64_t SecondsToNs(double s) { return static_cast<int64_t>(s * 1e9); }

int WorkerThreads(const LoadOptions& options, int max_useful) {
  const int threads = options.threads > 0
                          ? options.threads
                          : std::clamp(static_cast<int>(std::thread::hardware_concurrency()), 1, 4);
  return std::min(threads, std::max(max_useful, 1));
}

OpenLoopPacer WorkerPacer(const LoadOptions& options, int64_t start_ns, int64_t end_ns, int worker,
                          int workers) {
  return OpenLoopPacer(ConstantRateSchedule::ForWorker(start_ns, options.rate, worker, workers),
                       end_ns, std::max(1, options.max_outstanding / workers));
}

uint64_t LoadResult::requests() const {
  uint64_t n = 0;
  for (uint64_t c : calls_by_code) n += c;
  return n;
}

void LoadResult::Merge(const LoadResult& other) {
  latency_ns.Merge(other.latency_ns);
  refused_latency_ns.Merge(other.refused_latency_ns);
  for (int i = 0; i < kStatusCodeCount; ++i) {
    calls_by_code[i] += other.calls_by_code[i];
    if (first_message[i].empty()) first_message[i] = other.first_message[i];
  }
  not_sent += other.not_sent;
}

absl::StatusOr<LoadResult> RunLoad(const LoadOptions& options, RequestSource& source) {
  auto shared = Connect(options, source);
  if (!shared.ok()) return shared.status();

  const bool open_loop = options.rate > 0;
  // An open loop spreads its rate over every worker; a closed loop needs a call per worker.
  const int threads =
      WorkerThreads(options, open_loop ? std::numeric_limits<int>::max() : options.concurrency);

  std::vector<std::unique_ptr<Worker>> workers;
  for (int i = 0; i < threads; ++i) workers.push_back(std::make_unique<Worker>(*shared));

  const int64_t start = NowNs();
  const int64_t measure_start = start + SecondsToNs(options.warmup_seconds);
  const int64_t measure_end = measure_start + SecondsToNs(options.duration_seconds);
  std::vector<std::thread> running;
  for (int i = 0; i < threads; ++i) {
    Worker* w = workers[i].get();
    if (open_loop) {
      running.emplace_back([=, pacer = WorkerPacer(options, start, measure_end, i, threads)] {
        w->RunOpen(pacer, measure_start);
      });
    } else {
      const int slots = options.concurrency / threads + (i < options.concurrency % threads);
      running.emplace_back([=] { w->RunClosed(slots, measure_start, measure_end); });
    }
  }
  for (auto& t : running) t.join();

  LoadResult total;
  for (const auto& w : workers) total.Merge(w->result());
  total.seconds = options.duration_seconds;
  return total;
}

absl::StatusOr<std::string> CallOnce(const LoadOptions& options, RequestSource& source) {
  auto request = source.Next();
  if (!request.ok()) return request.status();
  grpc::ChannelArguments args;
  auto channel =
      grpc::CreateCustomChannel(options.target, grpc::InsecureChannelCredentials(), args);
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue cq;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::milliseconds(options.timeout_ms));
  for (const auto& [key, value] : options.metadata) context.AddMetadata(key, value);
  grpc::Slice slice(*request);
  grpc::ByteBuffer buffer(&slice, 1);
  grpc::ByteBuffer response;
  grpc::Status status;
  auto reader = stub.PrepareUnaryCall(&context, options.method, buffer, &cq);
  reader->StartCall();
  reader->Finish(&response, &status, nullptr);
  void* tag;
  bool ok;
  cq.Next(&tag, &ok);
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  if (!status.ok()) return common::FromGrpcStatus(status);
  return Flatten(response);
}

}  // namespace fangxian::bench
