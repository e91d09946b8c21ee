// URL path templates of the google.api.http convention (google/api/http.proto):
//   Template = "/" Segments [ Verb ] ;
//   Segments = Segment { "/" Segment } ;
//   Segment  = "*" | "**" | LITERAL | Variable ;
//   Variable = "{" FieldPath [ "=" Segments ] "}" ;
//   FieldPath = IDENT { "." IDENT } ;
//   Verb     = ":" LITERAL ;
// "{name}" is short for "{name=*}". "**" (any number of segments, including none) is
// accepted only as the last segment, which keeps matching linear and unambiguous.
#ifndef FANGXIAN_GATEWAY_PATH_TEMPLATE_H_
#define FANGXIAN_GATEWAY_PATH_TEMPLATE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace fangxian::gateway {

class PathTemplate {
 public:
  struct Variable {
    std::string field_path;  // "resident_id", "parent.name"
    size_t start = 0;        // first segment index covered
    size_t end = 0;          // one past the last covered segment index
  };

  // INVALID_ARGUMENT naming what is wrong with `text`.
  static absl::StatusOr<PathTemplate> Parse(absl::string_view text);

  // Matches a request path (no query string). On success `values` holds one
  // percent-decoded value per variable, in the order of variables(). A multi-segment
  // value keeps its "/" separators and its encoded slashes ("%2F") encoded. A variable
  // never matches a "." or ".." segment (raw or encoded), and a single-segment variable
  // never matches a segment holding an encoded "/" or "\" ("%2F", "%5C").
  bool Match(absl::string_view path, std::vector<std::string>* values) const;

  const std::vector<Variable>& variables() const { return variables_; }
  const std::string& verb() const { return verb_; }
  const std::string& text() const { return text_; }
  // Higher is more specific: literal segments and a verb count; "**" counts against.
  // Used to choose among several templates that match one path.
  int Specificity() const;

 private:
  enum class Kind { kLiteral, kSingle, kMulti };
  struct Segment {
    Kind kind;
    std::string literal;
  };

  std::string text_;
  std::vector<Segment> segments_;
  std::vector<Variable> variables_;
  std::string verb_;
};

// Decodes %XX escapes. `plus_is_space` for query strings. False on a malformed escape.
bool PercentDecode(absl::string_view in, bool plus_is_space, std::string* out);

// The gateway's policy for a request path (no query string), applied before any route is
// matched. INVALID_ARGUMENT when a segment is "." or ".." (also percent-encoded: "%2E",
// ".%2e"), or a segment holds a percent-encoded "/" or "\" ("%2F", "%5C"): such a value
// would name something other than the segment shows, and a service that builds a path or
// key from it could be led elsewhere. No route has a multi-segment variable, where an
// encoded "/" could be meant (Match keeps it encoded there), so the rule has no exception.
// A malformed escape is left to matching (no route: 404).
absl::Status CheckRequestPath(absl::string_view path);

}  // namespace fangxian::gateway

#endif  // FANGXIAN_GATEWAY_PATH_TEMPLATE_H_
