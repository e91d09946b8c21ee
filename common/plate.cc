#include "common/plate.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/json.h"
#include "common/validate.h"

namespace fangxian::common {
namespace {

// Longest raw plate looked at; real ones with separators and full-width forms stay far
// below, and the bound keeps the work per lookup small.
constexpr size_t kMaxRawPlateBytes = 64;

// The 31 province-level abbreviations used on mainland plates.
constexpr absl::string_view kProvinces =
    "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼";

constexpr absl::string_view kPlateShape =
    "; expected a mainland plate: a province abbreviation (such as 豫), a letter A-Z other "
    "than I and O, then 5 letters or digits (7 characters, e.g. 豫A12345), or for new energy "
    "8 characters: D or F, a letter or digit and 4 digits (豫AD12345), or 5 digits and D or F "
    "(豫A12345D)";

// Decodes the well-formed UTF-8 sequence of `len` bytes at `p`.
char32_t DecodeUtf8(const char* p, size_t len) {
  const auto b = [p](size_t i) { return static_cast<unsigned char>(p[i]); };
  switch (len) {
    case 1:
      return b(0);
    case 2:
      return (char32_t{b(0)} & 0x1F) << 6 | (b(1) & 0x3F);
    case 3:
      return (char32_t{b(0)} & 0x0F) << 12 | (char32_t{b(1)} & 0x3F) << 6 | (b(2) & 0x3F);
    default:
      return (char32_t{b(0)} & 0x07) << 18 | (char32_t{b(1)} & 0x3F) << 12 |
             (char32_t{b(2)} & 0x3F) << 6 | (b(3) & 0x3F);
  }
}

bool IsPlateSeparator(char32_t c) {
  switch (c) {
    case U' ':
    case U'\t':
    case U'\u3000':  // ideographic space
    case U'-':
    case U'.':
    case U'\u00B7':  // middle dot, as printed on plates
    case U'\u30FB':  // katakana middle dot, what many input methods type for '·'
    case U'\u2022':  // bullet
    case U'\uFF0D':  // full-width hyphen-minus
    case U'\uFF0E':  // full-width full stop
      return true;
    default:
      return false;
  }
}

// Full-width letters and digits to half-width ASCII, letters upper-cased; anything else
// unchanged (0 for "not ASCII").
char AsciiOf(char32_t c) {
  if (c >= U'\uFF10' && c <= U'\uFF19') return static_cast<char>('0' + (c - U'\uFF10'));
  if (c >= U'\uFF21' && c <= U'\uFF3A') return static_cast<char>('A' + (c - U'\uFF21'));
  if (c >= U'\uFF41' && c <= U'\uFF5A') return static_cast<char>('A' + (c - U'\uFF41'));
  if (c >= U'a' && c <= U'z') return static_cast<char>('A' + (c - U'a'));
  if (c < 0x80) return static_cast<char>(c);
  return 0;
}

bool IsPlateLetter(char c) { return c >= 'A' && c <= 'Z' && c != 'I' && c != 'O'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsPlateAlnum(char c) { return IsPlateLetter(c) || IsDigit(c); }
bool IsNewEnergyMark(char c) { return c == 'D' || c == 'F'; }

absl::Status BadPlate(absl::string_view field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(field, " ", why, kPlateShape));
}

// Why the 5 (ordinary) or 6 (new-energy) characters after province and letter do not fit;
// empty when they do.
std::string SerialProblem(absl::string_view serial) {
  if (serial.size() == 5) {
    if (std::all_of(serial.begin(), serial.end(), IsPlateAlnum)) return "";
    return "has a character other than A-Z (without I and O) and 0-9 in its last 5";
  }
  // New energy, GA 36-2018: small cars D/F first, large vehicles D/F last.
  if (IsNewEnergyMark(serial[0])) {
    if (IsPlateAlnum(serial[1]) && std::all_of(serial.begin() + 2, serial.end(), IsDigit)) {
      return "";
    }
    return "is a small new-energy plate (D or F first) whose next character is not a letter or "
           "digit or whose last 4 are not digits";
  }
  if (IsNewEnergyMark(serial[5])) {
    if (std::all_of(serial.begin(), serial.end() - 1, IsDigit)) return "";
    return "is a large new-energy plate (D or F last) whose first 5 are not all digits";
  }
  return "has 8 characters but is no new-energy plate (D or F first or last of the final 6)";
}

}  // namespace

absl::StatusOr<std::string> NormalizePlate(absl::string_view field, absl::string_view raw) {
  if (raw.size() > kMaxRawPlateBytes) return BadPlate(field, "is far too long");
  std::string ascii_tail;  // everything after the province, as ASCII
  std::string province;    // the first character, as written
  for (size_t i = 0; i < raw.size();) {
    const size_t len = Utf8SequenceLength(raw, i);
    if (len == 0) return absl::InvalidArgumentError(absl::StrCat(field, " is not valid UTF-8"));
    const char32_t c = DecodeUtf8(raw.data() + i, len);
    const absl::string_view bytes = raw.substr(i, len);
    i += len;
    if (IsPlateSeparator(c)) continue;
    if (province.empty()) {
      province = std::string(bytes);
      continue;
    }
    const char a = AsciiOf(c);
    if (a == 0) {
      return BadPlate(field, "has a character other than letters and digits after the province");
    }
    ascii_tail.push_back(a);
  }
  if (province.empty()) return absl::InvalidArgumentError(absl::StrCat(field, " is required"));
  // Every abbreviation is one 3-byte character; a substring match of 3 bytes at a
  // character boundary of kProvinces is a whole one.
  const size_t at = kProvinces.find(province);
  if (province.size() != 3 || at == absl::string_view::npos || at % 3 != 0) {
    return BadPlate(field, "does not start with a province abbreviation");
  }
  if (ascii_tail.size() != 6 && ascii_tail.size() != 7) {
    return BadPlate(field, absl::StrCat("has ", ascii_tail.size() + 1,
                                        " characters after normalisation, not 7 or 8"));
  }
  if (!IsPlateLetter(ascii_tail[0])) {
    return BadPlate(field, "must have a letter A-Z other than I and O after the province");
  }
  if (const std::string problem = SerialProblem(absl::string_view(ascii_tail).substr(1));
      !problem.empty()) {
    return BadPlate(field, problem);
  }
  return absl::StrCat(province, ascii_tail);
}

bool IsNewEnergyPlate(absl::string_view normalised_plate) {
  return Utf8Length(normalised_plate) == 8;
}

}  // namespace fangxian::common
