#pragma once
// Summaries of log lines: counts, words, filters, and the fields of each
// line's format put through a log_query (group-by, time buckets,
// aggregates). Pure.
#include "crawl/pipeline/line_parser.hpp"
#include "crawl/pipeline/line_pattern.hpp"
#include "crawl/pipeline/log_query.hpp"
#include "crawl/pipeline/tokenizer.hpp"
#include "crawl/pipeline/word_counts.hpp"

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace crawl::pipeline {

struct summary_options {
  bool words = true;                 // counted unless the query groups or aggregates
  tokenizer_options tokens;
  std::vector<std::string> match;    // keep lines matching any (RE2)
  std::vector<std::string> exclude;  // then drop lines matching any
  std::vector<std::string> parse;    // --parse RE: named groups are fields
  std::vector<std::string> groups;   // --group RE: its first group is a field, and a --by
  std::string time_pattern;          // where the timestamp is (--time RE)
  std::int32_t tz_offset = 0;        // zone of timestamps without one, and of buckets
  utc_time now;                      // for syslog's missing year
  query_options query;
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

  const summary_options& options() const { return options_; }
  bool words() const { return words_; }
  const std::shared_ptr<const token_rules>& tokens() const { return tokens_; }
  bool filters() const { return !match_.empty() || !exclude_.empty(); }
  // Whether lines are parsed into fields (grouped, aggregated or --where).
  bool fields() const { return query_.aggregates() || query_.filters(); }
  bool per_line() const { return filters() || fields(); }
  bool keep(std::string_view line) const;
  // The query as given (with each --group as a --by of its field).
  const query_options& query() const { return query_.options(); }
  // The parser settings for lines of `format`.
  parser_options parser_for(log_format format) const;

 private:
  summary_options options_;
  bool words_;
  std::shared_ptr<const token_rules> tokens_;
  std::vector<line_pattern> match_, exclude_;
  log_query query_;  // compiled once here to check it; each summarizer compiles its own
  std::string error_;
};

// A line quoted in a warning: where it is and how it starts.
struct line_sample {
  std::size_t input = 0;
  std::uint64_t line = 0;    // 1-based; 0 when not known (reading did not start at the top)
  std::uint64_t offset = 0;  // decoded byte offset of its start
  std::string text;          // at most 200 bytes of it
};

// Mergeable: one per worker and input, merged at the end.
struct log_summary {
  std::uint64_t lines = 0;            // every line read
  std::uint64_t bytes = 0;            // every byte read (after decompression)
  std::uint64_t kept_lines = 0;       // lines that passed --match / --exclude / --where
  std::uint64_t truncated_lines = 0;  // lines cut at --max-line
  std::uint64_t nul_bytes = 0;
  std::uint64_t unparsed_lines = 0;   // lines not of their format (when fields are read)
  std::uint64_t untimed_lines = 0;    // kept lines without a timestamp, when bucketing
  std::optional<line_sample> first_unparsed, first_untimed;  // the earliest of each
  word_counts words;
  log_table table;
  // The earliest and latest timestamps among the first and last lines of
  // each chunk: for a log written in time order, those of its first and
  // last line.
  std::optional<utc_time> first_time, last_time;

  void merge(const log_summary& other);
};

// Where a chunk of lines comes from.
struct chunk_origin {
  log_format format = log_format::plain;
  std::size_t input = 0;
  std::uint64_t first_line = 0;  // the line number of its first line; 0 when not known
  std::uint64_t offset = 0;      // decoded byte offset of its first byte
};

// Adds chunks of whole lines to a summary. One per worker; it compiles its
// own copy of the rules.
class log_summarizer {
 public:
  explicit log_summarizer(const std::shared_ptr<const summary_rules>& rules);
  ~log_summarizer();
  // `lines` ends at a '\n', except perhaps the last chunk of a stream; a
  // truncated chunk is one line cut at --max-line. `skipped` bytes of cut
  // lines were read but dropped: they count as bytes only.
  void add(std::string_view lines, bool truncated, log_summary& into, std::uint64_t skipped = 0,
           const chunk_origin& origin = {});

 private:
  void add_line(std::string_view line, log_summary& into, const chunk_origin& origin, std::uint64_t index,
                std::uint64_t offset);
  void note_times(std::string_view lines, log_format format, log_summary& into);
  line_parser& parser(log_format format);
  std::shared_ptr<const summary_rules> rules_;
  log_query query_;
  std::array<std::unique_ptr<line_parser>, 5> parsers_;  // by format, made when first needed
  log_fields fields_;
  tokenizer tokenizer_;
};

}  // namespace crawl::pipeline
