#pragma once
// What every subcommand accepts alike: where the result goes and in which
// format, the run summary, the log lines, threads, -q and -v.
//
// The rule: the result is printed on stdout as a table (--top rows per list,
// 0 for none), or in --format tsv|csv|json as the complete result; -o FILE
// writes the complete result in the format its extension names (any case),
// and -o - puts it on stdout instead of the table. Diagnostics, progress and
// the run summary go to stderr; -q removes the progress and the summary, never
// errors or results.
#include <cstddef>
#include <optional>
#include <string>

namespace crawl::config {

enum class result_format { table, tsv, csv, json };

const char* format_name(result_format f);
// The format an output path's extension names (.tsv, .csv, .json, any case).
std::optional<result_format> format_of_path(const std::string& path);

struct common_settings {
  std::size_t top = 20;
  std::string output;  // -o: a file, "-" for stdout, or empty
  result_format output_format = result_format::tsv;     // of the -o file, when there is one
  result_format stdout_format = result_format::table;   // what stdout gets (table: --top rows)
  std::string summary;  // --summary FILE: the run summary as JSON
  unsigned threads = 0;  // 0: one per core
  bool quiet = false;
  bool verbose = false;
  bool log_json = false;  // --log-format json

  bool writes_file() const { return !output.empty() && output != "-"; }
};

// The outcome of reading a command line: settings, or a text to print and
// an exit status (0: help or version, on stdout; else an error, on stderr).
template <class Settings>
struct parsed {
  std::optional<Settings> settings;
  int exit_code = 0;
  std::string message;
};

}  // namespace crawl::config
