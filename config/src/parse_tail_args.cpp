#include "crawl/config/tail_settings.hpp"

#include "command_line.hpp"
#include "parsers.hpp"

#include <cmath>

namespace crawl::config {

namespace {

constexpr const char* tail_footer =
    "\nExit status: 0 done; 1 some file was missing, unreadable or corrupt (the rest is still\n"
    "summarized); 2 usage error, or no file could be read; 70 internal error; 74 an output or the\n"
    "--state could not be written; 75 another run holds the --state lock; 130 interrupted (batch\n"
    "mode; Ctrl-C while following prints the final summary and exits 0).";

parsed<tail_settings> fail(const command_line& cl, const std::string& message) {
  auto e = cl.error(message);
  return {std::nullopt, e.exit_code, e.message};
}

}  // namespace

parsed<tail_settings> parse_tail(int argc, const char* const* argv, int first, std::string* describe) {
  tail_settings s;
  double every = 10;
  std::uint64_t last_lines = 0;
  std::string per;
  bool no_words = false, no_uring = false;

  command_line cl("crawl tail", "[OPTIONS] FILE...",
                  "crawl tail: read, follow and summarize log files (plain, gzip or zstd).", tail_footer);
  cl.inputs("files", s.files, "Files or globs to read; - for standard input");
  cl.flag("-f,--follow", s.follow, "Keep reading as the files grow and rotate, like tail -F");
  cl.option("--every", every, "Seconds between summaries while following", seconds_between(0.05, 86400));
  auto* lines = cl.option("-n,--lines", last_lines, "Start this many lines from the end (default: the start, or "
                                                    "the end when following)",
                          whole_number(0, 1'000'000'000))
                   ->default_str("");
  cl.flag("--per-file", s.per_file, "A summary per file as well as the total");
  cl.option("--state", s.state, "SQLite file remembering how far each file was read")->type_name("FILE");
  cl.flag("--wait-lock", s.wait_lock, "Wait for another run holding the --state lock");
  cl.flag("--no-words", no_words, "Do not count words");
  cl.option("--token", s.token, "RE2 pattern whose matches are the words")->type_name("RE");
  cl.flag("--keep-numbers", s.keep_numbers, "Count runs of digits without letters too");
  cl.option("--match", s.match, "Keep only lines matching this RE2 pattern (repeatable: any)")->type_name("RE")->allow_extra_args(false);
  cl.option("--exclude", s.exclude, "Drop lines matching this RE2 pattern (repeatable)")->type_name("RE")->allow_extra_args(false);
  cl.option("--group", s.groups, "Count lines by this pattern's first capture group (repeatable)")->type_name("RE")->allow_extra_args(false);
  cl.option("--per", per, "Count lines per minute, hour or day of their timestamp", one_of({"minute", "hour", "day"}));
  cl.option("--time", s.time_pattern, "RE2 pattern locating the ISO-8601 timestamp (default: line start)")->type_name("RE");
  cl.size_option("--max-line", s.max_line, "Longest line kept whole", "1MiB");
  cl.flag("--no-io-uring", no_uring, "Read with plain read() on a thread instead of io_uring");
  cl.add_common(s);

  if (auto stopped = cl.parse(argc, argv, first, describe)) return {std::nullopt, stopped->exit_code, stopped->message};
  if (auto stopped = cl.finish_common(s)) return {std::nullopt, stopped->exit_code, stopped->message};
  if (s.max_line == 0) return fail(cl, "--max-line: '0' is not a size of at least 1 byte");
  if (s.follow && !s.state.empty()) return fail(cl, "--state goes with batch runs, not with --follow");
  if (s.wait_lock && s.state.empty()) return fail(cl, "--wait-lock needs --state");
  s.every = std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(every * 1000)));
  if (lines->count()) s.last_lines = last_lines;
  s.words = !no_words;
  s.io_uring = !no_uring;
  if (per == "minute") s.per = tail_bucket::minute;
  else if (per == "hour") s.per = tail_bucket::hour;
  else if (per == "day") s.per = tail_bucket::day;
  auto word_list = [](result_format f) { return f == result_format::tsv || f == result_format::csv; };
  if (!s.words && ((s.writes_file() && word_list(s.output_format)) || word_list(s.stdout_format)))
    return fail(cl, "tsv and csv hold word counts, and --no-words counts none: use json");
  return {std::move(s), 0, {}};
}

}  // namespace crawl::config
