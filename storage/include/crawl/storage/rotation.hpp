#pragma once
// Where a `crawl tail --state` run picks up each file: after the last line
// the previous run counted, in the same file or, if it was rotated away, in
// its predecessor found by fingerprint among the usual rotated names.
#include "crawl/storage/tail_state.hpp"

#include <sys/stat.h>

#include <optional>
#include <string>

namespace crawl::storage {

struct resume_plan {
  std::string predecessor;             // a rotated file whose unread end comes first; empty: none
  std::uint64_t predecessor_offset = 0;
  std::uint64_t offset = 0;            // where to start in the file itself
  std::string note;                    // what happened, for stderr; empty when nothing unusual
};

resume_plan plan_resume(const std::string& path, const std::optional<file_mark>& mark);

// The mark for `path` now, with reading stopped at `offset`; nullopt if it cannot be read.
std::optional<file_mark> current_mark(const std::string& path, std::uint64_t offset);

// The first bytes of a file, decompressed if it is gzip or zstd.
std::string leading_bytes(const std::string& path, std::size_t n);

// Where the last `n` lines of an uncompressed regular file start (0 when it
// cannot be read or has fewer lines).
std::uint64_t last_lines_offset(const std::string& path, std::uint64_t n);

// While following: what happened to the file at the path since it was opened.
enum class live_change { none, rotated, truncated };
// `at_path`: stat of the path now; `open_file`: fstat of the descriptor being
// read; `read_offset`: bytes read from it so far.
live_change check_live(const struct ::stat& at_path, const struct ::stat& open_file, std::uint64_t read_offset);

}  // namespace crawl::storage
