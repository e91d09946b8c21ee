#include "tests/support/http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/json_util.h"
#include "tests/support/test_env.h"

namespace fangxian::testing {

HttpResponse HttpRequest(int port, const std::string& method, const std::string& target,
                         const std::string& body,
                         const std::map<std::string, std::string>& headers) {
  return HttpRequestFrom("", port, method, target, body, headers);
}

HttpResponse HttpRequestFrom(const std::string& from, int port, const std::string& method,
                             const std::string& target, const std::string& body,
                             const std::map<std::string, std::string>& headers) {
  HttpResponse out;
  const int fd = ConnectLoopback(port, from);
  if (fd < 0) return out;
  timeval tv{15, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string req = absl::StrCat(method, " ", target, " HTTP/1.1\r\nHost: 127.0.0.1:", port,
                                 "\r\nConnection: close\r\n");
  for (const auto& [k, v] : headers) absl::StrAppend(&req, k, ": ", v, "\r\n");
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    absl::StrAppend(&req, "Content-Length: ", body.size(), "\r\n");
  }
  absl::StrAppend(&req, "\r\n", body);
  size_t off = 0;
  while (off < req.size()) {
    const ssize_t n = ::send(fd, req.data() + off, req.size() - off, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may answer (413) before reading everything
    off += static_cast<size_t>(n);
  }
  std::string raw;
  char buf[8192];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    raw.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  const size_t head_end = raw.find("\r\n\r\n");
  if (head_end == std::string::npos) return out;
  std::vector<std::string> lines = absl::StrSplit(raw.substr(0, head_end), "\r\n");
  std::vector<std::string> status_line = absl::StrSplit(lines[0], absl::MaxSplits(' ', 2));
  if (status_line.size() < 2 || !absl::SimpleAtoi(status_line[1], &out.status)) return out;
  for (size_t i = 1; i < lines.size(); ++i) {
    const size_t colon = lines[i].find(':');
    if (colon == std::string::npos) continue;
    out.headers[absl::AsciiStrToLower(lines[i].substr(0, colon))] =
        std::string(absl::StripAsciiWhitespace(lines[i].substr(colon + 1)));
  }
  out.body = raw.substr(head_end + 4);
  auto te = out.headers.find("transfer-encoding");
  if (te != out.headers.end() && te->second == "chunked") {
    std::string decoded;
    size_t pos = 0;
    while (pos < out.body.size()) {
      const size_t eol = out.body.find("\r\n", pos);
      if (eol == std::string::npos) break;
      size_t len = std::stoul(out.body.substr(pos, eol - pos), nullptr, 16);
      if (len == 0) break;
      decoded += out.body.substr(eol + 2, len);
      pos = eol + 2 + len + 2;
    }
    out.body = decoded;
  }
  return out;
}

google::protobuf::Struct ParseJson(const std::string& text) {
  google::protobuf::Struct object;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(text, &object).ok()) << text;
  return object;
}

std::string JsonString(const google::protobuf::Struct& object, const std::string& name) {
  auto it = object.fields().find(name);
  return it == object.fields().end() ? "" : it->second.string_value();
}

double JsonNumber(const google::protobuf::Struct& object, const std::string& name) {
  auto it = object.fields().find(name);
  return it == object.fields().end() ? -1 : it->second.number_value();
}

bool JsonHas(const google::protobuf::Struct& object, const std::string& name) {
  return object.fields().count(name) > 0;
}

google::protobuf::Struct JsonObject(const google::protobuf::Struct& object,
                                    const std::string& name) {
  auto it = object.fields().find(name);
  return it == object.fields().end() ? google::protobuf::Struct() : it->second.struct_value();
}

std::vector<google::protobuf::Struct> JsonObjects(const google::protobuf::Struct& object,
                                                  const std::string& name) {
  std::vector<google::protobuf::Struct> out;
  auto it = object.fields().find(name);
  if (it == object.fields().end()) return out;
  for (const auto& v : it->second.list_value().values()) out.push_back(v.struct_value());
  return out;
}

std::vector<std::string> JsonStrings(const google::protobuf::Struct& object,
                                     const std::string& name) {
  std::vector<std::string> out;
  auto it = object.fields().find(name);
  if (it == object.fields().end()) return out;
  for (const auto& v : it->second.list_value().values()) out.push_back(v.string_value());
  return out;
}

::testing::AssertionResult IsHttpError(const HttpResponse& r, int http_status, int grpc_code,
                                       const std::string& message_part) {
  google::protobuf::Struct body;
  const bool json = google::protobuf::util::JsonStringToMessage(r.body, &body).ok();
  if (json && r.status == http_status && JsonNumber(body, "code") == grpc_code &&
      JsonString(body, "message").find(message_part) != std::string::npos) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "want HTTP " << http_status << " code " << grpc_code << " naming \"" << message_part
         << "\", got HTTP " << r.status << " " << r.body;
}

}  // namespace fangxian::testing
