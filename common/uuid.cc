#include "common/uuid.h"

#include <algorithm>
#include <atomic>
#include <cstdint>

#include "absl/random/random.h"

namespace fangxian::common {
namespace {

// The last (milliseconds << 12 | sequence) handed out: ids are ordered across threads.
std::atomic<uint64_t> last_stamp{0};

uint64_t NextStamp(absl::Time now) {
  const uint64_t ms = static_cast<uint64_t>(std::max<int64_t>(0, absl::ToUnixMillis(now)));
  const uint64_t floor = (ms & ((uint64_t{1} << 48) - 1)) << 12;
  uint64_t prev = last_stamp.load(std::memory_order_relaxed);
  uint64_t next;
  do {
    next = std::max(floor, prev + 1);
  } while (!last_stamp.compare_exchange_weak(prev, next, std::memory_order_relaxed));
  return next;
}

}  // namespace

std::string TimeOrderedUuid(absl::Time now) {
  thread_local absl::BitGen random;
  const uint64_t stamp = NextStamp(now);  // 48-bit milliseconds, 12-bit sequence
  const uint64_t hi = ((stamp >> 12) << 16) | (uint64_t{0x7} << 12) | (stamp & 0xFFF);
  const uint64_t lo = (absl::Uniform<uint64_t>(random) >> 2) | (uint64_t{0x2} << 62);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(36, '-');
  int pos = 0;
  auto put = [&](uint64_t word, int nibbles) {
    for (int i = nibbles - 1; i >= 0; --i) {
      if (pos == 8 || pos == 13 || pos == 18 || pos == 23) ++pos;
      out[pos++] = kHex[(word >> (4 * i)) & 0xF];
    }
  };
  put(hi, 16);
  put(lo, 16);
  return out;
}

}  // namespace fangxian::common
