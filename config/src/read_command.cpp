#include "crawl/config/command.hpp"

#include "crawl/config/crawl_settings.hpp"
#include "parsers.hpp"

#include <string_view>

namespace crawl::config {

const char* const overview =
    "crawl: fetch URLs concurrently and count the words of their visible text; summarize log files.\n"
    "\n"
    "Commands:\n"
    "  crawl [OPTIONS] URLS...           fetch URLs given as such (http://, https://) and those listed\n"
    "                                    in files (- for standard input), and count the words of the\n"
    "                                    text a reader would see\n"
    "  crawl tail [OPTIONS] FILE...      read, follow (-f) and summarize log files: plain, gzip or zstd\n"
    "  crawl count [OPTIONS] FILE...     count the words of local files and WARC archives as crawl does\n"
    "  crawl merge [OPTIONS] FILE...     combine shards' and runs' word counts, summaries and partial results\n"
    "  crawl config --print [tail|count|merge] [OPTIONS]\n"
    "                                    every effective setting and where it came from\n"
    "  crawl help [tail|count|merge|config]\n"
    "                                    this help, or a command's\n"
    "\n"
    "Every command: the result on stdout (a table; --top 0 for none; --format tsv|csv|json for all of\n"
    "it), -o FILE for all of it in the format the extension names, -o - for that on stdout; logs,\n"
    "progress and the run summary on stderr (-q: no progress, no summary); --summary FILE for the\n"
    "summary as JSON; --config FILE and CRAWL_<OPTION> variables for any option.\n"
    "\n"
    "Examples:\n"
    "  crawl urls.txt                            the top 20 words; a summary on stderr\n"
    "  crawl https://example.org/ more-urls.txt  a URL and a list, politely (robots.txt, --delay)\n"
    "  crawl urls.txt -o counts.tsv --top 0 -q   every count to counts.tsv and nothing else\n"
    "  crawl urls.txt -o - | jq .                every count as JSON on stdout\n"
    "  crawl tail -f /var/log/app.log            follow a log like tail -F\n"
    "  crawl tail app.log.gz --group 'status=(\\d+)' --no-words\n"
    "  crawl count pages.warc.zst                recount what a crawl archived\n"
    "  man crawl, man crawl-tail, man crawl-count, man crawl-config\n"
    "\n"
    "The options of crawl URLS (those of each command: crawl help COMMAND):";

namespace {

const char* const config_help =
    "crawl config: show the effective configuration.\n"
    "Usage: crawl config --print [tail|count|merge] [OPTIONS]\n"
    "\n"
    "Prints every option of crawl (or of crawl tail, crawl count) with its effective value and\n"
    "where that came from: the command line, a CRAWL_<OPTION> environment variable, the --config\n"
    "job file (with its line), or the default. Takes the command's options, inputs optional.\n"
    "\n"
    "Options:\n"
    "  --print                     print the settings (required)\n"
    "  -h,--help                   this help\n"
    "  --version                   the version\n"
    "\n"
    "Exit status: 0 printed; 2 an option, value or job file is wrong (each problem is named).\n";

template <class S>
command from(parsed<S>&& p) {
  if (p.settings) return std::move(*p.settings);
  return finished{p.exit_code, std::move(p.message)};
}

bool is(const char* arg, std::string_view name) { return arg && name == arg; }

command help_for(int argc, const char* const* argv) {
  // argv[1] is "help"; argv[2], if any, names a command.
  const char* topic = argc > 2 ? argv[2] : nullptr;
  const char* help[] = {"crawl", "--help"};
  if (is(topic, "--bash-completion")) return finished{0, bash_completion()};
  if (!topic || is(topic, "crawl")) return from(parse_crawl(2, help, 1, nullptr));
  if (is(topic, "tail")) return from(parse_tail(2, help, 1, nullptr));
  if (is(topic, "count")) return from(parse_count(2, help, 1, nullptr));
  if (is(topic, "merge")) return from(parse_merge(2, help, 1, nullptr));
  if (is(topic, "config")) return finished{0, config_help};
  return finished{2, std::string("crawl help: there is no command '") + topic +
                         "'; the commands are crawl, tail, count, merge and config\n"};
}

command config_print(int argc, const char* const* argv) {
  if (argc > 2 && (is(argv[2], "--help") || is(argv[2], "-h"))) return finished{0, config_help};
  if (argc > 2 && is(argv[2], "--version")) return finished{0, version_string() + "\n"};
  if (argc < 3 || !is(argv[2], "--print"))
    return finished{2, "crawl config: usage: crawl config --print [tail|count|merge] [OPTIONS]\n"
                       "Run 'crawl help config' for more.\n"};
  int first = 3;
  std::string description;
  finished done;
  auto print = [&](auto&& p) {
    if (!p.settings) return finished{p.exit_code, std::move(p.message)};
    return finished{0, description};
  };
  if (argc > 3 && is(argv[3], "tail")) return print(parse_tail(argc, argv, first + 1, &description));
  if (argc > 3 && is(argv[3], "count")) return print(parse_count(argc, argv, first + 1, &description));
  if (argc > 3 && is(argv[3], "merge")) return print(parse_merge(argc, argv, first + 1, &description));
  return print(parse_crawl(argc, argv, first, &description));
}

}  // namespace

command read_command(int argc, const char* const* argv) {
  const char* sub = argc > 1 ? argv[1] : nullptr;
  if (is(sub, "tail")) return from(parse_tail(argc, argv, 2, nullptr));
  if (is(sub, "count")) return from(parse_count(argc, argv, 2, nullptr));
  if (is(sub, "merge")) return from(parse_merge(argc, argv, 2, nullptr));
  if (is(sub, "config")) return config_print(argc, argv);
  if (is(sub, "help")) return help_for(argc, argv);
  return from(parse_crawl(argc, argv, 1, nullptr));
}

}  // namespace crawl::config
