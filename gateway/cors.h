// Cross-origin requests from browsers (CORS): only origins on a configured list get the
// Access-Control-* headers that let a page read the answer; for any other origin the
// gateway adds none, and the browser keeps the answer from the page. Credentials travel
// in the Authorization header, never in cookies, so credentialed CORS is not offered.
#ifndef FANGXIAN_GATEWAY_CORS_H_
#define FANGXIAN_GATEWAY_CORS_H_

#include <string>
#include <vector>

#include <boost/beast/http.hpp>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace fangxian::gateway {

// Request headers a page may send (preflight Access-Control-Allow-Headers).
inline constexpr char kCorsAllowHeaders[] =
    "Authorization, Content-Type, X-Request-Id, X-Timeout-Ms, Last-Event-ID";
// Response headers a page may read beyond the CORS-safelisted ones.
inline constexpr char kCorsExposeHeaders[] = "X-Request-Id, Retry-After";
// How long a browser may reuse a preflight answer, in seconds.
inline constexpr int kCorsMaxAgeSeconds = 600;

class Cors {
 public:
  // `list`: comma-separated exact origins ("https://app.example.gov.cn,http://localhost:3000");
  // empty turns CORS off. Each must be scheme://host[:port] with scheme http or https and
  // nothing after the authority; INVALID_ARGUMENT names the first that is not.
  static absl::StatusOr<Cors> Parse(absl::string_view list);

  Cors() = default;  // off
  explicit Cors(std::vector<std::string> origins) : origins_(std::move(origins)) {}

  bool enabled() const { return !origins_.empty(); }
  bool Allows(absl::string_view origin) const;

  // Headers of an actual (non-preflight) answer: Vary: Origin whenever CORS is on (the
  // answer differs by origin, caches must keep them apart), and for a listed origin
  // Access-Control-Allow-Origin and Access-Control-Expose-Headers.
  void Decorate(absl::string_view origin, boost::beast::http::fields* headers) const;

  // Headers of a preflight answer for `origin` to a path accepting `methods`: those of
  // Decorate plus, for a listed origin, Allow-Methods, Allow-Headers and Max-Age.
  void DecoratePreflight(absl::string_view origin, const std::vector<std::string>& methods,
                         boost::beast::http::fields* headers) const;

 private:
  std::vector<std::string> origins_;
};

}  // namespace fangxian::gateway

#endif  // FANGXIAN_GATEWAY_CORS_H_
