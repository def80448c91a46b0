// crawl: the executable. Parses the command line and runs the subcommand.
#include "crawl_command.hpp"

#include "crawl/config/crawl_settings.hpp"

#include <curl/curl.h>

#include <cstdio>
#include <exception>

int main(int argc, char** argv) {
  auto parsed = crawl::config::parse_crawl_args(argc, argv);
  if (!parsed.settings) {
    std::fputs(parsed.message.c_str(), parsed.exit_code == 0 ? stdout : stderr);
    return parsed.exit_code;
  }
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    std::fputs("crawl: libcurl failed to initialize\n", stderr);
    return 2;
  }
  int status = 1;
  try {
    status = crawl::app::run_crawl(*parsed.settings);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "crawl: internal error: %s\n", e.what());
    status = 70;
  }
  curl_global_cleanup();
  return status;
}
