#include "tests/support/process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "tests/support/test_env.h"

namespace fangxian::testing {
namespace {

std::string TempPath(const std::string& tag) {
  static int n = 0;
  const char* tmp = std::getenv("TMPDIR");
  return absl::StrCat(tmp ? tmp : "/tmp", "/fx-test-", ::getpid(), "-", n++, "-", tag);
}

}  // namespace

ChildProcess::ChildProcess(const std::string& binary, std::map<std::string, std::string> env,
                           std::vector<std::string> args) {
  port_file_ = TempPath("ports.json");
  stderr_file_ = TempPath("stderr.log");
  env["FX_PORT_FILE"] = port_file_;
  const std::string path = absl::StrCat(BuildDir(), "/", binary);
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : env) env_strings.push_back(absl::StrCat(k, "=", v));
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  // posix_spawn, not fork: the test process has gRPC threads, and only async-signal-safe
  // work may happen between fork and exec.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_file_.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  // Not the test's stdout: a child outliving a crashed test must not hold ctest's pipe.
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  std::vector<char*> argv = {const_cast<char*>(path.c_str())};
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const int rc = ::posix_spawn(&pid_, path.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + path + ": " + std::strerror(rc));
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && exit_status_ == -1) Terminate(std::chrono::seconds(5));
  std::remove(port_file_.c_str());
  std::remove(stderr_file_.c_str());
}

int ChildProcess::WaitForPort(const std::string& key, std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    std::ifstream f(port_file_);
    if (f) {
      std::stringstream ss;
      ss << f.rdbuf();
      const std::string s = ss.str();
      const std::string needle = "\"" + key + "\":";
      const size_t at = s.find(needle);
      if (at != std::string::npos) {
        size_t end = at + needle.size();
        while (end < s.size() && (s[end] == '-' || isdigit(static_cast<unsigned char>(s[end]))))
          ++end;
        int port = 0;
        if (absl::SimpleAtoi(s.substr(at + needle.size(), end - at - needle.size()), &port)) {
          return port;
        }
      }
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
      throw std::runtime_error(
          absl::StrCat("process exited early with ", exit_status_, "; stderr:\n", Stderr()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling, not a timing guess
  }
  throw std::runtime_error("timed out waiting for the port file; stderr:\n" + Stderr());
}

int ChildProcess::WaitExit(std::chrono::milliseconds timeout) {
  if (exit_status_ != -1) return exit_status_;
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return exit_status_;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

void ChildProcess::Signal(int signal) {
  if (exit_status_ == -1) ::kill(pid_, signal);
}

int ChildProcess::Terminate(std::chrono::milliseconds grace) {
  if (exit_status_ != -1) return exit_status_;
  ::kill(pid_, SIGTERM);
  if (WaitExit(grace) != -1) return exit_status_;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  exit_status_ = -1;
  return -1;
}

std::string ChildProcess::Stderr() const {
  std::ifstream f(stderr_file_);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace fangxian::testing
