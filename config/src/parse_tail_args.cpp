#include "crawl/config/tail_settings.hpp"

#include "command_line.hpp"
#include "parsers.hpp"
#include "shard_args.hpp"

#include <cmath>
#include <cstdlib>

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

bool field_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
         c == '@' || c == '-';
}

std::string trim(std::string s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
  std::size_t start = s.find_first_not_of(' ');
  return start == std::string::npos ? std::string() : s.substr(start);
}

// --quantile FIELD:Q with 0 < Q < 1 (also as a percentage: FIELD:99.9).
std::optional<aggregate_option> parse_quantile(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  std::string number = text.substr(colon + 1);
  char* end = nullptr;
  double q = std::strtod(number.c_str(), &end);
  if (number.empty() || *end != '\0') return std::nullopt;
  if (q >= 1 && q < 100) q /= 100;
  if (!(q > 0 && q < 1)) return std::nullopt;
  return aggregate_option{aggregate::quantile, text.substr(0, colon), q};
}

}  // namespace

where_clause parse_where(const std::string& text, std::string& error) {
  where_clause w;
  std::size_t at = 0;
  while (at < text.size() && text[at] == ' ') ++at;
  std::size_t start = at;
  while (at < text.size() && field_char(text[at])) ++at;
  w.field = text.substr(start, at - start);
  while (at < text.size() && text[at] == ' ') ++at;
  static const std::pair<const char*, where_op> ops[] = {
      {"=~", where_op::matches}, {"!=", where_op::not_equal}, {"<=", where_op::less_equal},
      {">=", where_op::greater_equal}, {"==", where_op::equal}, {"=", where_op::equal},
      {"<", where_op::less}, {">", where_op::greater}};
  bool found = false;
  for (const auto& [text_op, op] : ops)
    if (text.compare(at, std::char_traits<char>::length(text_op), text_op) == 0) {
      w.op = op;
      at += std::char_traits<char>::length(text_op);
      found = true;
      break;
    }
  if (w.field.empty() || !found) {
    error = "'" + text + "' is not FIELD OP VALUE (OP one of = != < <= > >= =~), e.g. 'status>=500'";
    return w;
  }
  w.value = trim(text.substr(at));
  error.clear();
  return w;
}

std::optional<std::int32_t> parse_utc_offset(const std::string& text) {
  if (text == "UTC" || text == "utc" || text == "Z" || text == "z" || text == "GMT") return 0;
  if (text.size() < 3 || (text[0] != '+' && text[0] != '-')) return std::nullopt;
  std::string digits;
  for (std::size_t i = 1; i < text.size(); ++i) {
    if (text[i] == ':' && i == 3) continue;
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    digits.push_back(text[i]);
  }
  if (digits.size() != 2 && digits.size() != 4) return std::nullopt;
  int hours = std::stoi(digits.substr(0, 2)), minutes = digits.size() == 4 ? std::stoi(digits.substr(2)) : 0;
  if (hours > 14 || minutes > 59) return std::nullopt;
  std::int32_t seconds = hours * 3600 + minutes * 60;
  return text[0] == '-' ? -seconds : seconds;
}

parsed<tail_settings> parse_tail(int argc, const char* const* argv, int first, std::string* describe) {
  tail_settings s;
  double every = 10;
  std::uint64_t last_lines = 0;
  std::string per, input = "auto", tz = "UTC", segment = "icu";
  bool no_words = false, no_uring = false, count = false;
  std::vector<std::string> where, sums, avgs, mins, maxes, p50, p90, p99, quantiles, distinct;
  std::uint64_t max_groups = 100'000;

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
  cl.option("--segment", segment, "How runs of Chinese, Japanese, Thai, Lao, Khmer and Burmese are cut into words: icu (dictionaries) or char (each Han and Kana character a word)", one_of({"icu", "char"}));
  cl.option("--match", s.match, "Keep only lines matching this RE2 pattern (repeatable: any)")->type_name("RE")->allow_extra_args(false);
  cl.option("--exclude", s.exclude, "Drop lines matching this RE2 pattern (repeatable)")->type_name("RE")->allow_extra_args(false);
  cl.option("--group", s.groups, "Count lines by this pattern's first capture group (repeatable)")->type_name("RE")->allow_extra_args(false);
  cl.option("--per", per, "Count lines per minute, hour or day of their timestamp", one_of({"minute", "hour", "day"}));
  cl.option("--time", s.time_pattern,
            "RE2 pattern locating the timestamp (ISO 8601, CLF, syslog or epoch; default: the format's time field, "
            "or ISO 8601 at the line start)")
      ->type_name("RE");
  cl.option("--input", input, "The lines' format (auto: told per file from its first lines; nginx, apache and common "
                              "are access logs)",
            one_of({"auto", "plain", "nginx", "apache", "common", "syslog", "json", "logfmt"}));
  cl.option("--parse", s.parse, "RE2 pattern whose named groups (?P<name>...) are fields (repeatable)")
      ->type_name("RE")->allow_extra_args(false);
  cl.option("--by", s.by, "Group by this field (repeatable: a compound key)")->type_name("FIELD")->allow_extra_args(false);
  cl.option("--where", where, "Keep lines where FIELD OP VALUE holds (= != < <= > >= =~; numbers compare as numbers; "
                              "repeatable: all must hold)")
      ->type_name("EXPR")->allow_extra_args(false);
  cl.flag("--count", count, "Count lines per group (the default aggregate)");
  cl.option("--sum", sums, "Sum of a numeric field per group (repeatable)")->type_name("FIELD")->allow_extra_args(false);
  cl.option("--avg", avgs, "Mean of a numeric field per group")->type_name("FIELD")->allow_extra_args(false);
  cl.option("--min", mins, "Least value of a numeric field per group")->type_name("FIELD")->allow_extra_args(false);
  cl.option("--max", maxes, "Greatest value of a numeric field per group")->type_name("FIELD")->allow_extra_args(false);
  cl.option("--p50", p50, "Median of a numeric field per group (within 1%)")->type_name("FIELD")->allow_extra_args(false);
  cl.option("--p90", p90, "90th percentile of a numeric field per group")->type_name("FIELD")->allow_extra_args(false);
  cl.option("--p99", p99, "99th percentile of a numeric field per group")->type_name("FIELD")->allow_extra_args(false);
  cl.option("--quantile", quantiles, "Any quantile: FIELD:Q, 0 < Q < 1 (or a percentage, FIELD:99.9)")
      ->type_name("FIELD:Q")->allow_extra_args(false);
  cl.option("--distinct", distinct, "Distinct values of a field per group (exact to 10,000, then HyperLogLog, "
                                    "about 0.8% error)")
      ->type_name("FIELD")->allow_extra_args(false);
  cl.option("--sort", s.sort, "Order rows by this column (a --by field ascending, an aggregate descending; "
                              "default: count)")
      ->type_name("COLUMN");
  cl.option("--tz", tz, "Zone of the time buckets and of timestamps written without one: UTC or an offset like "
                        "+02:00")
      ->type_name("ZONE");
  cl.option("--max-groups", max_groups, "Groups kept; lines of further groups are counted together as (other)",
            whole_number(1, 100'000'000));
  cl.option("--summary-state", s.summary_state, "Write the mergeable partial results (counts, sums, sketches, "
                                                "distinct registers) to FILE, for crawl merge")
      ->type_name("FILE");
  cl.size_option("--max-line", s.max_line, "Longest line kept whole", "1MiB");
  cl.flag("--no-io-uring", no_uring, "Read with plain read() on a thread instead of io_uring");
  shard_args shard;
  add_shard_options(cl, shard, "files whose paths are those");
  cl.add_common(s);

  if (auto stopped = cl.parse(argc, argv, first, describe)) return {std::nullopt, stopped->exit_code, stopped->message};
  if (auto stopped = cl.finish_common(s)) return {std::nullopt, stopped->exit_code, stopped->message};
  if (s.max_line == 0) return fail(cl, "--max-line: '0' is not a size of at least 1 byte");
  if (s.follow && !s.state.empty()) return fail(cl, "--state goes with batch runs, not with --follow");
  if (s.wait_lock && s.state.empty()) return fail(cl, "--wait-lock needs --state");
  if (s.follow && !s.summary_state.empty())
    return fail(cl, "--summary-state goes with batch runs (each run writes the partial results of what it read), "
                    "not with --follow");
  s.every = std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(every * 1000)));
  if (lines->count()) s.last_lines = last_lines;
  s.words = !no_words;
  s.segment_chars = segment == "char";
  s.io_uring = !no_uring;
  if (per == "minute") s.per = tail_bucket::minute;
  else if (per == "hour") s.per = tail_bucket::hour;
  else if (per == "day") s.per = tail_bucket::day;
  if (input == "plain") s.input = tail_input::plain;
  else if (input == "nginx" || input == "apache" || input == "common") s.input = tail_input::access;
  else if (input == "syslog") s.input = tail_input::syslog;
  else if (input == "json") s.input = tail_input::json;
  else if (input == "logfmt") s.input = tail_input::logfmt;
  for (const auto& text : where) {
    std::string error;
    where_clause w = parse_where(text, error);
    if (!error.empty()) return fail(cl, "--where: " + error);
    s.where.push_back(std::move(w));
  }
  if (count) s.aggregates.push_back({aggregate::count, "", 0});
  for (const auto& [fields, kind] : {std::pair{&sums, aggregate::sum}, std::pair{&avgs, aggregate::avg},
                                     std::pair{&mins, aggregate::min}, std::pair{&maxes, aggregate::max}})
    for (const auto& f : *fields) s.aggregates.push_back({kind, f, 0});
  for (const auto& [fields, q] : {std::pair{&p50, 0.5}, std::pair{&p90, 0.9}, std::pair{&p99, 0.99}})
    for (const auto& f : *fields) s.aggregates.push_back({aggregate::quantile, f, q});
  for (const auto& text : quantiles) {
    auto q = parse_quantile(text);
    if (!q) return fail(cl, "--quantile: '" + text + "' is not FIELD:Q with 0 < Q < 1 (e.g. request_time:0.999)");
    s.aggregates.push_back(*q);
  }
  for (const auto& f : distinct) s.aggregates.push_back({aggregate::distinct, f, 0});
  for (const auto& a : s.aggregates)
    if (a.kind != aggregate::count && a.field.empty()) return fail(cl, "an aggregate needs a field name");
  auto zone = parse_utc_offset(tz);
  if (!zone)
    return fail(cl, "--tz: '" + tz + "' is not UTC or an offset like +02:00 or -0530 (zone names need a time zone "
                                      "database, which GCC 12's library does not have)");
  s.tz_offset = *zone;
  s.max_groups = static_cast<std::size_t>(max_groups);
  if (!s.sort.empty() && !s.aggregates_lines())
    return fail(cl, "--sort orders the rows of --by, --per or an aggregate: give one of them");
  auto word_list = [](result_format f) { return f == result_format::tsv || f == result_format::csv; };
  if (!s.words && !s.aggregates_lines() &&
      ((s.writes_file() && word_list(s.output_format)) || word_list(s.stdout_format)))
    return fail(cl, "tsv and csv hold word counts or the rows of --by, --per or an aggregate, and --no-words counts "
                    "no words: use json, or ask for rows");
  if (!describe) {
    std::string error = finish_shard(shard, s.shard, s.run_id,
                                     {{"-o", &s.output}, {"--summary", &s.summary}, {"--state", &s.state},
                                      {"--summary-state", &s.summary_state}});
    if (!error.empty()) return fail(cl, error);
  }
  return {std::move(s), 0, {}};
}

}  // namespace crawl::config
