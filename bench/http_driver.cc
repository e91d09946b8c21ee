#include "bench/http_driver.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <limits>
#include <memory>
#include <thread>
#include <vector>

#include <grpcpp/support/status.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "bench/schedule.h"

namespace fangxian::bench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// The request as bytes, built once: every send writes the same buffer.
std::string RequestText(const LoadOptions& options, const HttpRequestSpec& spec) {
  std::string text =
      absl::StrCat(spec.method, " ", spec.target, " HTTP/1.1\r\nHost: ", options.target, "\r\n");
  for (const auto& [key, value] : options.metadata)
    absl::StrAppend(&text, key, ": ", value, "\r\n");
  if (!spec.body.empty()) {
    absl::StrAppend(&text, "Content-Type: application/json\r\nContent-Length: ", spec.body.size(),
                    "\r\n");
  }
  absl::StrAppend(&text, "\r\n", spec.body);
  return text;
}

struct Endpoint {
  tcp::resolver::results_type addresses;
  std::string request;
  std::chrono::milliseconds timeout;
  std::chrono::nanoseconds connect_timeout;
};

absl::StatusOr<tcp::resolver::results_type> Resolve(const std::string& target) {
  const size_t colon = target.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return absl::InvalidArgumentError(absl::StrCat("target must be host:port, not ", target));
  }
  asio::io_context io;
  tcp::resolver resolver(io);
  beast::error_code ec;
  auto results = resolver.resolve(target.substr(0, colon), target.substr(colon + 1), ec);
  if (ec)
    return absl::UnavailableError(absl::StrCat("cannot resolve ", target, ": ", ec.message()));
  return results;
}

// One worker thread: its io_context, connections and counts.
class Worker {
 public:
  explicit Worker(const Endpoint& endpoint) : endpoint_(endpoint) {}

  // Opens `count` connections; fails when one cannot be opened in time. (Asynchronously:
  // the tcp_stream's timeout bounds only asynchronous operations.)
  absl::Status Open(int count) {
    beast::error_code first_error;
    for (int i = 0; i < count; ++i) {
      auto conn = std::make_unique<Conn>(io_);
      Conn* c = conn.get();
      c->stream.expires_after(endpoint_.connect_timeout);
      c->stream.async_connect(endpoint_.addresses,
                              [c, &first_error](beast::error_code ec, const tcp::endpoint&) {
                                if (ec && !first_error) first_error = ec;
                                if (!ec) c->stream.socket().set_option(tcp::no_delay(true), ec);
                              });
      conns_.push_back(std::move(conn));
    }
    io_.run();
    io_.restart();
    if (first_error) {
      return absl::UnavailableError(absl::StrCat("cannot connect: ", first_error.message()));
    }
    return absl::OkStatus();
  }

  // Closed loop: every connection sends as soon as it has its answer, until measure_end
  // or, with max_answers, until that many answers were counted by all workers together.
  void RunClosed(int64_t measure_start, int64_t measure_end, uint64_t max_answers,
                 std::atomic<uint64_t>* answered, std::atomic<int64_t>* last_counted) {
    measure_start_ = measure_start;
    measure_end_ = measure_end;
    max_answers_ = max_answers;
    answered_ = answered;
    last_counted_ = last_counted;
    for (auto& conn : conns_) Send(*conn, NowNs());
    io_.run();
  }

  // Open loop; counts sends intended from measure_start on.
  void RunOpen(OpenLoopPacer pacer, int64_t measure_start) {
    open_ = true;
    measure_start_ = measure_start;
    pacer_ = std::make_unique<OpenLoopPacer>(pacer);
    for (auto& conn : conns_) idle_.push_back(conn.get());
    timer_ = std::make_unique<asio::steady_timer>(io_);
    Tick();
    io_.run();
    result_.not_sent += pacer_->not_sent();
  }

  const LoadResult& result() const { return result_; }

 private:
  struct Conn {
    explicit Conn(asio::io_context& io) : stream(io) {}
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    int64_t origin_ns = 0;
  };

  void Tick() {
    const int outstanding = static_cast<int>(waiting_.size() + busy_);
    for (int64_t intended : pacer_->Due(NowNs(), outstanding)) waiting_.push_back(intended);
    Dispatch();
    if (pacer_->done()) return;
    timer_->expires_at(std::chrono::steady_clock::time_point(
        std::chrono::nanoseconds(pacer_->NextIntendedTime())));
    timer_->async_wait([this](beast::error_code) { Tick(); });
  }

  void Dispatch() {
    while (!idle_.empty() && !waiting_.empty()) {
      Conn* conn = idle_.back();
      idle_.pop_back();
      const int64_t intended = waiting_.front();
      waiting_.pop_front();
      Send(*conn, intended);
    }
  }

  void Send(Conn& conn, int64_t origin_ns) {
    ++busy_;
    conn.origin_ns = origin_ns;
    conn.response = {};
    conn.stream.expires_after(endpoint_.timeout);
    asio::async_write(
        conn.stream, asio::buffer(endpoint_.request), [this, &conn](beast::error_code ec, size_t) {
          if (ec) return Done(conn, ec);
          http::async_read(conn.stream, conn.buffer, conn.response,
                           [this, &conn](beast::error_code ec, size_t) { Done(conn, ec); });
        });
  }

  void Done(Conn& conn, beast::error_code ec) {
    --busy_;
    const int64_t now = NowNs();
    const bool counted = open_ ? conn.origin_ns >= measure_start_
                               : now >= measure_start_ && now < measure_end_ &&
                                     (max_answers_ == 0 || answered_->load() < max_answers_);
    int code = 0;
    if (ec) {
      code = ec == beast::error::timeout ? grpc::StatusCode::DEADLINE_EXCEEDED
                                         : grpc::StatusCode::UNAVAILABLE;
    } else {
      code = GrpcCodeForHttpStatus(conn.response.result_int());
    }
    if (counted) {
      ++result_.calls_by_code[code];
      if (code == 0) {
        result_.latency_ns.Record(LatencyFromIntended(conn.origin_ns, now));
      } else if (code == grpc::StatusCode::RESOURCE_EXHAUSTED) {
        result_.refused_latency_ns.Record(LatencyFromIntended(conn.origin_ns, now));
      }
      if (code != 0 && result_.first_message[code].empty()) {
        result_.first_message[code] = ec ? ec.message()
                                         : absl::StrCat("HTTP ", conn.response.result_int(), " ",
                                                        conn.response.body().substr(0, 200));
      }
      if (max_answers_ > 0) {
        answered_->fetch_add(1);
        int64_t last = last_counted_->load();
        while (last < now && !last_counted_->compare_exchange_weak(last, now)) {
        }
      }
    }
    if (ec || !conn.response.keep_alive()) {
      // Reopen, without holding up the other connections of this loop; a connection that
      // cannot be reopened leaves the run.
      beast::error_code ignored;
      conn.stream.socket().close(ignored);
      conn.buffer.clear();
      conn.stream.expires_after(endpoint_.connect_timeout);
      conn.stream.async_connect(endpoint_.addresses,
                                [this, &conn](beast::error_code ec, const tcp::endpoint&) {
                                  if (ec) return;
                                  conn.stream.socket().set_option(tcp::no_delay(true), ec);
                                  Continue(conn);
                                });
      return;
    }
    Continue(conn);
  }

  // The connection is free: it takes the next waiting send (open loop) or sends again
  // (closed loop) while the measurement lasts.
  void Continue(Conn& conn) {
    if (open_) {
      idle_.push_back(&conn);
      Dispatch();
      return;
    }
    const int64_t now = NowNs();
    const bool more = now < measure_end_ && (max_answers_ == 0 || answered_->load() < max_answers_);
    if (more) Send(conn, now);
  }

  const Endpoint& endpoint_;
  asio::io_context io_;
  std::vector<std::unique_ptr<Conn>> conns_;
  LoadResult result_;
  int busy_ = 0;
  int64_t measure_start_ = 0;
  int64_t measure_end_ = 0;
  // Closed loop with an answer budget.
  uint64_t max_answers_ = 0;
  std::atomic<uint64_t>* answered_ = nullptr;
  std::atomic<int64_t>* last_counted_ = nullptr;
  // Open loop.
  bool open_ = false;
  std::unique_ptr<OpenLoopPacer> pacer_;
  std::unique_ptr<asio::steady_timer> timer_;
  std::deque<int64_t> waiting_;  // intended times of sends waiting for a connection
  std::vector<Conn*> idle_;
};

}  // namespace

int GrpcCodeForHttpStatus(int http_status) {
  if (http_status >= 200 && http_status < 300) return grpc::StatusCode::OK;
  switch (http_status) {
    case 400:
      return grpc::StatusCode::INVALID_ARGUMENT;
    case 401:
      return grpc::StatusCode::UNAUTHENTICATED;
    case 403:
      return grpc::StatusCode::PERMISSION_DENIED;
    case 404:
      return grpc::StatusCode::NOT_FOUND;
    case 409:
      return grpc::StatusCode::ABORTED;
    case 429:
      return grpc::StatusCode::RESOURCE_EXHAUSTED;
    case 499:
      return grpc::StatusCode::CANCELLED;
    case 500:
      return grpc::StatusCode::INTERNAL;
    case 501:
      return grpc::StatusCode::UNIMPLEMENTED;
    case 503:
      return grpc::StatusCode::UNAVAILABLE;
    case 504:
      return grpc::StatusCode::DEADLINE_EXCEEDED;
    default:
      return grpc::StatusCode::UNKNOWN;
  }
}

absl::StatusOr<LoadResult> RunHttpLoad(const LoadOptions& options, const HttpRequestSpec& spec) {
  auto addresses = Resolve(options.target);
  if (!addresses.ok()) return addresses.status();
  const Endpoint endpoint{*addresses, RequestText(options, spec),
                          std::chrono::milliseconds(options.timeout_ms),
                          std::chrono::nanoseconds(SecondsToNs(options.connect_timeout_seconds))};
  const bool open_loop = options.rate > 0;
  const int connections = open_loop ? options.connections : options.concurrency;
  const int threads = WorkerThreads(options, connections);

  std::vector<std::unique_ptr<Worker>> workers;
  for (int i = 0; i < threads; ++i) {
    workers.push_back(std::make_unique<Worker>(endpoint));
    const int share = connections / threads + (i < connections % threads);
    if (absl::Status opened = workers.back()->Open(share); !opened.ok()) {
      return absl::UnavailableError(
          absl::StrCat("cannot connect to ", options.target, ": ", opened.message()));
    }
  }

  const int64_t start = NowNs();
  const int64_t measure_start = start + SecondsToNs(options.warmup_seconds);
  const int64_t measure_end = options.max_requests > 0
                                  ? std::numeric_limits<int64_t>::max()
                                  : measure_start + SecondsToNs(options.duration_seconds);
  std::atomic<uint64_t> answered{0};
  std::atomic<int64_t> last_counted{measure_start};
  std::vector<std::thread> running;
  for (int i = 0; i < threads; ++i) {
    Worker* w = workers[i].get();
    if (open_loop) {
      running.emplace_back([=, pacer = WorkerPacer(options, start, measure_end, i, threads)] {
        w->RunOpen(pacer, measure_start);
      });
    } else {
      running.emplace_back([=, &answered, &last_counted] {
        w->RunClosed(measure_start, measure_end, options.max_requests, &answered, &last_counted);
      });
    }
  }
  for (auto& t : running) t.join();

  LoadResult total;
  for (const auto& w : workers) total.Merge(w->result());
  total.seconds = options.max_requests > 0 ? (last_counted.load() - measure_start) / 1e9
                                           : options.duration_seconds;
  return total;
}

absl::StatusOr<std::string> HttpCallOnce(const LoadOptions& options, const HttpRequestSpec& spec) {
  auto addresses = Resolve(options.target);
  if (!addresses.ok()) return addresses.status();
  asio::io_context io;
  beast::tcp_stream stream(io);
  beast::error_code ec;
  stream.expires_after(std::chrono::nanoseconds(SecondsToNs(options.connect_timeout_seconds)));
  stream.connect(*addresses, ec);
  if (ec) return absl::UnavailableError(absl::StrCat("cannot connect to ", options.target));
  const std::string request = RequestText(options, spec);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  // Asynchronous only so the tcp_stream's timeout bounds the whole exchange.
  stream.expires_after(std::chrono::milliseconds(options.timeout_ms));
  asio::async_write(stream, asio::buffer(request), [&](beast::error_code write_ec, size_t) {
    ec = write_ec;
    if (!ec) {
      http::async_read(stream, buffer, response,
                       [&](beast::error_code read_ec, size_t) { ec = read_ec; });
    }
  });
  io.run();
  if (ec) return absl::UnavailableError(absl::StrCat(options.target, ": ", ec.message()));
  const int code = GrpcCodeForHttpStatus(response.result_int());
  if (code != 0) {
    return absl::Status(static_cast<absl::StatusCode>(code),
                        absl::StrCat("HTTP ", response.result_int(), ": ", response.body()));
  }
  return response.body();
}

}  // namespace fangxian::bench
