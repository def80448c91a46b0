#include "crawl/storage/state_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace crawl::storage {

lock_attempt state_lock::acquire(const std::string& state_path, bool wait) {
  lock_attempt out;
  std::string lock_path = state_path + ".lock";
  int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0644);
  if (fd < 0) {
    out.error = lock_path + ": " + (errno == ELOOP ? std::string("is a symbolic link; not followed") : std::strerror(errno));
    return out;
  }
  struct ::stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    out.error = lock_path + ": not a regular file";
    ::close(fd);
    return out;
  }
  if (::flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0) {
    int saved = errno;
    if (saved != EWOULDBLOCK) {
      out.error = lock_path + ": " + std::strerror(saved);
      ::close(fd);
      return out;
    }
    char pid[32] = {0};
    ssize_t n = ::pread(fd, pid, sizeof pid - 1, 0);
    std::string holder = n > 0 ? std::string(pid, static_cast<std::size_t>(n)) : "unknown";
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
    out.held_elsewhere = true;
    out.error = state_path + " is locked by another run (pid " + holder + "); use --wait-lock to wait for it";
    ::close(fd);
    return out;
  }
  std::string me = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) == 0) (void)!::pwrite(fd, me.data(), me.size(), 0);
  out.lock = std::unique_ptr<state_lock>(new state_lock());
  out.lock->fd_ = fd;
  return out;
}

state_lock::~state_lock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

}  // namespace crawl::storage
