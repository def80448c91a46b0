#include "crawl/storage/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace crawl::storage {
namespace {

std::string folder_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

void sync_folder(const std::string& folder) {
  int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

atomic_file::atomic_file(atomic_file&& other) noexcept
    : file_(std::exchange(other.file_, nullptr)),
      path_(std::move(other.path_)),
      temp_path_(std::move(other.temp_path_)),
      failed_(other.failed_) {}

atomic_file& atomic_file::operator=(atomic_file&& other) noexcept {
  if (this != &other) {
    discard();
    file_ = std::exchange(other.file_, nullptr);
    path_ = std::move(other.path_);
    temp_path_ = std::move(other.temp_path_);
    failed_ = other.failed_;
  }
  return *this;
}

atomic_file::~atomic_file() { discard(); }

void atomic_file::discard() {
  if (!file_) return;
  std::fclose(file_);
  file_ = nullptr;
  ::unlink(temp_path_.c_str());
}

bool atomic_file::open(const std::string& path, std::string& error) {
  discard();
  path_ = path;
  std::string base = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
  temp_path_ = folder_of(path) + "/." + base + ".tmp.XXXXXX";
  int fd = ::mkostemp(temp_path_.data(), O_CLOEXEC);
  if (fd < 0) {
    error = path + ": cannot create a temporary file beside it: " + std::strerror(errno);
    return false;
  }
  ::fchmod(fd, 0644);
  file_ = ::fdopen(fd, "w");
  if (!file_) {
    error = path + ": " + std::strerror(errno);
    ::close(fd);
    ::unlink(temp_path_.c_str());
    return false;
  }
  failed_ = false;
  return true;
}

void atomic_file::write(std::string_view bytes) {
  if (!file_ || bytes.empty()) return;
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) failed_ = true;
}

bool atomic_file::commit(std::string& error) {
  if (!file_) {
    error = path_ + ": not open";
    return false;
  }
  bool ok = !failed_ && std::fflush(file_) == 0 && ::fsync(::fileno(file_)) == 0;
  int saved = errno;
  ok = (std::fclose(file_) == 0) && ok;
  file_ = nullptr;
  if (ok && ::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    ok = false;
    saved = errno;
  }
  if (!ok) {
    ::unlink(temp_path_.c_str());
    error = path_ + ": write failed: " + std::strerror(saved ? saved : EIO);
    return false;
  }
  sync_folder(folder_of(path_));
  return true;
}

}  // namespace crawl::storage
