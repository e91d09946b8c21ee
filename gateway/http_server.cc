#include "gateway/http_server.h"

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <iterator>
#include <limits>
#include <mutex>
#include <optional>
#include <utility>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "gateway/path_template.h"

namespace fangxian::gateway {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

// One event loop per thread, each connection on one of them for its whole life (as
// Envoy's workers): a connection's handlers never run concurrently, without a strand,
// and a loop's queue is not shared with other threads' loops.
struct HttpServer::State {
  explicit State(const Gateway* g, const HttpServerOptions& o)
      : gateway(g), options(o), loops(MakeLoops(o.threads)), acceptor(*loops.front()) {
    for (auto& loop : loops) work.push_back(net::make_work_guard(*loop));
  }

  static std::vector<std::unique_ptr<net::io_context>> MakeLoops(int threads) {
    std::vector<std::unique_ptr<net::io_context>> loops;
    for (int i = 0; i < std::max(threads, 1); ++i) {
      loops.push_back(std::make_unique<net::io_context>(/*concurrency_hint=*/1));
    }
    return loops;
  }

  // The loop for the next connection, in turn.
  net::io_context& NextLoop() { return *loops[next_loop.fetch_add(1) % loops.size()]; }

  void RequestStarted() { inflight.fetch_add(1); }
  void RequestFinished() {
    // The lock only orders the wake-up with Shutdown's check of the count.
    if (inflight.fetch_sub(1) == 1) {
      std::lock_guard<std::mutex> lock(mu);
      idle.notify_all();
    }
  }

  const Gateway* gateway;
  const HttpServerOptions options;
  std::vector<std::unique_ptr<net::io_context>> loops;
  std::atomic<size_t> next_loop{0};
  std::vector<net::executor_work_guard<net::io_context::executor_type>> work;
  tcp::acceptor acceptor;  // on the first loop
  std::atomic<bool> draining{false};
  std::mutex mu;
  std::condition_variable idle;
  std::atomic<int> inflight{0};
  std::atomic<int> connections{0};   // open sessions, refused ones not counted
  std::atomic<uint64_t> refused{0};  // connections refused over max_connections
};

namespace {

absl::string_view View(beast::string_view s) { return absl::string_view(s.data(), s.size()); }

// After a response that ends a connection, what the client still sends (the rest of an
// oversized upload, say) is read and dropped for this long, up to this many bytes, so
// the client gets to read the response instead of a reset.
constexpr std::chrono::milliseconds kLingerTime{2000};
constexpr size_t kLingerBytes = 64 << 20;
// A connection refused over FX_HTTP_MAX_CONNECTIONS holds no slot, so under a flood its
// descriptor must go quickly: a much shorter linger.
constexpr std::chrono::milliseconds kRefusedLingerTime{100};
constexpr size_t kRefusedLingerBytes = 64 << 10;

class Session : public std::enable_shared_from_this<Session>, public Responder {
 public:
  // `counted`: the session holds one of the connection slots, given back when it ends.
  Session(tcp::socket&& socket, std::shared_ptr<HttpServer::State> state, bool counted)
      : stream_(std::move(socket)), state_(std::move(state)), counted_(counted) {
    beast::error_code ec;
    const tcp::endpoint peer = stream_.socket().remote_endpoint(ec);
    if (!ec) peer_address_ = peer.address().to_string();
  }
  ~Session() override {
    if (counted_) state_->connections.fetch_sub(1);
  }

  void Run() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::Read, shared_from_this()));
  }

  // A connection over FX_HTTP_MAX_CONNECTIONS: 503 and close, without reading a request.
  // Counted (fx_gateway_connections_refused_total), not access-logged: a flood would
  // otherwise be a flood of log lines.
  void Refuse() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      HttpResponse response =
          ErrorResponse(503, grpc::StatusCode::UNAVAILABLE,
                        "the gateway has too many open connections; retry later");
      response.set(http::field::retry_after, "1");
      self->keep_alive_ = false;
      self->Write(std::move(response), /*counted=*/false);
    });
  }

  // Responder: each call is posted onto the connection's loop, so they run in order.
  void Reply(HttpResponse response) override {
    net::post(stream_.get_executor(),
              [self = shared_from_this(), response = std::move(response)]() mutable {
                self->StopStreamCallbacks();
                self->Write(std::move(response), /*counted=*/true);
              });
  }

  void Watch(std::chrono::milliseconds first, std::chrono::milliseconds every,
             std::function<void()> on_tick, std::function<void()> on_gone) override {
    net::post(stream_.get_executor(),
              [self = shared_from_this(), first, every, on_tick = std::move(on_tick),
               on_gone = std::move(on_gone)]() mutable {
                self->StartWatch(first, every, std::move(on_tick), std::move(on_gone));
              });
  }

  void Open(HttpResponse header) override {
    net::post(stream_.get_executor(),
              [self = shared_from_this(), header = std::move(header)]() mutable {
                self->WriteStreamHeader(std::move(header));
              });
  }

  void Send(std::string chunk, std::function<void(bool)> written) override {
    net::post(stream_.get_executor(), [self = shared_from_this(), chunk = std::move(chunk),
                                       written = std::move(written)]() mutable {
      self->chunks_.push_back({std::move(chunk), std::move(written)});
      self->Pump();
    });
  }

  void Finish() override {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      self->finish_requested_ = true;
      self->Pump();
    });
  }

  std::string PeerAddress() const override { return peer_address_; }

 private:
  struct Chunk {
    std::string data;
    std::function<void(bool)> written;
  };

  // ---- Streamed responses. The connection closes after one.

  void StartWatch(std::chrono::milliseconds first, std::chrono::milliseconds every,
                  std::function<void()> on_tick, std::function<void()> on_gone) {
    keep_alive_ = false;
    on_tick_ = std::move(on_tick);
    on_gone_ = std::move(on_gone);
    tick_every_ = every;
    ArmTick(first);
    WatchPeer();
  }

  void ArmTick(std::chrono::milliseconds after) {
    tick_timer_.expires_after(after);
    tick_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || !self->on_tick_) return;
      self->on_tick_();
      self->ArmTick(self->tick_every_);
    });
  }

  // A read on the idle socket: it completes when the client closes the connection (the
  // only way to notice a departed client of a quiet stream). Bytes it may still send are
  // dropped; this connection serves no further request.
  void WatchPeer() {
    watching_ = true;
    stream_.socket().async_read_some(
        net::buffer(discard_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
          self->watching_ = false;
          if (self->close_after_watch_) {
            self->Close();
            return;
          }
          if (ec) {
            self->PeerGone();
            return;
          }
          self->WatchPeer();
        });
  }

  void PeerGone() {
    broken_ = true;
    if (on_gone_) {
      std::function<void()> gone = std::move(on_gone_);
      on_gone_ = nullptr;
      gone();
    }
    Pump();
  }

  void StopStreamCallbacks() {
    on_tick_ = nullptr;
    on_gone_ = nullptr;
    tick_timer_.cancel();
  }

  void WriteStreamHeader(HttpResponse header) {
    stream_header_.emplace(std::move(header.base()));
    stream_header_->version(version_);
    stream_header_->keep_alive(false);
    // HTTP/1.0 has no chunked encoding: the body ends where the connection closes.
    chunked_ = version_ >= 11;
    stream_header_->chunked(chunked_);
    header_serializer_.emplace(*stream_header_);
    writing_ = true;
    stream_.expires_after(state_->options.write_timeout);
    http::async_write_header(stream_, *header_serializer_,
                             [self = shared_from_this()](beast::error_code ec, std::size_t) {
                               self->writing_ = false;
                               if (ec) {
                                 self->PeerGone();
                                 return;
                               }
                               self->header_written_ = true;
                               self->Pump();
                             });
  }

  // Writes the next queued chunk, or the last chunk once Finish was asked for.
  void Pump() {
    if (writing_ || stream_done_) return;
    if (broken_) {
      while (!chunks_.empty()) {
        Chunk c = std::move(chunks_.front());
        chunks_.pop_front();
        c.written(false);
      }
      if (finish_requested_) EndStream();
      return;
    }
    if (!header_written_) return;
    if (!chunks_.empty()) {
      current_ = std::move(chunks_.front());
      chunks_.pop_front();
      writing_ = true;
      stream_.expires_after(state_->options.write_timeout);
      auto on_written = [self = shared_from_this()](beast::error_code ec, std::size_t) {
        self->writing_ = false;
        std::function<void(bool)> written = std::move(self->current_.written);
        self->current_ = Chunk{};
        if (ec) {
          written(false);
          self->PeerGone();
          return;
        }
        written(true);
        self->Pump();
      };
      if (chunked_) {
        net::async_write(stream_, http::make_chunk(net::buffer(current_.data)),
                         std::move(on_written));
      } else {
        net::async_write(stream_, net::buffer(current_.data), std::move(on_written));
      }
      return;
    }
    if (finish_requested_ && !chunked_) {
      EndStream();
      return;
    }
    if (finish_requested_) {
      writing_ = true;
      stream_.expires_after(state_->options.write_timeout);
      net::async_write(stream_, http::make_chunk_last(),
                       [self = shared_from_this()](beast::error_code, std::size_t) {
                         self->writing_ = false;
                         self->EndStream();
                       });
    }
  }

  void EndStream() {
    if (stream_done_) return;
    stream_done_ = true;
    StopStreamCallbacks();
    state_->RequestFinished();
    Close();
  }

  // ---- Deadlines: the request header within header_timeout, then its body within
  // read_timeout, then the answer written within write_timeout. They are the session's
  // own timer (a tcp_stream timeout would close the socket, leaving no way to answer
  // 408), checked lazily: one wait serves many requests of a kept-alive connection and
  // is re-armed when it fires before the current deadline, where arming and cancelling a
  // timer per request would cost a timer operation and a handler each time.

  enum class Phase { kNone, kHeader, kBody, kWrite };

  void SetDeadline(Phase phase, std::chrono::milliseconds after) {
    phase_ = phase;
    timed_out_ = false;
    deadline_ = std::chrono::steady_clock::now() + after;
    if (!timer_waiting_ || deadline_timer_.expiry() > deadline_) WaitForDeadline();
  }

  void WaitForDeadline() {
    timer_waiting_ = true;
    deadline_timer_.expires_at(deadline_);  // a pending wait ends with operation_aborted
    deadline_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;  // re-armed, or cancelled for good
      self->timer_waiting_ = false;
      if (self->phase_ == Phase::kNone) return;
      if (std::chrono::steady_clock::now() < self->deadline_) {
        self->WaitForDeadline();
        return;
      }
      self->timed_out_ = true;
      self->stream_.cancel();  // the pending read or write completes with operation_aborted
    });
  }

  // No deadline until the next SetDeadline (while an upstream call is in flight, say);
  // the timer is left to fire once rather than cancelled.
  void ClearDeadline() { phase_ = Phase::kNone; }

  // The connection is ending: the timer must not keep the session alive.
  void CancelDeadline() {
    phase_ = Phase::kNone;
    timer_waiting_ = false;
    deadline_timer_.cancel();
  }

  // ---- Reading a request.

  void Read() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(state_->options.max_header_bytes));
    // The body limit is applied once the whole header is in (OnHeader): refused with the
    // header's Content-Length, the 413 could not see the fields after it (Origin). Not
    // boost::none: Beast 1.74 compares lengths with it, and every length exceeds none.
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    stream_.expires_never();
    SetDeadline(Phase::kHeader, state_->options.header_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  void OnHeader(beast::error_code ec, std::size_t /*bytes*/) {
    if (ec) {
      OnReadError(ec);
      return;
    }
    // The header made it: a deadline that fired in the same turn cancelled nothing.
    timed_out_ = false;
    const HttpRequest& header = parser_->get();
    const size_t fields = static_cast<size_t>(std::distance(header.begin(), header.end()));
    if (fields > state_->options.max_header_fields) {
      CancelDeadline();
      Reject(431, grpc::StatusCode::INVALID_ARGUMENT,
             absl::StrCat("request header has more than ", state_->options.max_header_fields,
                          " fields"));
      return;
    }
    if (parser_->is_done()) {
      OnRequest();
      return;
    }
    if (parser_->content_length() && *parser_->content_length() > state_->options.max_body_bytes) {
      OnReadError(http::error::body_limit);
      return;
    }
    parser_->body_limit(state_->options.max_body_bytes);  // a chunked body, as it comes
    SetDeadline(Phase::kBody, state_->options.read_timeout);
    // A client that asked to be told before it sends the body (curl does so for large
    // ones) would otherwise wait a second or so for nothing. A Content-Length over the
    // limit never gets here (413 above).
    if (header.version() >= 11 &&
        beast::iequals(header[http::field::expect], beast::string_view("100-continue"))) {
      static constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
      net::async_write(stream_, net::buffer(kContinue, sizeof kContinue - 1),
                       [self = shared_from_this()](beast::error_code ec, std::size_t) {
                         if (ec) {
                           self->OnReadError(ec);
                           return;
                         }
                         self->ReadBody();
                       });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnBody, shared_from_this()));
  }

  void OnBody(beast::error_code ec, std::size_t /*bytes*/) {
    if (ec) {
      OnReadError(ec);
      return;
    }
    OnRequest();
  }

  void OnReadError(beast::error_code ec) {
    const Phase phase = phase_;
    const bool timed_out = timed_out_;
    CancelDeadline();
    if (timed_out) {
      // Waiting for a request that never began is keep-alive idleness, not an error.
      if (phase == Phase::kHeader && !parser_->got_some() && buffer_.size() == 0) {
        Close();
        return;
      }
      const std::chrono::milliseconds limit =
          phase == Phase::kHeader ? state_->options.header_timeout : state_->options.read_timeout;
      Reject(408, grpc::StatusCode::DEADLINE_EXCEEDED,
             absl::StrCat("the request ", phase == Phase::kHeader ? "header" : "body",
                          " did not arrive within ", limit.count(), " ms"));
      return;
    }
    if (ec == http::error::body_limit) {
      Reject(
          413, grpc::StatusCode::RESOURCE_EXHAUSTED,
          absl::StrCat("request body is larger than ", state_->options.max_body_bytes, " bytes"));
      return;
    }
    if (ec == http::error::header_limit) {
      Reject(431, grpc::StatusCode::INVALID_ARGUMENT,
             absl::StrCat("request header is larger than ", state_->options.max_header_bytes,
                          " bytes"));
      return;
    }
    if (ec == http::error::end_of_stream || ec == http::error::partial_message) {
      Close();
      return;
    }
    if (ec.category() == http::make_error_code(http::error::bad_target).category()) {
      Reject(400, grpc::StatusCode::INVALID_ARGUMENT,
             absl::StrCat("malformed HTTP request: ", ec.message()));
      return;
    }
    // Connection reset or aborted: nothing to answer.
  }

  void OnRequest() {
    ClearDeadline();
    HttpRequest request = parser_->release();
    version_ = request.version();
    keep_alive_ = request.keep_alive();
    const absl::string_view target = View(request.target());
    if (absl::Status s = CheckRequestPath(target.substr(0, target.find('?'))); !s.ok()) {
      // The request was read whole: the connection may stay.
      Answer(400, grpc::StatusCode::INVALID_ARGUMENT, s.message(), request);
      return;
    }
    state_->RequestStarted();
    // The upstream deadline bounds the wait from here on.
    stream_.expires_never();
    // Answers usually come on a gRPC thread: Responder posts them onto the loop.
    state_->gateway->Handle(std::move(request), shared_from_this());
  }

  // An error answer of the server's own; `request` is what is known of the request
  // (method, target, X-Request-Id), for the log and the id.
  HttpResponse ErrorFor(int http_status, grpc::StatusCode code, absl::string_view message,
                        const HttpRequest* request, absl::string_view retry_after = "") {
    const auto start = std::chrono::steady_clock::now();
    std::string method = "-";
    std::string path = "-";
    std::string given_id;
    if (request != nullptr) {
      method = std::string(View(request->method_string()));
      const absl::string_view target = View(request->target());
      path = std::string(target.substr(0, target.find('?')));
      given_id = std::string(View((*request)["X-Request-Id"]));
    }
    const std::string request_id = ChooseRequestId(given_id);
    HttpResponse response = ErrorResponse(http_status, code, message);
    response.set("X-Request-Id", request_id);
    // A page can read the refusal of a request whose header was read (413, say).
    if (request != nullptr) {
      state_->gateway->DecorateCors(View((*request)[http::field::origin]), &response.base());
    }
    if (!retry_after.empty()) response.set(http::field::retry_after, std::string(retry_after));
    LogAccess(method, path, http_status, start, request_id, -1);
    return response;
  }

  // Answers a whole request that is refused before it reaches the gateway.
  void Answer(int http_status, grpc::StatusCode code, absl::string_view message,
              const HttpRequest& request) {
    Write(ErrorFor(http_status, code, message, &request), /*counted=*/false);
  }

  // Answers a request that could not be read completely, then closes the connection.
  void Reject(int http_status, grpc::StatusCode code, absl::string_view message,
              absl::string_view retry_after = "") {
    const HttpRequest* request = nullptr;
    if (parser_ && parser_->is_header_done()) {
      request = &parser_->get();
      version_ = request->version();
    }
    HttpResponse response = ErrorFor(http_status, code, message, request, retry_after);
    keep_alive_ = false;
    Write(std::move(response), /*counted=*/false);
  }

  void Write(HttpResponse response, bool counted) {
    const bool keep = keep_alive_ && !state_->draining.load();
    response.version(version_);
    response.keep_alive(keep);
    response.prepare_payload();
    response_ = std::move(response);
    if (counted_) {
      SetDeadline(Phase::kWrite, state_->options.write_timeout);
    } else {
      // A refused connection's answer is a few hundred bytes: the socket buffer takes it
      // at once, or the connection goes.
      stream_.expires_after(kRefusedLingerTime);
    }
    http::async_write(stream_, *response_,
                      [self = shared_from_this(), counted, keep](
                          beast::error_code ec, std::size_t) { self->OnWrite(counted, keep, ec); });
  }

  void OnWrite(bool counted, bool keep, beast::error_code ec) {
    response_.reset();
    if (counted) state_->RequestFinished();
    if (ec) {
      CancelDeadline();
      return;
    }
    if (keep) {
      Read();
    } else {
      Close();
    }
  }

  // Half-closes, then reads and discards what the client is still sending (an oversized
  // body, say) for a while (kLingerTime, kLingerBytes): closing a socket with unread
  // input makes the kernel send a reset, which can destroy the response before the
  // client has read it.
  void Close() {
    CancelDeadline();
    if (watching_) {
      // One read at a time: stop the watch first; its handler comes back here.
      close_after_watch_ = true;
      beast::error_code ignored;
      stream_.socket().cancel(ignored);
      return;
    }
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(counted_ ? kLingerTime : kRefusedLingerTime);
    Discard();
  }

  void Discard() {
    stream_.async_read_some(
        net::buffer(discard_), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
          self->discarded_ += n;
          const size_t limit = self->counted_ ? kLingerBytes : kRefusedLingerBytes;
          if (ec || self->discarded_ > limit) {
            beast::error_code ignored;
            self->stream_.socket().close(ignored);
            return;
          }
          self->Discard();
        });
  }

  beast::tcp_stream stream_;
  std::shared_ptr<HttpServer::State> state_;
  std::string peer_address_;  // set once, read from any thread
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<HttpResponse> response_;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  std::array<char, 8192> discard_{};
  size_t discarded_ = 0;
  const bool counted_;

  // Deadlines (the loop's thread only).
  net::steady_timer deadline_timer_{stream_.get_executor()};
  std::chrono::steady_clock::time_point deadline_;
  Phase phase_ = Phase::kNone;
  bool timed_out_ = false;
  bool timer_waiting_ = false;

  // Streamed response state (the loop's thread only).
  net::steady_timer tick_timer_{stream_.get_executor()};
  std::chrono::milliseconds tick_every_{15000};
  std::function<void()> on_tick_;
  std::function<void()> on_gone_;
  bool watching_ = false;
  bool close_after_watch_ = false;
  std::optional<http::response<http::empty_body>> stream_header_;
  std::optional<http::response_serializer<http::empty_body>> header_serializer_;
  std::deque<Chunk> chunks_;
  Chunk current_;
  bool writing_ = false;
  bool chunked_ = true;
  bool header_written_ = false;
  bool finish_requested_ = false;
  bool broken_ = false;
  bool stream_done_ = false;
};

void Accept(std::shared_ptr<HttpServer::State> state) {
  state->acceptor.async_accept(
      state->NextLoop(), [state](beast::error_code ec, tcp::socket socket) {
        if (ec == net::error::operation_aborted || !state->acceptor.is_open()) return;
        if (ec) {
          // Out of file descriptors, say: back off briefly instead of spinning.
          common::LogWarning("accept failed", {{"error", ec.message()}});
          auto timer = std::make_shared<net::steady_timer>(state->acceptor.get_executor(),
                                                           std::chrono::milliseconds(100));
          timer->async_wait([state, timer](beast::error_code) { Accept(state); });
          return;
        }
        beast::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        // Over the cap a connection is answered 503 and closed; those already open keep
        // being served.
        if (state->connections.fetch_add(1) >= state->options.max_connections) {
          state->connections.fetch_sub(1);
          state->refused.fetch_add(1, std::memory_order_relaxed);
          std::make_shared<Session>(std::move(socket), state, /*counted=*/false)->Refuse();
        } else {
          std::make_shared<Session>(std::move(socket), state, /*counted=*/true)->Run();
        }
        Accept(state);
      });
}

}  // namespace

HttpServer::HttpServer(const Gateway* gateway, HttpServerOptions options)
    : state_(std::make_shared<State>(gateway, options)), options_(std::move(options)) {}

uint64_t HttpServer::refused_connections() const {
  return state_->refused.load(std::memory_order_relaxed);
}

HttpServer::~HttpServer() {
  if (!threads_.empty()) Shutdown(std::chrono::milliseconds(0));
}

absl::Status HttpServer::Start() {
  const size_t colon = options_.address.rfind(':');
  std::string host = options_.address.substr(0, colon);
  const std::string port = options_.address.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  beast::error_code ec;
  tcp::resolver resolver(*state_->loops.front());
  const auto results = resolver.resolve(host, port, tcp::resolver::passive, ec);
  if (ec || results.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot resolve ", options_.address, ": ", ec.message()));
  }
  const tcp::endpoint endpoint = results.begin()->endpoint();
  tcp::acceptor& acceptor = state_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options_.address, ": ", ec.message()));
  }
  port_ = acceptor.local_endpoint().port();
  Accept(state_);
  for (size_t i = 0; i < state_->loops.size(); ++i) {
    threads_.emplace_back([state = state_, i] {
      while (true) {
        try {
          state->loops[i]->run();
          return;
        } catch (const std::exception& e) {
          common::LogError("http thread caught an exception", {{"error", e.what()}});
        }
      }
    });
  }
  return absl::OkStatus();
}

void HttpServer::Shutdown(std::chrono::milliseconds drain) {
  state_->draining.store(true);
  net::post(state_->acceptor.get_executor(), [state = state_] {
    beast::error_code ignored;
    state->acceptor.close(ignored);
  });
  // Event streams would otherwise hold the drain for their whole window.
  state_->gateway->EndStreams();
  {
    std::unique_lock<std::mutex> lock(state_->mu);
    state_->idle.wait_for(lock, drain, [this] { return state_->inflight.load() == 0; });
  }
  state_->work.clear();
  for (auto& loop : state_->loops) loop->stop();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

}  // namespace fangxian::gateway
