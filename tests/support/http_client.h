// A blocking HTTP/1.1 client for tests: one request per connection, Content-Length
// bodies, headers returned lower-cased. Enough to drive the gateway over real HTTP.
#ifndef FANGXIAN_TESTS_SUPPORT_HTTP_CLIENT_H_
#define FANGXIAN_TESTS_SUPPORT_HTTP_CLIENT_H_

#include <map>
#include <string>

#include "google/protobuf/struct.pb.h"

namespace fangxian::testing {

struct HttpResponse {
  int status = 0;                              // 0 when the connection failed
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

HttpResponse HttpRequest(int port, const std::string& method, const std::string& target,
                         const std::string& body = "",
                         const std::map<std::string, std::string>& headers = {});

// The JSON object in `text` (the canonical proto3 JSON the gateway writes); an empty
// object and a test failure when `text` is not one.
google::protobuf::Struct ParseJson(const std::string& text);
// The string field `name` of a JSON object; "" when absent.
std::string JsonString(const google::protobuf::Struct& object, const std::string& name);
// The number field `name` of a JSON object; -1 when absent (the gateway leaves zeros out).
double JsonNumber(const google::protobuf::Struct& object, const std::string& name);

}  // namespace fangxian::testing

#endif  // FANGXIAN_TESTS_SUPPORT_HTTP_CLIENT_H_
