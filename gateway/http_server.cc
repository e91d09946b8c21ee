#include "gateway/http_server.h"

#include <array>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <utility>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/log.h"

namespace fangxian::gateway {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

struct HttpServer::State {
  explicit State(const Gateway* g, const HttpServerOptions& o)
      : gateway(g), options(o), work(net::make_work_guard(ioc)), acceptor(net::make_strand(ioc)) {}

  void RequestStarted() {
    std::lock_guard<std::mutex> lock(mu);
    ++inflight;
  }
  void RequestFinished() {
    std::lock_guard<std::mutex> lock(mu);
    if (--inflight == 0) idle.notify_all();
  }

  const Gateway* gateway;
  const HttpServerOptions options;
  net::io_context ioc;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  tcp::acceptor acceptor;
  std::atomic<bool> draining{false};
  std::mutex mu;
  std::condition_variable idle;
  int inflight = 0;
};

namespace {

absl::string_view View(beast::string_view s) { return absl::string_view(s.data(), s.size()); }

class Session : public std::enable_shared_from_this<Session>, public Responder {
 public:
  Session(tcp::socket&& socket, std::shared_ptr<HttpServer::State> state)
      : stream_(std::move(socket)), state_(std::move(state)) {}

  void Run() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::Read, shared_from_this()));
  }

  // Responder: each call is posted onto the connection's strand, so they run in order.
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
    stream_header_->chunked(true);
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
      net::async_write(stream_, http::make_chunk(net::buffer(current_.data)),
                       [self = shared_from_this()](beast::error_code ec, std::size_t) {
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
                       });
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

  void Read() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(state_->options.max_header_bytes));
    parser_->body_limit(state_->options.max_body_bytes);
    // Bounds the whole request, and the idle time between keep-alive requests, so a slow
    // client cannot hold a connection forever.
    stream_.expires_after(state_->options.read_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, std::size_t /*bytes*/) {
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
    if (ec == http::error::end_of_stream || ec == http::error::partial_message ||
        ec == beast::error::timeout) {
      Close();
      return;
    }
    if (ec && ec.category() == http::make_error_code(http::error::bad_target).category()) {
      Reject(400, grpc::StatusCode::INVALID_ARGUMENT,
             absl::StrCat("malformed HTTP request: ", ec.message()));
      return;
    }
    if (ec) return;  // connection reset or aborted: nothing to answer

    HttpRequest request = parser_->release();
    version_ = request.version();
    keep_alive_ = request.keep_alive();
    state_->RequestStarted();
    // The upstream deadline bounds the wait from here on.
    stream_.expires_never();
    // Answers usually come on a gRPC thread: Responder posts them onto the strand.
    state_->gateway->Handle(std::move(request), shared_from_this());
  }

  // Answers a request that could not be read completely, then closes the connection.
  void Reject(int http_status, grpc::StatusCode code, absl::string_view message) {
    const auto start = std::chrono::steady_clock::now();
    std::string method = "-";
    std::string path = "-";
    std::string given_id;
    if (parser_ && parser_->is_header_done()) {
      const auto& h = parser_->get();
      method = std::string(View(h.method_string()));
      const absl::string_view target = View(h.target());
      path = std::string(target.substr(0, target.find('?')));
      given_id = std::string(View(h["X-Request-Id"]));
      version_ = h.version();
    }
    const std::string request_id = ChooseRequestId(given_id);
    HttpResponse response = ErrorResponse(http_status, code, message);
    response.set("X-Request-Id", request_id);
    LogAccess(method, path, http_status, start, request_id, -1);
    keep_alive_ = false;
    Write(std::move(response), /*counted=*/false);
  }

  void Write(HttpResponse response, bool counted) {
    const bool keep = keep_alive_ && !state_->draining.load();
    response.version(version_);
    response.keep_alive(keep);
    response.prepare_payload();
    response_ = std::move(response);
    stream_.expires_after(state_->options.write_timeout);
    http::async_write(stream_, *response_,
                      [self = shared_from_this(), counted, keep](
                          beast::error_code ec, std::size_t) { self->OnWrite(counted, keep, ec); });
  }

  void OnWrite(bool counted, bool keep, beast::error_code ec) {
    response_.reset();
    if (counted) state_->RequestFinished();
    if (ec) return;
    if (keep) {
      Read();
    } else {
      Close();
    }
  }

  // Half-closes, then reads and discards what the client is still sending (an oversized
  // body, say) for a short while: closing a socket with unread input makes the kernel
  // send a reset, which can destroy the response before the client has read it.
  void Close() {
    if (watching_) {
      // One read at a time: stop the watch first; its handler comes back here.
      close_after_watch_ = true;
      beast::error_code ignored;
      stream_.socket().cancel(ignored);
      return;
    }
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(std::chrono::seconds(2));
    Discard();
  }

  void Discard() {
    stream_.async_read_some(
        net::buffer(discard_), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
          self->discarded_ += n;
          if (ec || self->discarded_ > 4 * self->state_->options.max_body_bytes + (1 << 20)) {
            beast::error_code ignored;
            self->stream_.socket().close(ignored);
            return;
          }
          self->Discard();
        });
  }

  beast::tcp_stream stream_;
  std::shared_ptr<HttpServer::State> state_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<HttpResponse> response_;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  std::array<char, 8192> discard_{};
  size_t discarded_ = 0;

  // Streamed response state (strand only).
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
  bool header_written_ = false;
  bool finish_requested_ = false;
  bool broken_ = false;
  bool stream_done_ = false;
};

void Accept(std::shared_ptr<HttpServer::State> state) {
  state->acceptor.async_accept(
      net::make_strand(state->ioc), [state](beast::error_code ec, tcp::socket socket) {
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
        std::make_shared<Session>(std::move(socket), state)->Run();
        Accept(state);
      });
}

}  // namespace

HttpServer::HttpServer(const Gateway* gateway, HttpServerOptions options)
    : state_(std::make_shared<State>(gateway, options)), options_(std::move(options)) {}

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
  tcp::resolver resolver(state_->ioc);
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
  for (int i = 0; i < options_.threads; ++i) {
    threads_.emplace_back([state = state_] {
      while (true) {
        try {
          state->ioc.run();
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
    state_->idle.wait_for(lock, drain, [this] { return state_->inflight == 0; });
  }
  state_->work.reset();
  state_->ioc.stop();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

}  // namespace fangxian::gateway
