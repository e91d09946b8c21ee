// Minimal JSON writing helpers for log lines and small bodies. Parsing goes through the
// protobuf JSON mapping (a message per shape), never through hand-written parsers.
#ifndef FANGXIAN_COMMON_JSON_H_
#define FANGXIAN_COMMON_JSON_H_

#include <string>
#include <string_view>

#include "absl/strings/string_view.h"

namespace fangxian::common {

// Appends `s` as a quoted JSON string: escapes quotes, backslashes and control
// characters; invalid UTF-8 bytes are replaced with U+FFFD so the line stays valid JSON.
void AppendJsonString(std::string& out, absl::string_view s);

std::string JsonString(absl::string_view s);

// Length of the well-formed UTF-8 sequence starting at s[i] (no overlong forms, no
// surrogates, nothing above U+10FFFF), or 0 if there is none.
size_t Utf8SequenceLength(absl::string_view s, size_t i);

}  // namespace fangxian::common

#endif  // FANGXIAN_COMMON_JSON_H_
