#include "command_inputs.hpp"

#include "command_outputs.hpp"
#include "diagnostics.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

namespace crawl::app {

std::string unreadable(const std::string& path, bool rotating) {
  if (path == "-") return {};
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  for (int tries = 0; fd < 0 && errno == ENOENT && rotating && tries < 100; ++tries) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  }
  if (fd < 0) return path + ": " + std::strerror(errno);
  struct ::stat st {};
  bool folder = ::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
  ::close(fd);
  return folder ? path + ": is a folder" : std::string();
}

int lock_state(const std::string& state_path, bool wait, std::unique_ptr<storage::state_lock>& lock) {
  auto attempt = storage::state_lock::acquire(state_path, wait);
  if (!attempt.lock) {
    log_line("error", attempt.error, {{"file", state_path + ".lock"}});
    return attempt.held_elsewhere ? exit_status::locked : exit_status::usage;
  }
  lock = std::move(attempt.lock);
  return exit_status::ok;
}

}  // namespace crawl::app
