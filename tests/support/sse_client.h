// A blocking Server-Sent Events client for tests: one GET, the response header, then the
// chunked body decoded as it arrives and split into events, each read with a deadline.
// Also reads an ordinary (Content-Length) reply, for the JSON errors of a stream route.
#ifndef FANGXIAN_TESTS_SUPPORT_SSE_CLIENT_H_
#define FANGXIAN_TESTS_SUPPORT_SSE_CLIENT_H_

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tests/support/test_env.h"

namespace fangxian::testing {

struct SseEvent {
  std::string event;    // "event:" field; empty for ordinary data events
  std::string id;       // "id:" field
  std::string data;     // "data:" lines joined with "\n"
  std::string comment;  // for a comment block (": keep-alive"): its text
  bool is_comment() const { return data.empty() && event.empty() && !comment.empty(); }
};

class SseClient {
 public:
  using Clock = std::chrono::steady_clock;

  SseClient(int port, const std::string& target,
            const std::map<std::string, std::string>& headers = {})
      : fd_(ConnectLoopback(port)) {
    if (fd_ < 0) return;
    std::string req = absl::StrCat("GET ", target, " HTTP/1.1\r\nHost: 127.0.0.1:", port,
                                   "\r\nAccept: text/event-stream\r\n");
    for (const auto& [k, v] : headers) absl::StrAppend(&req, k, ": ", v, "\r\n");
    req += "\r\n";
    (void)::send(fd_, req.data(), req.size(), MSG_NOSIGNAL);
  }
  ~SseClient() { Close(); }
  SseClient(const SseClient&) = delete;
  SseClient& operator=(const SseClient&) = delete;

  // Reads the status line and header fields; false when they did not come in time.
  bool ReadHeader(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    size_t end;
    while ((end = raw_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill(deadline)) return false;
    }
    std::vector<std::string> lines = absl::StrSplit(raw_.substr(0, end), "\r\n");
    raw_.erase(0, end + 4);
    std::vector<std::string> first = absl::StrSplit(lines[0], absl::MaxSplits(' ', 2));
    if (first.size() < 2 || !absl::SimpleAtoi(first[1], &status)) return false;
    for (size_t i = 1; i < lines.size(); ++i) {
      const size_t colon = lines[i].find(':');
      if (colon == std::string::npos) continue;
      headers[absl::AsciiStrToLower(lines[i].substr(0, colon))] =
          std::string(absl::StripAsciiWhitespace(lines[i].substr(colon + 1)));
    }
    chunked_ = Header("transfer-encoding") == "chunked";
    return true;
  }

  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }

  // The body of a reply with Content-Length (after ReadHeader).
  std::string ReadBody(std::chrono::milliseconds timeout) {
    size_t length = 0;
    if (!absl::SimpleAtoi(Header("content-length"), &length)) return "";
    const auto deadline = Clock::now() + timeout;
    while (raw_.size() < length && Fill(deadline)) {
    }
    return raw_.substr(0, length);
  }

  // The next event or comment block; nullopt when the stream ended (ended() is then
  // true) or nothing came before `timeout`.
  std::optional<SseEvent> Next(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
      Decode();
      const size_t end = decoded_.find("\n\n");
      if (end != std::string::npos) {
        const std::string block = decoded_.substr(0, end);
        decoded_.erase(0, end + 2);
        return Parse(block);
      }
      if (ended_ || !Fill(deadline)) return std::nullopt;
    }
  }

  // The next event that is not a comment block (keep-alives are skipped), each read
  // bounded by `timeout`; nullopt as Next.
  std::optional<SseEvent> NextEvent(std::chrono::milliseconds timeout) {
    for (;;) {
      std::optional<SseEvent> e = Next(timeout);
      if (!e || !e->is_comment()) return e;
    }
  }

  // True once the last chunk arrived or the server closed the connection.
  bool ended() const { return ended_; }

  // The client goes away.
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names

 private:
  // Reads what is available into raw_; false on deadline, error or end of input.
  bool Fill(Clock::time_point deadline) {
    if (fd_ < 0) return false;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) return false;
    char buf[8192];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) {
      ended_ = true;
      return false;
    }
    raw_.append(buf, static_cast<size_t>(n));
    return true;
  }

  // Moves complete chunks from raw_ to decoded_.
  void Decode() {
    if (!chunked_) {
      decoded_ += raw_;
      raw_.clear();
      return;
    }
    for (;;) {
      const size_t eol = raw_.find("\r\n");
      if (eol == std::string::npos) return;
      size_t len = 0;
      const std::string size_text = raw_.substr(0, raw_.find_first_of(";\r"));
      if (!absl::SimpleHexAtoi(size_text, &len)) {
        ended_ = true;
        return;
      }
      if (len == 0) {
        ended_ = true;
        raw_.clear();
        return;
      }
      if (raw_.size() < eol + 2 + len + 2) return;
      decoded_ += raw_.substr(eol + 2, len);
      raw_.erase(0, eol + 2 + len + 2);
    }
  }

  static SseEvent Parse(const std::string& block) {
    SseEvent e;
    for (absl::string_view line : absl::StrSplit(block, '\n')) {
      if (absl::StartsWith(line, ":")) {
        e.comment = std::string(absl::StripAsciiWhitespace(line.substr(1)));
        continue;
      }
      const size_t colon = line.find(':');
      const absl::string_view field = line.substr(0, colon);
      absl::string_view value = colon == absl::string_view::npos ? "" : line.substr(colon + 1);
      if (absl::StartsWith(value, " ")) value.remove_prefix(1);
      if (field == "data") {
        if (!e.data.empty()) e.data += "\n";
        e.data += std::string(value);
      } else if (field == "event") {
        e.event = std::string(value);
      } else if (field == "id") {
        e.id = std::string(value);
      }
    }
    return e;
  }

  int fd_;
  std::string raw_;
  std::string decoded_;
  bool chunked_ = false;
  bool ended_ = false;
};

}  // namespace fangxian::testing

#endif  // FANGXIAN_TESTS_SUPPORT_SSE_CLIENT_H_
