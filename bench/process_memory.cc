#include "bench/process_memory.h"

#include <algorithm>
#include <fstream>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace fangxian::bench {

int64_t ResidentKib(int pid) {
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(status, line)) {
    absl::string_view rest = line;
    if (!absl::ConsumePrefix(&rest, "VmRSS:")) continue;
    rest = absl::StripAsciiWhitespace(rest);
    absl::ConsumeSuffix(&rest, "kB");
    int64_t kib = -1;
    return absl::SimpleAtoi(absl::StripAsciiWhitespace(rest), &kib) ? kib : -1;
  }
  return -1;
}

RssWatcher::RssWatcher(int pid, std::chrono::steady_clock::duration after,
                       std::chrono::milliseconds every)
    : pid_(pid) {
  const auto warm = std::chrono::steady_clock::now() + after;
  thread_ = std::thread([this, warm, every] {
    while (!stop_.load()) {
      const int64_t kib = ResidentKib(pid_);
      if (kib > peak_.load()) peak_.store(kib);
      if (after_warmup_.load() < 0 && std::chrono::steady_clock::now() >= warm) {
        after_warmup_.store(kib);
      }
      std::this_thread::sleep_for(every);
    }
  });
}

RssWatcher::~RssWatcher() { Stop(); }

RssWatcher::Figures RssWatcher::Stop() {
  if (thread_.joinable()) {
    stop_.store(true);
    thread_.join();
  }
  Figures figures;
  figures.end_kib = ResidentKib(pid_);
  figures.after_warmup_kib = after_warmup_.load();
  figures.peak_kib = std::max(peak_.load(), figures.end_kib);
  return figures;
}

}  // namespace fangxian::bench
