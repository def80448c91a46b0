#pragma once
// Ranking word counts and writing them as TSV, CSV, JSON or a text table.
#include "crawl/pipeline/word_counts.hpp"

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace crawl::pipeline {

enum class count_format { tsv, csv, json };

// The rank order: by count descending, then word ascending (bytewise).
bool rank_before(const word_count& a, const word_count& b);
// All counts, in rank order.
std::vector<word_count> ranked(const word_counts& counts);
// The first n of ranked(), found without sorting everything.
std::vector<word_count> top(const word_counts& counts, std::size_t n);

// Writes counts in `format`, handing out pieces of at most about 1 MiB.
// tsv: "word\tcount" lines, no header, a backslash, tab, newline or CR in a
// word written as \\, \t, \n, \r (possible with --token); csv: a
// "word,count" header, fields quoted when needed; json: one object
// {"word": count, ...} in rank order.
void write_counts(count_format format, const std::vector<word_count>& rows,
                  const std::function<void(std::string_view)>& write);

// The same, a row at a time (rows given in the order they are to appear).
class count_writer {
 public:
  count_writer(count_format format, std::function<void(std::string_view)> write);
  void add(std::string_view word, std::uint64_t count);
  void finish();  // once, after the last row

 private:
  static constexpr std::size_t flush_at = 1 << 20;
  count_format format_;
  std::function<void(std::string_view)> write_;
  std::string buf_;
  bool first_ = true;
};

// A TSV word as written (\\, \t, \n, \r) back to its bytes.
std::string unescape_tsv_field(std::string_view s);

// Counts as "word\tcount\n" lines (words escaped as in tsv) in no
// particular order, for storing; parse_counts() adds them back. false: the
// text is not in that form.
std::string serialize_counts(const word_counts& counts);
bool parse_counts(std::string_view text, word_counts& into);

// An aligned table of rank, word, count and share of `total`.
std::string format_top_table(const std::vector<word_count>& rows, std::uint64_t total);

// Display width in terminal columns: wide CJK characters two, combining
// marks none, everything else one.
std::size_t display_width(std::string_view s);
// Appends `s` as one CSV field, quoted when it needs to be (RFC 4180).
void append_csv_field(std::string& out, std::string_view s);

// Appends `s` as a JSON string literal, through the JSON writer (json.hpp):
// invalid UTF-8 becomes U+FFFD, so the output is always valid JSON.
void append_json_string(std::string& out, std::string_view s);

}  // namespace crawl::pipeline
