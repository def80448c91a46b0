// crawl: the executable. Parses the command line and runs the subcommand.
#include "count/count_command.hpp"
#include "crawl/crawl_command.hpp"
#include "tail/tail_command.hpp"

#include "crawl/config/crawl_settings.hpp"
#include "crawl/config/tail_settings.hpp"

#include <cstring>
#include <string>
#include <vector>

#include <curl/curl.h>

#include <cstdio>
#include <exception>

namespace {

int tail_main(int argc, char** argv) {
  auto parsed = crawl::config::parse_tail_args(argc, argv);
  if (!parsed.settings) {
    std::fputs(parsed.message.c_str(), parsed.exit_code == 0 ? stdout : stderr);
    return parsed.exit_code;
  }
  try {
    return crawl::app::run_tail(*parsed.settings);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "crawl tail: internal error: %s\n", e.what());
    return 70;
  }
}

}  // namespace

// `crawl config --print [crawl options]`: the effective configuration.
int config_main(int argc, char** argv) {
  if (argc < 3 || std::strcmp(argv[2], "--print") != 0) {
    std::fputs("crawl config: usage: crawl config --print [options as for crawl]\n", stderr);
    return 2;
  }
  std::vector<char*> args{argv[0]};
  args.insert(args.end(), argv + 3, argv + argc);
  std::string description;
  auto parsed = crawl::config::parse_crawl_args(static_cast<int>(args.size()), args.data(), &description);
  if (!parsed.settings) {
    std::fputs(parsed.message.c_str(), parsed.exit_code == 0 ? stdout : stderr);
    return parsed.exit_code;
  }
  std::fputs(description.c_str(), stdout);
  return 0;
}

int count_main(int argc, char** argv) {
  auto parsed = crawl::config::parse_count_args(argc, argv);
  if (!parsed.settings) {
    std::fputs(parsed.message.c_str(), parsed.exit_code == 0 ? stdout : stderr);
    return parsed.exit_code;
  }
  return crawl::app::run_count(*parsed.settings);
}

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "tail") == 0) return tail_main(argc, argv);
  if (argc > 1 && std::strcmp(argv[1], "count") == 0) return count_main(argc, argv);
  if (argc > 1 && std::strcmp(argv[1], "config") == 0) return config_main(argc, argv);
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
