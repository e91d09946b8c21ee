// Vehicle plates as read at a gate or written on a registration: one normalisation and
// validation rule, shared by identity (registering vehicles, looking them up) and the
// checkpoint passage log (validating the plate before anything else happens).
#ifndef FANGXIAN_COMMON_PLATE_H_
#define FANGXIAN_COMMON_PLATE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace fangxian::common {

// The normalised form of a plate as people write it: spaces (also U+3000), '·', '・', '•',
// '-', '.' and their full-width forms removed; full-width letters and digits made
// half-width; letters upper-cased. Then it must be a mainland plate: a province
// abbreviation, a letter A-Z other than I and O, and either 5 of A-Z (no I, O) and 0-9
// (7 characters), or per GA 36-2018 for new energy (8 characters) D or F, a letter or
// digit, 4 digits (small cars), or 5 digits then D or F (large vehicles). Anything else is
// INVALID_ARGUMENT naming `field`, what is wrong and the expected shape.
absl::StatusOr<std::string> NormalizePlate(absl::string_view field, absl::string_view raw);

// True for a normalised 8-character (new-energy) plate.
bool IsNewEnergyPlate(absl::string_view normalised_plate);

}  // namespace fangxian::common

#endif  // FANGXIAN_COMMON_PLATE_H_
