#pragma once
// How far each log file was read, kept in SQLite between runs.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;

namespace crawl::storage {

// Where reading stopped in one file: at a line boundary, in decoded bytes.
struct file_mark {
  std::string path;
  std::uint64_t dev = 0;
  std::uint64_t ino = 0;
  std::string fingerprint;  // the file's first bytes (up to fingerprint_bytes), as on disk
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
};

inline constexpr std::size_t fingerprint_bytes = 1024;

class tail_state {
 public:
  static std::unique_ptr<tail_state> open(const std::string& path, std::string& error);
  ~tail_state();

  std::optional<file_mark> get(const std::string& path) const;
  // Saves every mark given in one transaction: all or nothing.
  bool save(const std::vector<file_mark>& marks, std::string& error);

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

}  // namespace crawl::storage
