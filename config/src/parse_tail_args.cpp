#include "crawl/config/tail_settings.hpp"

#include <CLI/CLI.hpp>

#include <cmath>

namespace crawl::config {

tail_parse_outcome parse_tail_args(int argc, const char* const* argv) {
  tail_settings s;
  double every = 10;
  std::uint64_t last_lines = 0;
  std::string format, per;
  bool no_words = false, no_uring = false;

  CLI::App app{"crawl tail: read, follow and summarize log files (plain, gzip or zstd)."};
  app.name("crawl tail");
  app.footer(
      "\nExit status: 0 done; 1 some file was missing, unreadable or corrupt (the rest is still "
      "summarized); 2 usage error; 75 another run holds the --state lock; 130 interrupted (batch mode; "
      "Ctrl-C while following prints the final summary and exits 0).");
  app.add_option("files", s.files, "Files or globs to read; - for standard input")->required();
  app.add_flag("-f,--follow", s.follow, "Keep reading as the files grow and rotate, like tail -F");
  app.add_option("--every", every, "Seconds between summaries while following")->check(CLI::Range(0.05, 86400.0));
  auto* lines = app.add_option("-n,--lines", last_lines, "Start this many lines from the end");
  app.add_flag("--per-file", s.per_file, "A summary per file as well as the total");
  app.add_option("--state", s.state, "SQLite file remembering how far each file was read");
  app.add_flag("--wait-lock", s.wait_lock, "Wait for another run holding the --state lock");
  app.add_flag("--no-words", no_words, "Do not count words");
  app.add_option("--token", s.token, "RE2 pattern whose matches are the words");
  app.add_flag("--keep-numbers", s.keep_numbers, "Count runs of digits without letters too");
  app.add_option("--top", s.top, "Words shown")->check(CLI::Range(0, 1'000'000));
  app.add_option("--match", s.match, "Keep only lines matching this RE2 pattern (repeatable: any)");
  app.add_option("--exclude", s.exclude, "Drop lines matching this RE2 pattern (repeatable)");
  app.add_option("--group", s.groups, "Count lines by this pattern's first capture group (repeatable)");
  app.add_option("--per", per, "Count lines per minute, hour or day of their timestamp")
      ->check(CLI::IsMember({"minute", "hour", "day"}));
  app.add_option("--time", s.time_pattern, "RE2 pattern locating the ISO-8601 timestamp (default: line start)");
  app.add_option("--max-line", s.max_line, "Longest line kept whole, e.g. 1MiB")->transform(CLI::AsSizeValue(false));
  app.add_option("--threads", s.threads, "Worker threads (0: one per core)")->check(CLI::Range(0, 1024));
  app.add_option("--format", format, "table, json, tsv or csv (tsv/csv: word counts)")
      ->check(CLI::IsMember({"table", "json", "tsv", "csv"}));
  app.add_option("-o,--output", s.output, "Write to FILE instead of stdout (format from .json/.tsv/.csv)");
  app.add_flag("--no-io-uring", no_uring, "Read with plain read() on a thread instead of io_uring");
  app.add_flag("-q,--quiet", s.quiet, "Only errors and the summary");
  app.add_flag("-v,--verbose", s.verbose, "Say more on stderr");

  try {
    app.parse(argc - 1, argv + 1);
  } catch (const CLI::CallForHelp&) {
    return {std::nullopt, 0, app.help()};
  } catch (const CLI::ParseError& e) {
    return {std::nullopt, 2, std::string("crawl tail: ") + e.what() + "\nRun with --help for usage.\n"};
  }
  if (s.max_line == 0) return {std::nullopt, 2, "crawl tail: --max-line must be at least 1 byte\n"};
  if (s.follow && !s.state.empty())
    return {std::nullopt, 2, "crawl tail: --state goes with batch runs, not with --follow\n"};
  s.every = std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(every * 1000)));
  if (lines->count()) s.last_lines = last_lines;
  s.words = !no_words;
  s.io_uring = !no_uring;
  if (per == "minute") s.per = tail_bucket::minute;
  else if (per == "hour") s.per = tail_bucket::hour;
  else if (per == "day") s.per = tail_bucket::day;
  auto ends = [&](const char* x) {
    std::string_view o(s.output), e(x);
    return o.size() >= e.size() && o.substr(o.size() - e.size()) == e;
  };
  if (format.empty() && !s.output.empty()) {
    if (ends(".json")) format = "json";
    else if (ends(".tsv")) format = "tsv";
    else if (ends(".csv")) format = "csv";
    else return {std::nullopt, 2, "crawl tail: --output: extension must be .json, .tsv or .csv (or give --format)\n"};
  }
  if (format == "json") s.format = tail_format::json;
  else if (format == "tsv") s.format = tail_format::tsv;
  else if (format == "csv") s.format = tail_format::csv;
  return {std::move(s), 0, {}};
}

}  // namespace crawl::config
