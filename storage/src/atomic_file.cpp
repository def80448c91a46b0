#include "crawl/storage/atomic_file.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <utility>

namespace crawl::storage {
namespace {

std::string folder_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// mkdir -p: each missing folder gets the mode the umask allows.
bool make_folders(const std::string& folder, std::string& error) {
  struct ::stat st {};
  if (::stat(folder.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return true;
    error = folder + ": is not a folder";
    return false;
  }
  if (folder != "/" && folder != "." && !make_folders(folder_of(folder), error)) return false;
  if (::mkdir(folder.c_str(), 0777) != 0 && errno != EEXIST) {
    error = folder + ": cannot create the folder: " + std::strerror(errno);
    return false;
  }
  return true;
}

void sync_folder(const std::string& folder) {
  int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

// The mode a new file gets from open(..., 0666): the umask read without
// changing it (/proc), or by the set-and-restore dance where /proc is absent.
mode_t mode_for_new_file() {
  if (std::FILE* f = std::fopen("/proc/self/status", "r")) {
    char line[256];
    unsigned mask = 0;
    bool found = false;
    while (std::fgets(line, sizeof line, f))
      if (std::sscanf(line, "Umask: %o", &mask) == 1) {
        found = true;
        break;
      }
    std::fclose(f);
    if (found) return 0666 & ~static_cast<mode_t>(mask);
  }
  mode_t mask = ::umask(022);
  ::umask(mask);
  return 0666 & ~mask;
}

// Temporary files of this destination left by processes that are gone (a
// SIGKILL leaves them: no destructor runs). Their names carry the writer's
// pid; a live writer's are left alone.
void remove_stale_temporaries(const std::string& folder, const std::string& base) {
  DIR* dir = ::opendir(folder.c_str());
  if (!dir) return;
  std::string prefix = "." + base + ".tmp.";
  while (dirent* entry = ::readdir(dir)) {
    std::string_view name = entry->d_name;
    if (name.substr(0, prefix.size()) != prefix) continue;
    name.remove_prefix(prefix.size());
    long pid = 0;
    auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), pid);
    if (ec != std::errc() || end == name.data() || *end != '.' || pid <= 0) continue;
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
    ::unlinkat(::dirfd(dir), entry->d_name, 0);
  }
  ::closedir(dir);
}

}  // namespace

atomic_file::atomic_file(atomic_file&& other) noexcept
    : file_(std::exchange(other.file_, nullptr)),
      path_(std::move(other.path_)),
      temp_path_(std::move(other.temp_path_)),
      failed_(other.failed_),
      finished_(std::exchange(other.finished_, false)) {}

atomic_file& atomic_file::operator=(atomic_file&& other) noexcept {
  if (this != &other) {
    discard();
    file_ = std::exchange(other.file_, nullptr);
    path_ = std::move(other.path_);
    temp_path_ = std::move(other.temp_path_);
    failed_ = other.failed_;
    finished_ = std::exchange(other.finished_, false);
  }
  return *this;
}

atomic_file::~atomic_file() { discard(); }

void atomic_file::discard() {
  if (!file_ && !finished_) return;
  if (file_) std::fclose(file_);
  file_ = nullptr;
  finished_ = false;
  ::unlink(temp_path_.c_str());
}

bool atomic_file::open(const std::string& path, std::string& error) {
  discard();
  path_ = path;
  struct ::stat target {};
  if (::stat(path.c_str(), &target) == 0 && S_ISDIR(target.st_mode)) {
    error = path + ": is a folder; give a file name";
    return false;
  }
  if (!make_folders(folder_of(path), error)) return false;
  std::string base = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
  remove_stale_temporaries(folder_of(path), base);
  temp_path_ = folder_of(path) + "/." + base + ".tmp." + std::to_string(::getpid()) + ".XXXXXX";
  int fd = ::mkostemp(temp_path_.data(), O_CLOEXEC);
  if (fd < 0) {
    error = path + ": cannot create a temporary file beside it: " + std::strerror(errno);
    return false;
  }
  struct ::stat existing {};
  mode_t mode = ::stat(path.c_str(), &existing) == 0 && S_ISREG(existing.st_mode) ? existing.st_mode & 07777
                                                                                 : mode_for_new_file();
  ::fchmod(fd, mode);
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

bool atomic_file::commit(std::string& error) { return finish(error) && publish(error); }

bool atomic_file::finish(std::string& error) {
  if (!file_) {
    error = path_ + ": not open";
    return false;
  }
  bool ok = !failed_ && std::fflush(file_) == 0 && ::fsync(::fileno(file_)) == 0;
  struct ::stat st {};
  if (::fstat(::fileno(file_), &st) == 0) {
    temp_dev_ = static_cast<std::uint64_t>(st.st_dev);
    temp_ino_ = static_cast<std::uint64_t>(st.st_ino);
  }
  int saved = errno;
  ok = (std::fclose(file_) == 0) && ok;
  if (!ok && saved == 0) saved = errno;
  file_ = nullptr;
  if (!ok) {
    ::unlink(temp_path_.c_str());
    error = path_ + ": write failed: " + std::strerror(saved ? saved : EIO);
    return false;
  }
  finished_ = true;
  return true;
}

bool atomic_file::publish(std::string& error) {
  if (!finished_) {
    error = path_ + ": not finished";
    return false;
  }
  finished_ = false;
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    int saved = errno;
    ::unlink(temp_path_.c_str());
    error = path_ + ": write failed: " + std::strerror(saved);
    return false;
  }
  sync_folder(folder_of(path_));
  return true;
}

}  // namespace crawl::storage
