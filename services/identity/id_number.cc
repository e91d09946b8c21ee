#include "services/identity/id_number.h"

#include <algorithm>
#include <array>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace fangxian::identity {
namespace {

// Province-level prefixes in use (GB/T 2260), plus 71 (Taiwan) and 81/82/83 (residence
// permits of Hong Kong, Macao and Taiwan residents).
bool IsKnownProvince(int code) {
  static constexpr std::array<int, 35> kProvinces = {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34,
                                                     35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
                                                     53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83};
  return std::find(kProvinces.begin(), kProvinces.end(), code) != kProvinces.end();
}

bool AllDigits(absl::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isdigit(c)) return false;
  }
  return true;
}

absl::Status Invalid(absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("id_number: ", why));
}

}  // namespace

char IdCheckCharacter(absl::string_view first17) {
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static constexpr char kCheck[] = "10X98765432";
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (first17[i] - '0') * kWeights[i];
  return kCheck[sum % 11];
}

absl::StatusOr<std::string> NormalizeIdNumber(absl::string_view raw, absl::CivilDay today) {
  std::string id(absl::StripAsciiWhitespace(raw));
  if (id.empty()) return Invalid("is required");
  if (id.size() == 15) {
    if (!AllDigits(id)) return Invalid("a 15-character number must be all digits");
    const std::string first17 = absl::StrCat(id.substr(0, 6), "19", id.substr(6, 9));
    id = first17 + IdCheckCharacter(first17);
  } else if (id.size() == 18) {
    if (id[17] == 'x') id[17] = 'X';
    if (!AllDigits(id.substr(0, 17)) || !(absl::ascii_isdigit(id[17]) || id[17] == 'X')) {
      return Invalid("must be 17 digits followed by a digit or X");
    }
  } else {
    return Invalid("must be 18 characters (or a 15-digit legacy number)");
  }

  int province = 0;
  (void)absl::SimpleAtoi(id.substr(0, 2), &province);
  // Residents' numbers carry a county-level code; only the residence permits of Hong Kong,
  // Macao and Taiwan residents use the bare 810000/820000/830000. Checking the county
  // against the full GB/T 2260 list (current and historical codes) is not done yet.
  if (!IsKnownProvince(province) || (id.substr(2, 4) == "0000" && province < 81)) {
    return Invalid("region code (first 6 digits) is not a valid area code");
  }
  int year = 0, month = 0, day = 0;
  (void)absl::SimpleAtoi(id.substr(6, 4), &year);
  (void)absl::SimpleAtoi(id.substr(10, 2), &month);
  (void)absl::SimpleAtoi(id.substr(12, 2), &day);
  const absl::CivilDay birth(year, month, day);
  if (birth.year() != year || birth.month() != month || birth.day() != day) {
    return Invalid("birth date (digits 7-14) is not a real date");
  }
  if (year < 1900 || birth > today) {
    return Invalid("birth date (digits 7-14) is before 1900 or in the future");
  }
  if (IdCheckCharacter(id) != id[17]) {
    return Invalid("check character (last) does not match; re-read the number");
  }
  return id;
}

std::string MaskIdNumber(absl::string_view id) {
  if (id.size() <= 7) return std::string(id.size(), '*');
  return absl::StrCat(id.substr(0, 3), std::string(id.size() - 7, '*'), id.substr(id.size() - 4));
}

bool IsMobilePhone(absl::string_view phone) {
  return phone.size() == 11 && AllDigits(phone) && phone[0] == '1' && phone[1] >= '3';
}

std::string MaskPhone(absl::string_view phone) {
  if (phone.size() != 11) return std::string(phone.size(), '*');
  return absl::StrCat(phone.substr(0, 3), "****", phone.substr(7));
}

}  // namespace fangxian::identity
