// The services the gateway routes, and the environment variable naming each upstream.
#ifndef FANGXIAN_GATEWAY_SERVICES_H_
#define FANGXIAN_GATEWAY_SERVICES_H_

#include <string>
#include <vector>

#include <google/protobuf/descriptor.h>

namespace fangxian::gateway {

struct RoutedService {
  std::string name;     // "identity"
  std::string env_var;  // "FX_IDENTITY_ADDR"
  const google::protobuf::ServiceDescriptor* descriptor;
};

// identity, checkpoint, quarantine and publicity, from the generated descriptor pool.
// (bench's EchoService is not routed.)
std::vector<RoutedService> RoutedServices();

// bench's EchoService (unary Echo and server-streaming StreamEcho): routed only when
// FX_BENCH_ADDR is set, for benchmarks and tests of the gateway itself.
RoutedService BenchEchoService();

}  // namespace fangxian::gateway

#endif  // FANGXIAN_GATEWAY_SERVICES_H_
