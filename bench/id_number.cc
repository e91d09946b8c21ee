#include "bench/id_number.h"

#include <utility>

#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "services/identity/id_number.h"

namespace fangxian::bench {

IdNumberGenerator::IdNumberGenerator(std::string region) : region_(std::move(region)) {}

std::string IdNumberGenerator::ForIndex(uint64_t index) const {
  index %= kCapacity;
  const absl::CivilDay birth = absl::CivilDay(1940, 1, 1) + static_cast<int64_t>(index / 1000);
  std::string id = absl::StrFormat("%s%04d%02d%02d%03d", region_, birth.year(), birth.month(),
                                   birth.day(), static_cast<int>(index % 1000));
  id.push_back(identity::IdCheckCharacter(id));
  return id;
}

}  // namespace fangxian::bench
