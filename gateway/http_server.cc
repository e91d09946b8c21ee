#include "gateway/http_server.h"

#include <array>
#include <atomic>
#include <condition_variable>
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

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, std::shared_ptr<HttpServer::State> state)
      : stream_(std::move(socket)), state_(std::move(state)) {}

  void Run() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::Read, shared_from_this()));
  }

 private:
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
    auto self = shared_from_this();
    state_->gateway->Handle(std::move(request), [self](HttpResponse response) {
      // Usually called on a gRPC thread: the write happens on the connection's strand.
      net::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
        self->Write(std::move(response), /*counted=*/true);
      });
    });
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
