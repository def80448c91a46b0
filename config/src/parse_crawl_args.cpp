#include "crawl/config/crawl_settings.hpp"

#include "command_line.hpp"
#include "parsers.hpp"
#include "shard_args.hpp"

#include <CLI/CLI.hpp>
#include <re2/re2.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace crawl::config {
namespace {

constexpr const char* crawl_footer =
    "\nExit status: 0 every URL fetched; 1 the run completed but some lines were bad or some URLs\n"
    "failed; 2 usage or configuration error, or the URL list cannot be read; 70 internal error;\n"
    "74 an output or the --state could not be written (disk full, permission); 75 another run\n"
    "holds the --state lock; 130 interrupted (SIGINT, SIGTERM or --deadline; with --state the next\n"
    "run resumes).\n"
    "\nWord rule: a word is a maximal run of Unicode letters, combining marks and decimal digits,\n"
    "lowercased; runs without a letter are dropped unless --keep-numbers; runs of Chinese, Japanese,\n"
    "Thai, Lao, Khmer and Burmese are cut into words by ICU's dictionaries (--segment char: each Han\n"
    "and Kana character is a word of its own).";

constexpr const char* count_footer =
    "\nExit status: 0 every file counted; 1 some file was missing, unreadable or damaged (the\n"
    "others still count); 2 usage error, or no file could be read; 70 internal error; 74 an output\n"
    "could not be written.";

template <class T>
parsed<T> fail(const command_line& cl, const std::string& message) {
  auto e = cl.error(message);
  return {std::nullopt, e.exit_code, e.message};
}

std::chrono::milliseconds to_ms(double seconds) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(seconds * 1000.0)));
}

}  // namespace

// CRAWL_VERSION comes from project(VERSION) in the top CMakeLists.txt, the one place it is written.
std::string version_string() { return std::string("crawl ") + CRAWL_VERSION; }
std::string product_token() { return std::string("crawl/") + CRAWL_VERSION; }

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

parsed<crawl_settings> parse_crawl(int argc, const char* const* argv, int first, std::string* describe) {
  crawl_settings s;
  s.user_agent = product_token();
  double connect_timeout = 10, timeout = 30, grace = 5, retry_delay = 0.25;
  long low_speed_time = 15;
  std::string proxy, token, deadline, segment = "icu";

  command_line cl("crawl", "[OPTIONS] URLS...", overview, crawl_footer);
  cl.inputs("urls", s.inputs, "URL lists (one URL a line; - for standard input) and URLs (http://, https://)");
  cl.option("-c,--concurrency", s.concurrency, "Transfers in flight at most", whole_number(1, 1'000'000));
  cl.option("--per-host", s.per_host, "Transfers in flight per host at most", whole_number(1, 1'000'000));
  double delay = 0;
  bool no_back_off = false;
  cl.option("--delay", delay, "Seconds between the starts of two requests to one host", seconds_between(0, 3600));
  cl.option("--rate", s.rate, "Requests per second per host at most; 0: no limit", seconds_between(0, 1e6))
      ->type_name("N");
  cl.flag("--no-back-off", no_back_off, "Do not slow a host down when it answers 429 or 503 or times out");
  std::string scope = "host";
  cl.flag("--follow", s.follow, "Follow the links of the pages fetched (a, area, frame, iframe, canonical)");
  cl.option("--depth", s.depth, "Links followed from a seed at most, with --follow", whole_number(0, 1000));
  cl.option("--scope", scope,
            "Which links --follow takes: host (the seeds' own scheme and host), domain (their registrable "
            "domains, e.g. any *.example.co.uk host of www.example.co.uk) or any",
            one_of({"host", "domain", "any"}))
      ->default_str("host");
  cl.option("--include", s.include, "With --follow, only URLs matching this RE2 pattern (repeatable: any)")
      ->type_name("RE")
      ->allow_extra_args(false);
  cl.option("--exclude", s.exclude, "With --follow, no URL matching this RE2 pattern (repeatable)")
      ->type_name("RE")
      ->allow_extra_args(false);
  cl.option("--max-pages", s.max_pages, "URLs started at most, seeds included; 0: no limit",
            whole_number(0, 1'000'000'000'000));
  cl.flag("--sitemaps", s.sitemaps,
          "With --follow, also take the pages listed in each site's sitemaps (robots.txt Sitemap: lines and "
          "/sitemap.xml; indexes and gzip read) as seeds");
  cl.flag("--ignore-nofollow", s.ignore_nofollow, "Follow rel=nofollow links and count noindex pages too");
  std::string robots = "obey", robots_unreachable;
  double max_crawl_delay = 30;
  const value_check a_duration{[](const std::string& d) {
                           auto parsed = parse_duration(d);
                           return parsed && parsed->count() > 0
                                      ? std::string()
                                      : "'" + d + "' is not a duration such as 90s, 15m, 2h or 1h30m";
                         }, "DURATION", ""};
  cl.option("--robots", robots, "obey: fetch each site's robots.txt first and keep to it; ignore: do not",
            one_of({"obey", "ignore"}))
      ->default_str("obey");
  cl.option("--max-crawl-delay", max_crawl_delay, "A site whose robots.txt asks a longer Crawl-delay is skipped",
            seconds_between(0, 86400));
  cl.option("--robots-unreachable", robots_unreachable,
            "A site whose robots.txt has failed (5xx, 429, no answer) this long in a row is given up; kept across "
            "runs with --state. e.g. 24h",
            a_duration)
      ->default_str("24h");
  cl.option("--max-redirects", s.max_redirects, "Redirects followed at most", whole_number(0, 100));
  cl.option("--connect-timeout", connect_timeout, "Seconds to connect", seconds_between(0.001, 86400));
  cl.option("--timeout", timeout, "Seconds for a whole transfer", seconds_between(0.001, 86400));
  cl.option("--low-speed-time", low_speed_time, "Abort after this many seconds below 1 KB/s", whole_number(1, 86400));
  cl.option("--retries", s.retries, "Retries of a failed transfer", whole_number(0, 100));
  cl.option("--retry-delay", retry_delay, "Seconds before the first retry (doubles each time)",
            seconds_between(0, 3600));
  cl.size_option("--max-size", s.max_size, "Largest decoded body, e.g. 10MiB", "10MiB");
  cl.option("--user-agent", s.user_agent, "User-Agent header");
  cl.option("-H,--header", s.headers, "Extra request header 'Name: value' (repeatable)",
            {[](const std::string& h) {
               return h.find(':') == std::string::npos ? "'" + h + "' is not a header 'Name: value'" : std::string();
             }, "HEADER", ""})
      ->allow_extra_args(false);
  cl.flag("--insecure", s.insecure, "Do not verify TLS certificates");
  cl.flag("--cookies", s.cookies, "Keep the cookies sites set, for the run (in memory), and send them back");
  cl.option("--cookie-jar", s.cookie_jar,
            "Load cookies from FILE (Netscape format, as curl and wget write it) and save them there at the end; "
            "implies --cookies")
      ->type_name("FILE");
  cl.option("--resolve", s.resolve, "Connect to ADDRESS for HOST:PORT instead of asking DNS, as curl's --resolve "
                                    "(repeatable)",
            {[](const std::string& entry) {
               auto host_end = entry.find(':');
               auto port_end = host_end == std::string::npos ? host_end : entry.find(':', host_end + 1);
               bool ok = host_end != std::string::npos && host_end > 0 && port_end != std::string::npos &&
                         port_end > host_end + 1 && port_end + 1 < entry.size() &&
                         entry.find_first_not_of("0123456789", host_end + 1) == port_end;
               return ok ? std::string() : "'" + entry + "' is not HOST:PORT:ADDRESS";
             }, "HOST:PORT:ADDRESS", ""})
      ->allow_extra_args(false);
  cl.flag("--deny-private", s.deny_private,
          "Never send a request to a loopback, private, link-local or unique-local address (checked on the "
          "address connected, after DNS and redirects)");
  cl.option("--cacert", s.cacert, "CA bundle file", existing_file());
  cl.option("--proxy", proxy, "Proxy URL (default: the usual proxy environment variables)")->type_name("URL");
  cl.add_common(s);
  cl.option("--results", s.results, "Write one JSON line per URL to FILE")->type_name("FILE");
  cl.option("--token", token, "RE2 pattern whose matches are the words")->type_name("RE");
  cl.flag("--keep-numbers", s.keep_numbers, "Count runs of digits without letters too");
  cl.option("--segment", segment, "How runs of Chinese, Japanese, Thai, Lao, Khmer and Burmese are cut into words: icu (dictionaries) or char (each Han and Kana character a word)", one_of({"icu", "char"}));
  cl.option("--warc", s.warc, "Archive every page counted to FILE.warc.zst (WARC/1.1, a zstd frame per record)",
            {[](const std::string& p) {
               return p.size() > 9 && p.ends_with(".warc.zst") ? std::string()
                                                               : "'" + p + "' does not end in .warc.zst";
             }, "FILE", ""});
  cl.size_option("--warc-max-size", s.warc_max_size, "Start a new archive file past this size", "1GiB");
  cl.option("--state", s.state, "SQLite file: send If-None-Match/If-Modified-Since, reuse unchanged pages, resume")->type_name("FILE");
  cl.flag("--refresh", s.refresh, "Ignore stored validators: fetch every page in full");
  cl.flag("--wait-lock", s.wait_lock, "Wait for another run holding the --state lock");
  cl.option("--deadline", deadline, "End the run gracefully after this long, e.g. 90s, 15m, 2h", a_duration);
  cl.option("--grace", grace, "Seconds in-flight transfers get after SIGINT/SIGTERM", seconds_between(0, 3600));
  shard_args shard;
  add_shard_options(cl, shard, "URLs whose hosts are those");
  cl.option("--outbox", s.outbox,
            "With --follow and a shard: write links to other shards' hosts to DIR/to-<shard>.urls, the seeds of "
            "the next round")
      ->type_name("DIR");

  if (auto stopped = cl.parse(argc, argv, first, describe)) return {std::nullopt, stopped->exit_code, stopped->message};
  if (auto stopped = cl.finish_common(s)) return {std::nullopt, stopped->exit_code, stopped->message};
  if (!token.empty()) {
    RE2::Options options;
    options.set_log_errors(false);
    RE2 re(token, options);
    if (!re.ok()) return fail<crawl_settings>(cl, "--token: '" + token + "' is not a valid RE2 pattern: " + re.error());
    if (re.NumberOfCapturingGroups() > 1) return fail<crawl_settings>(cl, "--token: '" + token + "' has more than one capture group");
  }
  s.token = token;
  s.segment_chars = segment == "char";
  s.delay = to_ms(delay);
  // Following a site, a quarter of a second between requests to a host unless told otherwise.
  if (s.follow && !cl.given("delay")) s.delay = std::chrono::milliseconds(250);
  s.follow_scope = scope == "any"      ? crawl_settings::scope::any
                   : scope == "domain" ? crawl_settings::scope::domain
                                       : crawl_settings::scope::host;
  for (const auto* list : {&s.include, &s.exclude})
    for (const auto& pattern : *list) {
      RE2::Options options;
      options.set_log_errors(false);
      RE2 re(pattern, options);
      if (!re.ok())
        return fail<crawl_settings>(cl, std::string(list == &s.include ? "--include" : "--exclude") + ": '" + pattern +
                                            "' is not a valid RE2 pattern: " + re.error());
    }
  if (!s.follow && (cl.given("depth") || cl.given("scope") || cl.given("include") || cl.given("exclude") ||
                    cl.given("sitemaps")))
    return fail<crawl_settings>(cl, "--depth, --scope, --include, --exclude and --sitemaps go with --follow");
  s.robots = robots == "obey";
  s.max_crawl_delay = to_ms(max_crawl_delay);
  s.back_off = !no_back_off;
  s.connect_timeout = to_ms(connect_timeout);
  s.timeout = to_ms(timeout);
  s.grace = to_ms(grace);
  s.retry_delay = to_ms(retry_delay);
  s.low_speed_time = std::chrono::seconds(low_speed_time);
  if (cl.given("proxy")) s.proxy = proxy;
  if (!s.cookie_jar.empty()) s.cookies = true;
  if (!deadline.empty()) s.deadline = parse_duration(deadline);
  if (!robots_unreachable.empty()) s.robots_unreachable = *parse_duration(robots_unreachable);
  if ((s.refresh || s.wait_lock) && s.state.empty()) return fail<crawl_settings>(cl, "--refresh and --wait-lock need --state");
  if (!s.outbox.empty() && !s.follow) return fail<crawl_settings>(cl, "--outbox goes with --follow");
  if (!describe) {
    std::string error = finish_shard(shard, s.shard, s.run_id,
                                     {{"-o", &s.output}, {"--summary", &s.summary}, {"--results", &s.results},
                                      {"--state", &s.state}, {"--warc", &s.warc}, {"--cookie-jar", &s.cookie_jar},
                                      {"--outbox", &s.outbox}});
    if (!error.empty()) return fail<crawl_settings>(cl, error);
    if (!s.outbox.empty() && !s.shard.set())
      return fail<crawl_settings>(cl, "--outbox goes with a shard (--shard K/N, or a job array's environment)");
  }
  return {std::move(s), 0, {}};
}

parsed<count_settings> parse_count(int argc, const char* const* argv, int first, std::string* describe) {
  count_settings s;
  std::string segment = "icu";
  command_line cl("crawl count", "[OPTIONS] FILE...",
                  "crawl count: count the words of local files (HTML, text, gzip or zstd compressed) and of "
                  ".warc.zst, .warc.gz and .warc archives, by the rules of crawl.",
                  count_footer);
  cl.inputs("files", s.files, "Files to count; - for standard input");
  cl.option("--token", s.token, "RE2 pattern whose matches are the words")->type_name("RE");
  cl.flag("--keep-numbers", s.keep_numbers, "Count runs of digits without letters too");
  cl.option("--segment", segment, "How runs of Chinese, Japanese, Thai, Lao, Khmer and Burmese are cut into words: icu (dictionaries) or char (each Han and Kana character a word)", one_of({"icu", "char"}));
  cl.size_option("--max-size", s.max_size, "Largest decoded body counted, as in crawl", "10MiB");
  cl.add_common(s);
  if (auto stopped = cl.parse(argc, argv, first, describe)) return {std::nullopt, stopped->exit_code, stopped->message};
  if (auto stopped = cl.finish_common(s)) return {std::nullopt, stopped->exit_code, stopped->message};
  s.segment_chars = segment == "char";
  return {std::move(s), 0, {}};
}

}  // namespace crawl::config
