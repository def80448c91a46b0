#pragma once
// The questions `crawl tail` answers about the fields of log lines: which
// lines (--where), grouped how (--by, --per), and what of them (--count,
// --sum/--avg/--min/--max, quantiles, --distinct). A log_query is compiled
// once per thread; a log_table holds its answers so far, mergeable across
// threads, files, runs and machines. Pure.
#include "crawl/pipeline/distinct.hpp"
#include "crawl/pipeline/line_pattern.hpp"
#include "crawl/pipeline/log_format.hpp"
#include "crawl/pipeline/sketch.hpp"
#include "crawl/pipeline/timestamp.hpp"

#include <boost/container_hash/hash.hpp>
#include <boost/unordered/unordered_flat_map.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crawl::pipeline {

enum class time_bucket { none, minute, hour, day };
// 60, 3600 or 86400; 0 for none.
std::int64_t bucket_seconds(time_bucket per);

enum class compare_op { equal, not_equal, less, less_equal, greater, greater_equal, matches };
struct field_condition {
  std::string field;
  compare_op op = compare_op::equal;
  std::string value;
};

enum class aggregate_kind { count, sum, avg, min, max, quantile, distinct };
struct aggregate_spec {
  aggregate_kind kind = aggregate_kind::count;
  std::string field;
  double q = 0;  // quantile: 0 < q < 1
};
// "p99(request_time)", "sum(bytes)", "count": the table's column heads.
std::string aggregate_label(const aggregate_spec& a);
// "p99_request_time", "sum_bytes", "count": CSV heads and JSON names.
std::string aggregate_column(const aggregate_spec& a);

struct query_options {
  std::vector<std::string> by;                 // a compound key, in this order
  time_bucket per = time_bucket::none;
  std::int32_t tz_offset = 0;                  // buckets in this zone: seconds east of UTC
  std::vector<field_condition> where;          // all must hold
  std::vector<aggregate_spec> aggregates;      // count is always there
  std::size_t max_groups = 100'000;            // past it, new groups are counted as one "(other)"
};

// Looked up by string_view: no string is built for a value already counted.
struct value_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return boost::hash<std::string_view>{}(s); }
};
struct value_equal {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const { return a == b; }
};

// What one group has seen of one field.
struct field_stats {
  std::uint64_t numbers = 0;  // values that were numbers
  std::int64_t whole = 0;     // the sum of the integral ones, exact
  double fraction = 0;        // the sum of the others
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  std::optional<quantile_sketch> sketch;
  std::optional<distinct_counter> distinct;

  double sum() const { return static_cast<double>(whole) + fraction; }
  void merge(const field_stats& other);
};

struct group_stats {
  std::uint64_t count = 0;
  std::vector<field_stats> fields;  // one per query measure
  void merge(const group_stats& other);
};

// Groups by key (see log_query::key_of). Mergeable.
struct log_table {
  boost::unordered_flat_map<std::string, group_stats, value_hash, value_equal> groups;
  std::vector<std::uint64_t> not_numbers;  // per measure: values a numeric aggregate could not read
  bool folded = false;                     // some lines went to "(other)": more groups than max_groups
  void merge(const log_table& other);
};

// One field the aggregates read, and what they need of it.
struct measure {
  std::string field;
  bool numeric = false;   // sum, avg, min, max
  bool sketch = false;    // quantiles
  bool distinct = false;  // distinct values
};

// A group key taken apart: the bucket's start (local seconds), then each
// --by value (nothing: the line had no such field). `other`: the groups
// past max_groups, folded together.
struct key_parts {
  std::optional<std::int64_t> bucket;
  std::vector<std::optional<std::string_view>> values;
  bool other = false;
};

class log_query {
 public:
  explicit log_query(const query_options& options);
  // Empty when valid; else which option is wrong and why.
  const std::string& error() const { return error_; }
  const query_options& options() const { return options_; }

  // Whether lines are grouped or aggregated (then words are not counted).
  bool aggregates() const { return !options_.by.empty() || options_.per != time_bucket::none || !options_.aggregates.empty(); }
  bool filters() const { return !options_.where.empty(); }
  bool needs_time() const { return options_.per != time_bucket::none; }
  // Every field the query reads (--by, --where, the aggregates).
  const std::vector<std::string>& fields() const { return fields_; }
  const std::vector<measure>& measures() const { return measures_; }
  // The measure an aggregate reads, or -1 for count.
  int measure_of(const aggregate_spec& a) const;

  // Whether every --where condition holds for the line's fields.
  bool holds(const log_fields& fields) const;
  // Adds a line to its group. `time`: the line's, needed when bucketing.
  void add(const log_fields& fields, std::optional<utc_time> time, log_table& into);

  key_parts parts_of(std::string_view key) const;

 private:
  void key_of(const log_fields& fields, std::optional<utc_time> time, std::string& key) const;
  group_stats& group_for(log_table& into);
  void add_value(std::size_t m, std::string_view value, field_stats& stats, log_table& into) const;

  query_options options_;
  std::string error_;
  std::vector<std::string> fields_;
  std::vector<measure> measures_;
  std::vector<std::optional<double>> where_numbers_;  // each condition's value as a number, when it is one
  std::vector<line_pattern> where_patterns_;          // for =~, by condition (empty patterns for the others)
  std::string key_;
  std::string last_key_;
  group_stats* last_ = nullptr;
  log_table* last_table_ = nullptr;
};

struct number_value {
  double value = 0;
  bool integral = false;  // then `whole` holds it exactly
  std::int64_t whole = 0;
};
// A value as a number: an integer, or a decimal or exponent form; a list as
// nginx writes upstream timings ("0.010, 0.020") gives its first. Nothing
// for anything else ("-", "", "12ms").
std::optional<number_value> read_number(std::string_view text);

}  // namespace crawl::pipeline
