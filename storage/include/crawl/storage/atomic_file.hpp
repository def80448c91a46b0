#pragma once
// Output files that appear whole or not at all.
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace crawl::storage {

// Writes to a temporary file in the destination's folder; commit() flushes,
// fsyncs and renames it over the destination. Destroyed without commit(),
// the temporary file is removed and any previous file stays intact; one a
// killed process left behind is removed by the next open() of the same
// destination (its name carries the writer's pid).
// A new file gets the mode the umask allows (0666 & ~umask); a file that
// replaces another keeps that one's mode.
// Not thread-safe.
class atomic_file {
 public:
  atomic_file() = default;
  atomic_file(atomic_file&& other) noexcept;
  atomic_file& operator=(atomic_file&& other) noexcept;
  ~atomic_file();

  // Creates the temporary file, and the destination's folders when they are
  // missing. On failure (a folder as destination, no permission) returns
  // false and sets `error` to a message naming the path.
  bool open(const std::string& path, std::string& error);
  bool is_open() const { return file_ != nullptr || finished_; }
  const std::string& path() const { return path_; }

  void write(std::string_view bytes);
  // Returns false with `error` set when any write, the flush or the rename failed.
  bool commit(std::string& error);

  // commit() in two steps, for callers that record the delivery elsewhere
  // in between: finish() flushes, fsyncs and closes the temporary file
  // (temp_path() names it); publish() renames it into place.
  bool finish(std::string& error);
  bool publish(std::string& error);
  const std::string& temp_path() const { return temp_path_; }
  // The finished temporary file's device and inode: after publish(), the
  // destination's (so a delivery can be checked later).
  std::uint64_t temp_dev() const { return temp_dev_; }
  std::uint64_t temp_ino() const { return temp_ino_; }

 private:
  void discard();
  std::FILE* file_ = nullptr;
  std::string path_;
  std::string temp_path_;
  bool failed_ = false;
  bool finished_ = false;  // closed, waiting for publish()
  std::uint64_t temp_dev_ = 0, temp_ino_ = 0;
};

}  // namespace crawl::storage
