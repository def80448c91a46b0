#include "command_inputs.hpp"

#include "command_outputs.hpp"
#include "diagnostics.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

namespace crawl::app {

// stat() and access(), not open(): the input is opened once, by its reader
// (a test that watches which files the process holds open relies on it).
std::string unreadable(const std::string& path, bool rotating) {
  if (path == "-") return {};
  struct ::stat st {};
  int rc = ::stat(path.c_str(), &st);
  for (int tries = 0; rc != 0 && errno == ENOENT && rotating && tries < 100; ++tries) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    rc = ::stat(path.c_str(), &st);
  }
  if (rc != 0 || ::access(path.c_str(), R_OK) != 0) return path + ": " + std::strerror(errno);
  return S_ISDIR(st.st_mode) ? path + ": is a folder" : std::string();
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
