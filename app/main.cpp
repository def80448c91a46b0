// crawl: the executable. Reads the command line into one subcommand's
// settings (config/) and runs it.
#include "count/count_command.hpp"
#include "crawl/crawl_command.hpp"
#include "diagnostics.hpp"
#include "merge/merge_command.hpp"
#include "tail/tail_command.hpp"

#include "crawl/config/command.hpp"

#include <curl/curl.h>

#include <cstdio>
#include <exception>
#include <variant>

namespace {

int print(const crawl::config::finished& f) {
  std::fputs(f.message.c_str(), f.exit_code == 0 ? stdout : stderr);
  return f.exit_code;
}

int run(const crawl::config::crawl_settings& s) {
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    std::fputs("crawl: libcurl failed to initialize\n", stderr);
    return 2;
  }
  int status = crawl::app::run_crawl(s);
  curl_global_cleanup();
  return status;
}

int run(const crawl::config::tail_settings& s) {
  crawl::app::set_log_command("crawl tail");
  return crawl::app::run_tail(s);
}

int run(const crawl::config::count_settings& s) {
  crawl::app::set_log_command("crawl count");
  return crawl::app::run_count(s);
}

int run(const crawl::config::merge_settings& s) { return crawl::app::run_merge(s); }

}  // namespace

int main(int argc, char** argv) {
  crawl::config::command command = crawl::config::read_command(argc, argv);
  if (auto* f = std::get_if<crawl::config::finished>(&command)) return print(*f);
  try {
    return std::visit(
        [](const auto& settings) -> int {
          if constexpr (std::is_same_v<std::decay_t<decltype(settings)>, crawl::config::finished>) return 2;
          else {
            crawl::app::set_log_format(settings.log_json ? crawl::app::log_format::json : crawl::app::log_format::text);
            return run(settings);
          }
        },
        command);
  } catch (const std::exception& e) {
    crawl::app::log_line("error", std::string("internal error: ") + e.what());
    return 70;
  }
}
