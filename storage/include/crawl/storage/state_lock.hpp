#pragma once
// The lock that keeps two runs on the same state file from overlapping.
#include <memory>
#include <string>

namespace crawl::storage {

class state_lock;

struct lock_attempt {
  std::unique_ptr<state_lock> lock;  // null when not acquired
  bool held_elsewhere = false;       // another run holds it (exit 75); else the lock file is unusable (exit 2)
  std::string error;                 // why not, naming the file or the holder's pid
};

// An exclusive lock on "<state>.lock" (flock), naming its holder's pid. The
// lock file is opened without following a symbolic link and must be a
// regular file: a link planted there could otherwise have us truncate and
// write to any file we may write.
class state_lock {
 public:
  // wait: block until the holder is done; otherwise fail at once when
  // another process holds it.
  static lock_attempt acquire(const std::string& state_path, bool wait);
  ~state_lock();

 private:
  int fd_ = -1;
};

}  // namespace crawl::storage
