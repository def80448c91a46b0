#pragma once
// Where a `crawl tail --state` run picks up each file: after the last line
// the previous run counted, in the same file or, if it was rotated away, in
// its predecessor found by fingerprint among the usual rotated names.
#include "crawl/storage/tail_state.hpp"

#include <optional>
#include <string>

namespace crawl::app {

struct resume_plan {
  std::string predecessor;             // a rotated file whose unread end comes first; empty: none
  std::uint64_t predecessor_offset = 0;
  std::uint64_t offset = 0;            // where to start in the file itself
  std::string note;                    // what happened, for stderr; empty when nothing unusual
};

resume_plan plan_resume(const std::string& path, const std::optional<storage::file_mark>& mark);

// The mark for `path` now, with reading stopped at `offset`; nullopt if it cannot be read.
std::optional<storage::file_mark> current_mark(const std::string& path, std::uint64_t offset);

// The first bytes of a file, decompressed if it is gzip or zstd.
std::string leading_bytes(const std::string& path, std::size_t n);

}  // namespace crawl::app
