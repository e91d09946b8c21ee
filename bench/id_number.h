// Valid, distinct resident ID numbers (GB 11643-1999) for load tests that create
// residents: each number must be unique or the service answers ALREADY_EXISTS.
#ifndef FANGXIAN_BENCH_ID_NUMBER_H_
#define FANGXIAN_BENCH_ID_NUMBER_H_

#include <cstdint>
#include <string>

namespace fangxian::bench {

// Maps an index to an 18-character ID number: region code, a birth date counted in days
// from 1940-01-01 (index / 1000), a sequence number (index % 1000) and the check
// character (identity's IdCheckCharacter). Distinct indexes below kCapacity give distinct numbers,
// all with real calendar dates in the past.
class IdNumberGenerator {
 public:
  // 1940-01-01 .. 2005-12-31, 1000 sequence numbers per day.
  static constexpr uint64_t kDays = 24107;
  static constexpr uint64_t kCapacity = kDays * 1000;

  // `region`: 6 digits, e.g. "410181" (Gongyi).
  explicit IdNumberGenerator(std::string region = "410181");

  // Indexes wrap at kCapacity.
  std::string ForIndex(uint64_t index) const;

 private:
  std::string region_;
};

}  // namespace fangxian::bench

#endif  // FANGXIAN_BENCH_ID_NUMBER_H_
