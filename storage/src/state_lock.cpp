#include "crawl/storage/state_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace crawl::storage {

std::unique_ptr<state_lock> state_lock::acquire(const std::string& state_path, bool wait, std::string& error) {
  std::string lock_path = state_path + ".lock";
  int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    error = lock_path + ": " + std::strerror(errno);
    return nullptr;
  }
  if (::flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0) {
    char pid[32] = {0};
    ssize_t n = ::pread(fd, pid, sizeof pid - 1, 0);
    std::string holder = n > 0 ? std::string(pid, static_cast<std::size_t>(n)) : "unknown";
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
    error = state_path + " is locked by another run (pid " + holder + "); use --wait-lock to wait for it";
    ::close(fd);
    return nullptr;
  }
  std::string me = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) == 0) (void)!::pwrite(fd, me.data(), me.size(), 0);
  auto lock = std::unique_ptr<state_lock>(new state_lock());
  lock->fd_ = fd;
  return lock;
}

state_lock::~state_lock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

}  // namespace crawl::storage
