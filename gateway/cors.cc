#include "gateway/cors.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace fangxian::gateway {
namespace {

namespace http = boost::beast::http;

// An origin as browsers send it: scheme://host[:port], lower-case scheme and host, no
// path, query, fragment or user info.
bool IsOrigin(absl::string_view o) {
  absl::string_view rest = o;
  if (!absl::ConsumePrefix(&rest, "https://") && !absl::ConsumePrefix(&rest, "http://")) {
    return false;
  }
  if (rest.empty()) return false;
  for (char c : rest) {
    const bool ok = absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '.' || c == '-' ||
                    c == ':' || c == '[' || c == ']';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<Cors> Cors::Parse(absl::string_view list) {
  std::vector<std::string> origins;
  for (absl::string_view part : absl::StrSplit(list, ',', absl::SkipWhitespace())) {
    const absl::string_view origin = absl::StripAsciiWhitespace(part);
    if (!IsOrigin(origin)) {
      return absl::InvalidArgumentError(
          absl::StrCat("\"", origin,
                       "\" is not an origin (scheme://host[:port], lower case, http or https, "
                       "no path)"));
    }
    origins.emplace_back(origin);
  }
  return Cors(std::move(origins));
}

bool Cors::Allows(absl::string_view origin) const {
  return std::find(origins_.begin(), origins_.end(), origin) != origins_.end();
}

void Cors::Decorate(absl::string_view origin, http::fields* headers) const {
  if (!enabled()) return;
  headers->set(http::field::vary, "Origin");
  if (!Allows(origin)) return;
  headers->set(http::field::access_control_allow_origin,
               boost::beast::string_view(origin.data(), origin.size()));
  headers->set(http::field::access_control_expose_headers, kCorsExposeHeaders);
}

void Cors::DecoratePreflight(absl::string_view origin, const std::vector<std::string>& methods,
                             http::fields* headers) const {
  Decorate(origin, headers);
  if (!enabled() || !Allows(origin)) return;
  headers->set(http::field::access_control_allow_methods, absl::StrJoin(methods, ", "));
  headers->set(http::field::access_control_allow_headers, kCorsAllowHeaders);
  headers->set(http::field::access_control_max_age, std::to_string(kCorsMaxAgeSeconds));
}

}  // namespace fangxian::gateway
