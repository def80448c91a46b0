#pragma once
// The lock that keeps two runs on the same state file from overlapping.
#include <memory>
#include <string>

namespace crawl::storage {

// An exclusive lock on "<state>.lock" (flock), naming its holder's pid.
class state_lock {
 public:
  // wait: block until the holder is done. Otherwise, when another process
  // holds it, returns nullptr with `error` naming that process.
  static std::unique_ptr<state_lock> acquire(const std::string& state_path, bool wait, std::string& error);
  ~state_lock();

 private:
  int fd_ = -1;
};

}  // namespace crawl::storage
