#include "gateway/path_template.h"

#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace fangxian::gateway {
namespace {

bool IsLiteralChar(char c) {
  // Printable ASCII except the template's own punctuation.
  if (c <= 0x20 || c >= 0x7f) return false;
  switch (c) {
    case '/':
    case '{':
    case '}':
    case '*':
    case ':':
    case '=':
    case '?':
    case '#':
      return false;
    default:
      return true;
  }
}

bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes one path segment; `keep_slash` leaves "%2F" encoded (multi-segment variables,
// where a literal "/" separates segments).
bool DecodeSegment(absl::string_view in, bool keep_slash, std::string* out) {
  if (!keep_slash) return PercentDecode(in, false, out);
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size() && in[i + 1] == '2' &&
        (in[i + 2] == 'f' || in[i + 2] == 'F')) {
      out->append(in.data() + i, 3);
      i += 2;
      continue;
    }
    if (in[i] == '%') {
      if (i + 2 >= in.size() || HexValue(in[i + 1]) < 0 || HexValue(in[i + 2]) < 0) {
        return false;
      }
      out->push_back(static_cast<char>(HexValue(in[i + 1]) * 16 + HexValue(in[i + 2])));
      i += 2;
      continue;
    }
    out->push_back(in[i]);
  }
  return true;
}

// "." or ".." once decoded ("%2E", ".%2e" included).
bool IsDotSegment(absl::string_view raw) {
  if (raw.empty() || raw.size() > 6) return false;  // "%2E%2E" is the longest
  std::string decoded;
  return PercentDecode(raw, false, &decoded) && (decoded == "." || decoded == "..");
}

// "%2F" or "%5C" (either case) in a raw segment. "%252F" is an escaped "%", not a slash.
bool HasEncodedSlash(absl::string_view raw) {
  for (size_t i = 0; i + 2 < raw.size(); ++i) {
    if (raw[i] != '%') continue;
    const char hi = raw[i + 1];
    const char lo = static_cast<char>(raw[i + 2] | 0x20);  // lower-case a hex letter
    if ((hi == '2' && lo == 'f') || (hi == '5' && lo == 'c')) return true;
  }
  return false;
}

class Parser {
 public:
  explicit Parser(absl::string_view text) : text_(text) {}

  absl::Status Error(absl::string_view what) const {
    return absl::InvalidArgumentError(
        absl::StrCat("bad path template \"", text_, "\" at offset ", pos_, ": ", what));
  }
  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }

  absl::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

bool PercentDecode(absl::string_view in, bool plus_is_space, std::string* out) {
  out->clear();
  out->reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      const int hi = HexValue(in[i + 1]);
      const int lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out->push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out->push_back(' ');
    } else {
      out->push_back(c);
    }
  }
  return true;
}

absl::StatusOr<PathTemplate> PathTemplate::Parse(absl::string_view text) {
  PathTemplate t;
  t.text_ = std::string(text);
  Parser p(text);
  if (p.Peek() != '/') return p.Error("must start with '/'");
  ++p.pos_;

  // Parses Segments; inside a variable `in_variable` forbids nested variables.
  auto parse_segments = [&](bool in_variable, auto& self) -> absl::Status {
    while (true) {
      const char c = p.Peek();
      if (c == '{') {
        if (in_variable) return p.Error("variables cannot nest");
        ++p.pos_;
        const size_t name_start = p.pos_;
        while (true) {
          if (!IsIdentStart(p.Peek())) return p.Error("expected a field name");
          while (IsIdentChar(p.Peek())) ++p.pos_;
          if (p.Peek() != '.') break;
          ++p.pos_;
        }
        Variable v;
        v.field_path = std::string(text.substr(name_start, p.pos_ - name_start));
        v.start = t.segments_.size();
        if (p.Peek() == '=') {
          ++p.pos_;
          if (absl::Status s = self(true, self); !s.ok()) return s;
        } else {
          t.segments_.push_back({Kind::kSingle, ""});
        }
        if (p.Peek() != '}') return p.Error("expected '}'");
        ++p.pos_;
        v.end = t.segments_.size();
        t.variables_.push_back(std::move(v));
      } else if (c == '*') {
        ++p.pos_;
        if (p.Peek() == '*') {
          ++p.pos_;
          t.segments_.push_back({Kind::kMulti, ""});
        } else {
          t.segments_.push_back({Kind::kSingle, ""});
        }
      } else if (IsLiteralChar(c)) {
        const size_t start = p.pos_;
        while (IsLiteralChar(p.Peek())) ++p.pos_;
        t.segments_.push_back({Kind::kLiteral, std::string(text.substr(start, p.pos_ - start))});
      } else {
        return p.Error(p.AtEnd() ? "empty segment" : "unexpected character");
      }
      if (p.Peek() != '/') return absl::OkStatus();
      ++p.pos_;
    }
  };
  if (absl::Status s = parse_segments(false, parse_segments); !s.ok()) return s;

  if (p.Peek() == ':') {
    ++p.pos_;
    const size_t start = p.pos_;
    while (IsLiteralChar(p.Peek())) ++p.pos_;
    if (p.pos_ == start) return p.Error("empty verb");
    t.verb_ = std::string(text.substr(start, p.pos_ - start));
  }
  if (!p.AtEnd()) return p.Error("unexpected character");

  for (size_t i = 0; i + 1 < t.segments_.size(); ++i) {
    if (t.segments_[i].kind == Kind::kMulti) {
      return absl::InvalidArgumentError(
          absl::StrCat("bad path template \"", text, "\": '**' must be the last segment"));
    }
  }
  std::set<std::string> seen;
  for (const Variable& v : t.variables_) {
    if (!seen.insert(v.field_path).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          "bad path template \"", text, "\": variable \"", v.field_path, "\" appears twice"));
    }
  }
  return t;
}

bool PathTemplate::Match(absl::string_view path, std::vector<std::string>* values) const {
  if (path.empty() || path[0] != '/') return false;
  path.remove_prefix(1);
  if (!verb_.empty()) {
    const std::string suffix = absl::StrCat(":", verb_);
    if (path.size() < suffix.size() || path.substr(path.size() - suffix.size()) != suffix) {
      return false;
    }
    path.remove_suffix(suffix.size());
    // The verb belongs to the last segment, never to an earlier one.
    if (!path.empty() && path.back() == '/') return false;
  }
  const std::vector<absl::string_view> parts = absl::StrSplit(path, '/');
  const size_t n = segments_.size();
  const bool open_end = n > 0 && segments_.back().kind == Kind::kMulti;
  if (open_end ? parts.size() < n - 1 : parts.size() != n) return false;
  for (size_t i = 0; i < n && i < parts.size(); ++i) {
    const Segment& s = segments_[i];
    if (s.kind == Kind::kLiteral && parts[i] != s.literal) return false;
    if (s.kind == Kind::kSingle && parts[i].empty()) return false;
  }
  if (open_end) {
    for (size_t i = n - 1; i < parts.size(); ++i) {
      if (parts[i].empty()) return false;
    }
  }

  std::vector<std::string> out;
  out.reserve(variables_.size());
  for (const Variable& v : variables_) {
    const size_t end = (v.end == n && open_end) ? parts.size() : v.end;
    const bool multi = end - v.start != 1 || (open_end && v.end == n);
    std::vector<std::string> decoded;
    for (size_t i = v.start; i < end; ++i) {
      if (IsDotSegment(parts[i]) || (!multi && HasEncodedSlash(parts[i]))) return false;
      std::string d;
      if (!DecodeSegment(parts[i], multi, &d)) return false;
      decoded.push_back(std::move(d));
    }
    out.push_back(absl::StrJoin(decoded, "/"));
  }
  if (values != nullptr) *values = std::move(out);
  return true;
}

absl::Status CheckRequestPath(absl::string_view path) {
  for (absl::string_view segment : absl::StrSplit(path, '/')) {
    if (IsDotSegment(segment)) {
      return absl::InvalidArgumentError("a path segment may not be \".\" or \"..\"");
    }
    if (HasEncodedSlash(segment) || absl::StrContains(segment, '\\')) {
      return absl::InvalidArgumentError(
          "a path segment may not hold \"\\\" or an encoded \"/\" or \"\\\" (%2F, %5C)");
    }
  }
  return absl::OkStatus();
}

int PathTemplate::Specificity() const {
  int score = verb_.empty() ? 0 : 1;
  for (const Segment& s : segments_) {
    if (s.kind == Kind::kLiteral) score += 4;
    if (s.kind == Kind::kSingle) score += 2;
  }
  return score;
}

}  // namespace fangxian::gateway
