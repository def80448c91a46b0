#pragma once
// Log summaries out: the counts, then the query's rows (or the top words)
// as an aligned table, CSV, TSV or JSON.
#include "crawl/pipeline/json.hpp"
#include "crawl/pipeline/log_summary.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crawl::pipeline {

struct named_summary {
  std::string name;  // the file, or "total"
  const log_summary* summary;
};

// One row of a query's answer: a group (in a time bucket), or an empty
// bucket inside the range (no stats).
struct answer_row {
  std::optional<std::int64_t> bucket;                 // the bucket's start, in the query's zone
  std::vector<std::optional<std::string_view>> values;  // per --by field; nothing: the line had none
  bool other = false;                                 // the groups past --max-groups
  const group_stats* stats = nullptr;
};

// How the rows are shown: `top` groups by count (0: all), or by `sort`
// (a column: descending for numbers, ascending for --by fields); with
// --per, the top groups in every bucket, buckets in time order, empty ones
// inside the range included (up to 100,000 buckets).
struct answer_layout {
  std::size_t top = 20;
  std::string sort;
};

// The column names, in CSV and JSON form: [minute|hour|day] by... count aggregates...
std::vector<std::string> answer_columns(const query_options& q);
// Whether `column` names a column of the answer (a CSV name or a table label).
bool is_answer_column(const query_options& q, const std::string& column);
std::vector<answer_row> answer_rows(const log_summary& s, const query_options& q, const answer_layout& layout);

// The text a terminal shows: line counts, then the rows (or the top words).
std::string format_log_table(const log_summary& s, const query_options& q, const answer_layout& layout);
// The rows as CSV or TSV with a header row (the query aggregates), or the
// word counts (it does not).
void write_answer(bool csv, const log_summary& s, const query_options& q, const answer_layout& layout,
                  const std::function<void(std::string_view)>& write);
// A time as JSON: "2026-11-29T21:02:46Z", or null.
json time_or_null(const std::optional<utc_time>& t);
// {"lines": .., "bytes": .., ..., "top": [words], "rows": [{column: value}], "files": {name: {...}}}
json log_json(const log_summary& total, const std::vector<named_summary>& files, const query_options& q,
              const answer_layout& layout);

}  // namespace crawl::pipeline
