// Event-driven HTTP/1.1 server (Boost.Beast): an event loop (io_context) per thread,
// each connection served by one loop for its whole life, keep-alive. The front door: a
// request's header is read first, within a deadline and bounded in size and field count,
// then its body, bounded in size and time; connections are capped; request paths are
// checked (CheckRequestPath). Requests go to Gateway::Handle; its reply (often from a
// gRPC thread) is posted back onto the connection's loop to be written.
#ifndef FANGXIAN_GATEWAY_HTTP_SERVER_H_
#define FANGXIAN_GATEWAY_HTTP_SERVER_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "gateway/gateway.h"

namespace fangxian::gateway {

struct HttpServerOptions {
  std::string address = "127.0.0.1:0";  // FX_HTTP_ADDR (port 0: any free port)
  int threads = 2;                      // FX_GATEWAY_THREADS
  size_t max_body_bytes = 1 << 20;      // FX_MAX_BODY_BYTES -> 413
  size_t max_header_bytes = 16 * 1024;  // -> 431
  size_t max_header_fields = 100;       // FX_HTTP_MAX_HEADERS -> 431
  int max_connections = 10000;          // FX_HTTP_MAX_CONNECTIONS; more -> 503 and close
  // From the moment the server waits for a request (a new connection, or the next
  // request on a kept-alive one) until its header is complete. Then 408 and close, or a
  // silent close when not a byte of the request came (an idle keep-alive connection).
  std::chrono::milliseconds header_timeout{10000};  // FX_HTTP_HEADER_TIMEOUT_MS
  // From the end of the header until the body is complete; then 408 and close.
  std::chrono::milliseconds read_timeout{10000};  // FX_HTTP_READ_TIMEOUT_MS
  std::chrono::milliseconds write_timeout{10000};
};

class HttpServer {
 public:
  HttpServer(const Gateway* gateway, HttpServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, listens and starts the threads.
  absl::Status Start();
  int port() const { return port_; }
  // Connections answered 503 and closed because max_connections were open.
  uint64_t refused_connections() const;

  // Graceful stop: no new connections, responses from now on close their connection,
  // then waits until no request is in flight or `drain` has passed, and stops the threads.
  void Shutdown(std::chrono::milliseconds drain);

  struct State;

 private:
  std::shared_ptr<State> state_;
  HttpServerOptions options_;
  std::vector<std::thread> threads_;
  int port_ = 0;
};

}  // namespace fangxian::gateway

#endif  // FANGXIAN_GATEWAY_HTTP_SERVER_H_
