// A blocking HTTP/1.1 client for tests: one request per connection, Content-Length
// bodies, headers returned lower-cased. Enough to drive the gateway over real HTTP.
#ifndef FANGXIAN_TESTS_SUPPORT_HTTP_CLIENT_H_
#define FANGXIAN_TESTS_SUPPORT_HTTP_CLIENT_H_

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

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
// The same, from the loopback address `from` ("127.0.0.7"; see ConnectLoopback).
HttpResponse HttpRequestFrom(const std::string& from, int port, const std::string& method,
                             const std::string& target, const std::string& body = "",
                             const std::map<std::string, std::string>& headers = {});

// The JSON object in `text` (the canonical proto3 JSON the gateway writes); an empty
// object and a test failure when `text` is not one.
google::protobuf::Struct ParseJson(const std::string& text);
// The string field `name` of a JSON object; "" when absent.
std::string JsonString(const google::protobuf::Struct& object, const std::string& name);
// The number field `name` of a JSON object; -1 when absent (the gateway leaves zeros out).
double JsonNumber(const google::protobuf::Struct& object, const std::string& name);
// Whether the field `name` is present (the gateway leaves defaults out: false, 0, "").
bool JsonHas(const google::protobuf::Struct& object, const std::string& name);
// The object field `name`; an empty object when absent.
google::protobuf::Struct JsonObject(const google::protobuf::Struct& object,
                                    const std::string& name);
// The objects of the array field `name` (empty when absent).
std::vector<google::protobuf::Struct> JsonObjects(const google::protobuf::Struct& object,
                                                  const std::string& name);
// The strings of the array field `name` (ids, enum names; empty when absent).
std::vector<std::string> JsonStrings(const google::protobuf::Struct& object,
                                     const std::string& name);

// The gateway's JSON error answer: HTTP `http_status` with a body whose `code` is the gRPC
// code `grpc_code` and whose `message` contains `message_part`.
::testing::AssertionResult IsHttpError(const HttpResponse& r, int http_status, int grpc_code,
                                       const std::string& message_part = "");

}  // namespace fangxian::testing

#endif  // FANGXIAN_TESTS_SUPPORT_HTTP_CLIENT_H_
