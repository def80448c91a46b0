#pragma once
// Log summaries as an aligned table or JSON.
#include "crawl/pipeline/json.hpp"
#include "crawl/pipeline/log_summary.hpp"

#include <string>
#include <vector>

namespace crawl::pipeline {

struct named_summary {
  std::string name;  // the file, or "total"
  const log_summary* summary;
};

// `labels` names each group table; `top` is how many words (and group values) to show.
std::string format_log_table(const log_summary& s, const std::vector<std::string>& labels, std::size_t top);
// {"lines": .., "bytes": .., "words": .., "distinct_words": .., "truncated_lines": .., "top": [..],
//  "groups": {label: {value: count}}, "per": {bucket: count}, "files": {name: {...}}}
std::string format_log_json(const log_summary& total, const std::vector<named_summary>& files,
                            const std::vector<std::string>& labels, std::size_t top);
// The same as a JSON value, for a caller that adds members.
json log_json(const log_summary& total, const std::vector<named_summary>& files, const std::vector<std::string>& labels,
              std::size_t top);

}  // namespace crawl::pipeline
