#pragma once
// Output files that appear whole or not at all.
#include <cstdio>
#include <string>
#include <string_view>

namespace crawl::storage {

// Writes to a temporary file in the destination's folder; commit() flushes,
// fsyncs and renames it over the destination. Destroyed without commit(),
// the temporary file is removed and any previous file stays intact.
// Not thread-safe.
class atomic_file {
 public:
  atomic_file() = default;
  atomic_file(atomic_file&& other) noexcept;
  atomic_file& operator=(atomic_file&& other) noexcept;
  ~atomic_file();

  // Creates the temporary file. On failure returns false and sets `error`
  // to a message naming the path.
  bool open(const std::string& path, std::string& error);
  bool is_open() const { return file_ != nullptr; }
  const std::string& path() const { return path_; }

  void write(std::string_view bytes);
  // Returns false with `error` set when any write, the flush or the rename failed.
  bool commit(std::string& error);

 private:
  void discard();
  std::FILE* file_ = nullptr;
  std::string path_;
  std::string temp_path_;
  bool failed_ = false;
};

}  // namespace crawl::storage
