// A blocking HTTP/1.1 client for tests: one request per connection, Content-Length
// bodies, headers returned lower-cased. Enough to drive the gateway over real HTTP.
#ifndef FANGXIAN_TESTS_SUPPORT_HTTP_CLIENT_H_
#define FANGXIAN_TESTS_SUPPORT_HTTP_CLIENT_H_

#include <map>
#include <string>

namespace fangxian::testing {

struct HttpResponse {
  int status = 0;                              // 0 when the connection failed
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

HttpResponse HttpRequest(int port, const std::string& method, const std::string& target,
                         const std::string& body = "",
                         const std::map<std::string, std::string>& headers = {});

}  // namespace fangxian::testing

#endif  // FANGXIAN_TESTS_SUPPORT_HTTP_CLIENT_H_
