#pragma once
// Validated settings of `crawl merge`: the files to combine and what to do
// when shards are missing.
#include "crawl/config/common_settings.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace crawl::config {

struct merge_settings : common_settings {
  std::vector<std::string> inputs;  // word counts (.tsv, .csv, .json), run summaries, crawl tail partial results
  bool allow_missing = false;       // merge what there is when a run's shards are missing
  std::string summary_state;        // --summary-state FILE: the merged partial results, mergeable again
  std::string temp_dir;             // where word counts too large for memory are sorted
  std::string sort;                 // --sort COLUMN for merged crawl tail rows
  std::uint64_t memory = 0;         // --memory: word counts held before sorting on disk (0: 3x the largest input, 64 MiB at least)
};

}  // namespace crawl::config
