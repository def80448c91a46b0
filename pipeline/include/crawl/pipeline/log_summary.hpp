#pragma once
// Summaries of log lines: counts, filters, group-by and time buckets. Pure.
#include "crawl/pipeline/line_pattern.hpp"
#include "crawl/pipeline/tokenizer.hpp"
#include "crawl/pipeline/word_counts.hpp"

#include <boost/container_hash/hash.hpp>
#include <boost/unordered/unordered_flat_map.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace crawl::pipeline {

enum class time_bucket { none, minute, hour, day };

struct summary_options {
  bool words = true;
  tokenizer_options tokens;
  std::vector<std::string> match;    // keep lines matching any (RE2)
  std::vector<std::string> exclude;  // then drop lines matching any
  std::vector<std::string> groups;   // count lines by the first capture group of each
  time_bucket per = time_bucket::none;
  std::string time_pattern;          // where the timestamp is; default: at the start of the line
};

// The compiled options. Each log_summarizer works on its own copy: RE2
// guards its lazily built DFA with a reader-writer lock, and two threads
// sharing one pattern spent a fifth of a group-by run on that lock's
// cache line.
class summary_rules {
 public:
  explicit summary_rules(const summary_options& options);
  ~summary_rules();
  // The same rules, compiled anew (for another thread).
  std::shared_ptr<const summary_rules> clone() const { return std::make_shared<const summary_rules>(options_); }
  // Empty when valid; else which option is wrong and why.
  const std::string& error() const { return error_; }

  bool words() const { return words_; }
  const std::shared_ptr<const token_rules>& tokens() const { return tokens_; }
  bool filters() const { return !match_.empty() || !exclude_.empty(); }
  bool per_line() const { return filters() || !groups_.empty() || per_ != time_bucket::none; }
  bool keep(std::string_view line) const;
  std::size_t group_count() const { return groups_.size(); }
  // The group's label: the capture group's name, else the pattern.
  const std::string& group_label(std::size_t i) const { return labels_[i]; }
  bool group_value(std::size_t i, std::string_view line, std::string_view& value) const;
  time_bucket per() const { return per_; }
  // The bucket key of the line's timestamp, or false when it has none.
  bool bucket_of(std::string_view line, std::string& key) const;
  // The line's timestamp to the second ("YYYY-MM-DDTHH:MM:SS"), or false.
  bool time_of(std::string_view line, std::string& time) const;

 private:
  summary_options options_;
  bool words_;
  std::shared_ptr<const token_rules> tokens_;
  std::vector<line_pattern> match_, exclude_, groups_;
  std::vector<std::string> labels_;
  time_bucket per_;
  std::vector<line_pattern> time_;  // none, or the --time pattern
  std::string error_;
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
using value_counts = boost::unordered_flat_map<std::string, std::uint64_t, value_hash, value_equal>;

// Mergeable: one per worker, merged at the end.
struct log_summary {
  std::uint64_t lines = 0;            // every line read
  std::uint64_t bytes = 0;            // every byte read (after decompression)
  std::uint64_t kept_lines = 0;       // lines that passed --match / --exclude
  std::uint64_t truncated_lines = 0;  // lines cut at --max-line
  std::uint64_t nul_bytes = 0;
  std::uint64_t untimed_lines = 0;    // kept lines without a timestamp, when bucketing
  word_counts words;
  std::vector<value_counts> groups;   // one per --group
  std::map<std::string, std::uint64_t> buckets;
  // The earliest and latest leading timestamps ("YYYY-MM-DDTHH:MM:SS", or
  // the --time match) among the first and last lines of each chunk: for a
  // log written in time order, those of its first and last line. Empty
  // when no such line had one.
  std::string first_time, last_time;

  void merge(const log_summary& other);
};

// Adds chunks of whole lines to a summary. One per worker; it compiles its
// own copy of the rules.
class log_summarizer {
 public:
  explicit log_summarizer(const std::shared_ptr<const summary_rules>& rules);
  // `lines` ends at a '\n', except perhaps the last chunk of a stream; a
  // truncated chunk is one line cut at --max-line. `skipped` bytes of cut
  // lines were read but dropped: they count as bytes only.
  void add(std::string_view lines, bool truncated, log_summary& into, std::uint64_t skipped = 0);

 private:
  void add_line(std::string_view line, log_summary& into);
  void note_times(std::string_view lines, log_summary& into);
  void end_run(std::size_t group, log_summary& into);
  std::shared_ptr<const summary_rules> rules_;
  struct value_run {
    std::string value;
    std::uint64_t lines = 0;
  };
  std::vector<value_run> runs_;  // per group: the last value, repeated over this many lines
  tokenizer tokenizer_;
  std::string key_;
};

}  // namespace crawl::pipeline
