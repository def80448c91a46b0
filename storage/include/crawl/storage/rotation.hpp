#pragma once
// Log rotation, in one place: where a `crawl tail --state` run picks up each
// file (after the last line the previous run counted, in the same file or,
// if it was rotated away, in the rotated files first), the marks it saves,
// the last-N-lines offset, and the rotation check of `crawl tail -f`.
#include "crawl/storage/tail_state.hpp"

#include <sys/stat.h>

#include <optional>
#include <string>
#include <vector>

namespace crawl::storage {

// The file a run has open, as its descriptor shows it: what a mark must
// describe (a path may meanwhile name a different file).
struct opened_file {
  std::uint64_t dev = 0;
  std::uint64_t ino = 0;
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::string head;  // the first fingerprint_bytes bytes, as on disk
};
// fstat and pread of `fd`; nullopt when it is not a regular file.
std::optional<opened_file> identify(int fd);

struct resume_step {
  std::string path;
  std::uint64_t offset = 0;  // decoded bytes already counted
};

struct resume_plan {
  // Rotated files to read to their end first, oldest first: the rest of the
  // file the mark describes, then every file rotated after it, whole.
  std::vector<resume_step> rotated;
  std::uint64_t offset = 0;  // where to start in the file at the path
  std::string note;          // what happened, for stderr; empty when nothing unusual
};

// Where to pick up `path`, now open as `current`, after `mark` (nullopt:
// the first run, from the start). The marked file is found by its device
// and inode (renamed) or by its first bytes (compressed or copied) among
// the usual rotated names: app.log.1, app.log.2.gz, app.log-20240501, ...
resume_plan plan_resume(const std::string& path, const opened_file& current, const std::optional<file_mark>& mark);

// The mark for the file read through `fd` (opened as `path`), with reading
// stopped at `offset`: identity and first bytes come from the descriptor.
std::optional<file_mark> mark_of(const std::string& path, int fd, std::uint64_t offset);


// Where the last `n` lines of an uncompressed regular file start (0 when it
// cannot be read or has fewer lines).
std::uint64_t last_lines_offset(const std::string& path, std::uint64_t n);

// While following: what happened to the file at the path since it was opened.
enum class live_change { none, rotated, truncated };
// `at_path`: stat of the path now; `open_file`: fstat of the descriptor being
// read; `read_offset`: bytes read from it so far.
live_change check_live(const struct ::stat& at_path, const struct ::stat& open_file, std::uint64_t read_offset);

}  // namespace crawl::storage
