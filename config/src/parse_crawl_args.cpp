#include "crawl/config/crawl_settings.hpp"

#include "toml_config.hpp"

#include <CLI/CLI.hpp>
#include <re2/re2.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace crawl::config {
namespace {

constexpr const char* exit_status_help =
    "\nExit status: 0 every URL fetched; 1 the run completed but some lines were bad or some URLs "
    "failed; 2 usage or configuration error; 75 another run holds the --state lock; 130 interrupted "
    "(SIGINT, SIGTERM or --deadline; with --state the next run resumes).\n"
    "Word rule: a word is a maximal run of Unicode letters, combining marks and decimal digits, "
    "lowercased; runs without a letter are dropped unless --keep-numbers; each Han, Hiragana and "
    "Katakana character is a word of its own.";

std::chrono::milliseconds to_ms(double seconds) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(seconds * 1000.0)));
}

}  // namespace

// CRAWL_VERSION comes from project(VERSION) in the top CMakeLists.txt, the one place it is written.
std::string version_string() { return std::string("crawl ") + CRAWL_VERSION; }
std::string product_token() { return std::string("crawl/") + CRAWL_VERSION; }

bool given_on_command_line(const CLI::Option& opt, int argc, const char* const* argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--") break;
    for (const auto& l : opt.get_lnames())
      if (arg == "--" + l || arg.rfind("--" + l + "=", 0) == 0) return true;
    for (const auto& sn : opt.get_snames())
      if (arg.size() >= 2 && arg[0] == '-' && arg[1] != '-' && arg.substr(1, sn.size()) == sn) return true;
  }
  return false;
}

std::optional<std::chrono::milliseconds> parse_duration(const std::string& text) {
  if (text.empty()) return std::nullopt;
  double total = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t used = 0;
    double value;
    try {
      value = std::stod(text.substr(i), &used);
    } catch (const std::exception&) {
      return std::nullopt;
    }
    if (value < 0) return std::nullopt;
    i += used;
    double unit = 1;
    if (i < text.size()) {
      char u = text[i++];
      if (u == 's') unit = 1;
      else if (u == 'm') unit = 60;
      else if (u == 'h') unit = 3600;
      else if (u == 'd') unit = 86400;
      else return std::nullopt;
    } else if (total > 0) {
      return std::nullopt;  // "1h30" is ambiguous
    }
    total += value * unit;
  }
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(total * 1000)));
}

parse_outcome parse_crawl_args(int argc, const char* const* argv, std::string* describe) {
  crawl_settings s;
  s.user_agent = product_token();
  double connect_timeout = 10, timeout = 30, grace = 5, retry_delay = 0.25;
  long low_speed_time = 15;
  std::string proxy;
  std::string token;

  CLI::App app{"crawl: fetch URLs concurrently, extract their visible text and count words."};
  app.footer(exit_status_help);
  app.option_defaults()->always_capture_default();
  app.set_config("--config", "", "TOML job file: every long option is a key (see examples/job.toml)");
  app.config_formatter(std::make_shared<toml_config>());
  app.allow_config_extras(false);
  app.set_version_flag("--version", version_string());
  app.add_option("urls", s.input, "File with one URL per line, or - for standard input")->required();
  app.add_option("-c,--concurrency", s.concurrency, "Transfers in flight at most")->check(CLI::Range(1, 1'000'000));
  app.add_option("--per-host", s.per_host, "Transfers in flight per host at most")->check(CLI::Range(1, 1'000'000));
  app.add_option("--threads", s.threads, "Worker threads for text processing (0: one per core)")
      ->check(CLI::Range(0, 1024));
  app.add_option("--max-redirects", s.max_redirects, "Redirects followed at most")->check(CLI::Range(0, 100));
  app.add_option("--connect-timeout", connect_timeout, "Seconds to connect")->check(CLI::Range(0.001, 86400.0));
  app.add_option("--timeout", timeout, "Seconds for a whole transfer")->check(CLI::Range(0.001, 86400.0));
  app.add_option("--low-speed-time", low_speed_time, "Abort after this many seconds below 1 KB/s")
      ->check(CLI::Range(1, 86400));
  app.add_option("--retries", s.retries, "Retries of a failed transfer")->check(CLI::Range(0, 100));
  app.add_option("--retry-delay", retry_delay, "Seconds before the first retry (doubles each time)")
      ->check(CLI::Range(0.0, 3600.0));
  app.add_option("--max-size", s.max_size, "Largest decoded body, e.g. 10MiB")
      ->transform(CLI::AsSizeValue(false));
  app.add_option("--user-agent", s.user_agent, "User-Agent header");
  app.add_option("-H,--header", s.headers, "Extra request header 'Name: value' (repeatable)")
      ->check([](const std::string& h) {
        return h.find(':') == std::string::npos ? std::string("header must be 'Name: value'") : std::string();
      });
  app.add_flag("--insecure", s.insecure, "Do not verify TLS certificates");
  app.add_option("--cacert", s.cacert, "CA bundle file")->check(CLI::ExistingFile);
  app.add_option("--proxy", proxy, "Proxy URL (default: the usual proxy environment variables)");
  app.add_option("--top", s.top, "Words in the table on stdout")->check(CLI::Range(0, 1'000'000));
  app.add_option("-o,--output", s.output, "Write all counts to FILE (.tsv, .csv or .json)")
      ->check([](const std::string& p) {
        auto ends = [&](const char* x) { return p.size() >= std::strlen(x) && p.compare(p.size() - std::strlen(x), std::string::npos, x) == 0; };
        return ends(".tsv") || ends(".csv") || ends(".json") ? std::string()
                                                              : std::string("extension must be .tsv, .csv or .json");
      });
  app.add_option("--results", s.results, "Write one JSON line per URL to FILE");
  app.add_option("--summary", s.summary, "Write the run summary as JSON to FILE");
  app.add_option("--token", token, "RE2 pattern whose matches are the words");
  app.add_flag("--keep-numbers", s.keep_numbers, "Count runs of digits without letters too");
  app.add_flag("-q,--quiet", s.quiet, "Print only errors and the table");
  app.add_flag("-v,--verbose", s.verbose, "Say more on stderr");
  std::string deadline;
  std::string log_format = "text";
  app.add_option("--warc", s.warc, "Archive every page counted to FILE.warc.zst (WARC/1.1, a zstd frame per record)")
      ->check([](const std::string& p) {
        return p.size() > 9 && p.compare(p.size() - 9, 9, ".warc.zst") == 0 ? std::string()
                                                                         : std::string("must end in .warc.zst");
      });
  app.add_option("--warc-max-size", s.warc_max_size, "Start a new archive file past this size, e.g. 1GiB")
      ->transform(CLI::AsSizeValue(false));
  app.add_option("--log-format", log_format, "Log lines on stderr as text or json")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_option("--state", s.state, "SQLite file: send If-None-Match/If-Modified-Since, reuse unchanged pages, resume");
  app.add_flag("--refresh", s.refresh, "Ignore stored validators: fetch every page in full");
  app.add_flag("--wait-lock", s.wait_lock, "Wait for another run holding the --state lock");
  app.add_option("--deadline", deadline, "End the run gracefully after this long, e.g. 90s, 15m, 2h");
  app.add_option("--grace", grace, "Seconds in-flight transfers get after SIGINT/SIGTERM")
      ->check(CLI::Range(0.0, 3600.0));

  std::map<std::string, int> config_lines;
  if (std::string config = config_path_in(argc, argv); !config.empty()) {
    std::string problem = check_config_file(config, app, config_lines);
    if (!problem.empty()) return {std::nullopt, 2, "crawl: --config: " + problem + "\n"};
  }
  // CLI11 would rank its config file above the environment; we want the
  // environment above the file, so CRAWL_<NAME> variables join the command
  // line, unless the command line sets that option itself.
  std::vector<std::string> sources(static_cast<std::size_t>(argc));
  std::vector<std::string> args(argv, argv + argc);
  for (CLI::Option* opt : app.get_options()) {
    if (opt->get_lnames().empty()) continue;
    const std::string& name = opt->get_lnames()[0];
    if (name == "help" || name == "version" || name == "config") continue;
    const char* value = std::getenv(env_name_for(name).c_str());
    if (value && !given_on_command_line(*opt, argc, argv)) args.push_back("--" + name + "=" + value);
  }
  std::vector<const char*> full;
  for (const auto& a : args) full.push_back(a.c_str());
  try {
    app.parse(static_cast<int>(full.size()), full.data());
  } catch (const CLI::CallForHelp&) {
    return {std::nullopt, 0, app.help()};
  } catch (const CLI::CallForVersion&) {
    return {std::nullopt, 0, version_string() + "\n"};
  } catch (const CLI::ParseError& e) {
    std::string message = e.what();
    // A bad value from the job file: say where it is.
    std::string option = message.substr(0, message.find(':'));
    if (option.rfind("--", 0) == 0) {
      auto it = config_lines.find(option.substr(2));
      if (it != config_lines.end())
        message += " (" + config_path_in(argc, argv) + ":" + std::to_string(it->second) + ", key '" + it->first + "')";
    }
    return {std::nullopt, 2, "crawl: " + message + "\nRun with --help for usage.\n"};
  }
  if (!token.empty()) {
    RE2::Options options;
    options.set_log_errors(false);
    RE2 re(token, options);
    if (!re.ok())
      return {std::nullopt, 2, "crawl: --token: invalid RE2 pattern: " + re.error() + "\n"};
    if (re.NumberOfCapturingGroups() > 1)
      return {std::nullopt, 2, "crawl: --token: at most one capture group is allowed\n"};
  }
  if (s.quiet && s.verbose) return {std::nullopt, 2, "crawl: --quiet and --verbose exclude each other\n"};
  s.token = token;
  s.connect_timeout = to_ms(connect_timeout);
  s.timeout = to_ms(timeout);
  s.grace = to_ms(grace);
  s.retry_delay = to_ms(retry_delay);
  s.low_speed_time = std::chrono::seconds(low_speed_time);
  if (app.count("--proxy")) s.proxy = proxy;
  s.log_json = log_format == "json";
  if (!deadline.empty()) {
    s.deadline = parse_duration(deadline);
    if (!s.deadline || s.deadline->count() <= 0)
      return {std::nullopt, 2, "crawl: --deadline: '" + deadline + "' is not a duration like 90s, 15m or 2h\n"};
  }
  if (describe) {
    // `crawl config --print`: every value and where it came from.
    std::string config = config_path_in(argc, argv);
    for (const CLI::Option* opt : app.get_options()) {
      std::string name = opt->get_lnames().empty() ? opt->get_name(true, false) : opt->get_lnames()[0];
      if (name == "help" || name == "version" || name == "config") continue;
      std::string value;
      for (const auto& r : opt->results()) value += (value.empty() ? "" : ", ") + r;
      if (opt->count() == 0) value = opt->get_default_str();
      if (opt->get_expected_max() == 0 && opt->count() == 0) value = "false";
      std::string source = "default";
      if (given_on_command_line(*opt, argc, argv) || (name == "urls" && opt->count() && !config_lines.count("urls")))
        source = "command line";
      else if (!opt->get_lnames().empty() && std::getenv(env_name_for(name).c_str()))
        source = "environment " + env_name_for(name);
      else if (auto it = config_lines.find(name); it != config_lines.end())
        source = config + ":" + std::to_string(it->second);
      char line[512];
      std::snprintf(line, sizeof line, "%-18s = %-28s # %s\n", name.c_str(), value.c_str(), source.c_str());
      *describe += line;
    }
  }
  if ((s.refresh || s.wait_lock) && s.state.empty())
    return {std::nullopt, 2, "crawl: --refresh and --wait-lock need --state\n"};
  return {std::move(s), 0, {}};
}

count_parse_outcome parse_count_args(int argc, const char* const* argv) {
  count_settings s;
  CLI::App app{"crawl count: count the words of local files: HTML, text, and .warc.zst/.warc.gz archives."};
  app.name("crawl count");
  app.add_option("files", s.files, "Files to count")->required();
  app.add_option("--top", s.top, "Words in the table on stdout")->check(CLI::Range(0, 1'000'000));
  app.add_option("-o,--output", s.output, "Write all counts to FILE (.tsv, .csv or .json)");
  app.add_option("--token", s.token, "RE2 pattern whose matches are the words");
  app.add_flag("--keep-numbers", s.keep_numbers, "Count runs of digits without letters too");
  app.add_option("--max-size", s.max_size, "Largest decoded body counted, as in crawl")->transform(CLI::AsSizeValue(false));
  app.add_option("--summary", s.summary, "Write a JSON summary to FILE");
  app.add_flag("-q,--quiet", s.quiet, "Only errors and the table");
  try {
    app.parse(argc - 1, argv + 1);
  } catch (const CLI::CallForHelp&) {
    return {std::nullopt, 0, app.help()};
  } catch (const CLI::ParseError& e) {
    return {std::nullopt, 2, std::string("crawl count: ") + e.what() + "\n"};
  }
  return {std::move(s), 0, {}};
}

}  // namespace crawl::config
