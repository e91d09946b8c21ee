// Runs one of our binaries as a child process for black-box tests: fixed environment,
// port 0 everywhere, and the ports read back from the FX_PORT_FILE it writes once it
// listens. The child is sent SIGTERM (then SIGKILL) when the object goes away.
#ifndef FANGXIAN_TESTS_SUPPORT_PROCESS_H_
#define FANGXIAN_TESTS_SUPPORT_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace fangxian::testing {

class ChildProcess {
 public:
  // `binary` is relative to the build folder ("services/identity/identity_server");
  // `args` are its command-line arguments.
  ChildProcess(const std::string& binary, std::map<std::string, std::string> env,
               std::vector<std::string> args = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Waits (polling, bounded) until the port file exists and returns the integer field
  // `key` from it ("grpc_port", "http_port", "metrics_port"). Throws on timeout or exit.
  int WaitForPort(const std::string& key,
                  std::chrono::milliseconds timeout = std::chrono::seconds(20));

  // Sends `signal` without waiting.
  void Signal(int signal);

  // Sends SIGTERM and waits for the exit status (-1 if it had to be killed).
  int Terminate(std::chrono::milliseconds grace = std::chrono::seconds(15));
  // Waits for the child to exit by itself; returns its exit status or -1 on timeout.
  int WaitExit(std::chrono::milliseconds timeout);

  // Everything the child wrote to stderr so far.
  std::string Stderr() const;

 private:
  pid_t pid_ = -1;
  int exit_status_ = -1;
  std::string port_file_;
  std::string stderr_file_;
};

}  // namespace fangxian::testing

#endif  // FANGXIAN_TESTS_SUPPORT_PROCESS_H_
