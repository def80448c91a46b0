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

// The marks, and the delivery of the output they go with. A run's new
// marks and its output must take effect together, or a run killed between
// the two would lose lines or count them twice. So the marks are staged
// with the identity (device, inode) of the output's finished temporary
// file, the file is renamed into place, and only then are the marks
// promoted. A run that dies in between is settled by the next one's
// recover(): if the destination is that very file, or the temporary file is
// gone (the rename removed its name; a consumer may have taken the output
// since), the rename happened and the staged marks stand; otherwise it was
// never delivered, and the staged marks and the temporary file go.
struct staged_output {
  std::string temp_path;  // empty: standard output, whose delivery cannot be checked
  std::string path;       // the destination
  std::uint64_t dev = 0, ino = 0;
};

class tail_state {
 public:
  static std::unique_ptr<tail_state> open(const std::string& path, std::string& error);
  ~tail_state();

  // Settles a delivery an earlier run left half done (see above). Call
  // first, under the lock.
  bool recover(std::string& error);
  std::optional<file_mark> get(const std::string& path) const;
  // Stages `marks` (one transaction) for `output` (an interrupted delivery
  // to standard output is not taken as done).
  bool stage(const std::vector<file_mark>& marks, const staged_output& output, std::string& error);
  // The output is in place: the staged marks become the marks.
  bool promote(std::string& error);
  // The output could not be delivered: the staged marks go.
  bool discard_staged(std::string& error);
  // stage() then promote(), for callers with nothing to deliver in between.
  bool save(const std::vector<file_mark>& marks, std::string& error);

 private:
  // Sets `error` (naming the file and `what` failed), rolls back, returns false.
  bool fail(const char* what, std::string& error);
  bool exec(const char* sql, const char* what, std::string& error);
  sqlite3* db_ = nullptr;
  std::string path_;
};

}  // namespace crawl::storage
