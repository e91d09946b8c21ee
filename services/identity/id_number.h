// Resident ID numbers (居民身份证号码) per GB 11643-1999, and masking of personal data.
#ifndef FANGXIAN_SERVICES_IDENTITY_ID_NUMBER_H_
#define FANGXIAN_SERVICES_IDENTITY_ID_NUMBER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace fangxian::identity {

// The ISO 7064 MOD 11-2 check character ('0'-'9' or 'X') of the first 17 digits.
char IdCheckCharacter(absl::string_view first17);

// Returns the canonical 18-character form of `raw`: surrounding spaces trimmed, a final
// 'x' upper-cased, a 15-digit legacy number converted (century 19 inserted, check
// character appended). Rejects, with INVALID_ARGUMENT and a reason that never echoes the
// number: wrong length or characters, an unknown province or a province-level region
// code (except the 810000/820000/830000 of residence permits; counties are not yet
// checked against the GB/T 2260 list), an impossible birth date or one before 1900 or after
// `today`, a wrong check character.
absl::StatusOr<std::string> NormalizeIdNumber(absl::string_view raw, absl::CivilDay today);

// First 3 and last 4 characters visible: "110***********123X".
std::string MaskIdNumber(absl::string_view id);

// Mainland mobile numbers: 11 digits, "1" then 3-9.
bool IsMobilePhone(absl::string_view phone);
// "138****5678".
std::string MaskPhone(absl::string_view phone);

}  // namespace fangxian::identity

#endif  // FANGXIAN_SERVICES_IDENTITY_ID_NUMBER_H_
