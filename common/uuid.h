// Identifiers the services make themselves, as lower-case UUID text.
#ifndef FANGXIAN_COMMON_UUID_H_
#define FANGXIAN_COMMON_UUID_H_

#include <string>

#include "absl/time/time.h"

namespace fangxian::common {

// A version 7 UUID (RFC 9562): the Unix time in milliseconds, then a 12-bit sequence, then
// 62 random bits. Each one this process makes is greater than the one before (the sequence
// counts up within a millisecond and borrows the next millisecond when it runs out), so a
// B-tree on such ids is appended to at its right edge instead of being written all over:
// the rows of a log keyed by them cost one hot index page, not one random page each. The
// time it carries is when the row was made, which the row says anyway; the random part
// comes from a per-thread generator seeded by the operating system (no system call per id).
std::string TimeOrderedUuid(absl::Time now);

}  // namespace fangxian::common

#endif  // FANGXIAN_COMMON_UUID_H_
