// Admission control for a server: at most `limit` calls inside it at once, from the moment
// a call arrives until it is finished (queued for a worker, waiting for a group commit,
// anywhere). A call over the limit is refused as soon as its handler runs, before its
// token is checked or any work of ours is done for it (gRPC has received and parsed it),
// so the calls admitted keep their latency, and memory stays bounded instead of growing
// with every call the server cannot finish.
#ifndef FANGXIAN_COMMON_IN_FLIGHT_H_
#define FANGXIAN_COMMON_IN_FLIGHT_H_

#include <atomic>
#include <cstdint>
#include <optional>

namespace fangxian::common {

class InFlightLimit {
 public:
  // A call's place under the limit, given back when the Slot is released or destroyed.
  class Slot {
   public:
    Slot() = default;
    Slot(Slot&& other) noexcept : owner_(other.owner_) { other.owner_ = nullptr; }
    Slot& operator=(Slot&& other) noexcept {
      if (this != &other) {
        Release();
        owner_ = other.owner_;
        other.owner_ = nullptr;
      }
      return *this;
    }
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    ~Slot() { Release(); }

    void Release() {
      if (owner_ != nullptr) owner_->count_.fetch_sub(1, std::memory_order_relaxed);
      owner_ = nullptr;
    }

   private:
    friend class InFlightLimit;
    explicit Slot(InFlightLimit* owner) : owner_(owner) {}
    InFlightLimit* owner_ = nullptr;
  };

  // 0: no limit (every call is admitted, and still counted).
  explicit InFlightLimit(int64_t limit = 0) : limit_(limit) {}
  InFlightLimit(const InFlightLimit&) = delete;
  InFlightLimit& operator=(const InFlightLimit&) = delete;

  // Set before serving.
  void set_limit(int64_t limit) { limit_.store(limit, std::memory_order_relaxed); }
  int64_t limit() const { return limit_.load(std::memory_order_relaxed); }

  // A slot, or nothing when `limit` calls are in flight already.
  std::optional<Slot> TryAcquire() {
    const int64_t before = count_.fetch_add(1, std::memory_order_relaxed);
    const int64_t limit = limit_.load(std::memory_order_relaxed);
    if (limit > 0 && before >= limit) {
      count_.fetch_sub(1, std::memory_order_relaxed);
      return std::nullopt;
    }
    return Slot(this);
  }

  int64_t current() const { return count_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> limit_;
  std::atomic<int64_t> count_{0};
};

}  // namespace fangxian::common

#endif  // FANGXIAN_COMMON_IN_FLIGHT_H_
