#pragma once
// One parser per subcommand, each built on command_line. `first` is the
// index of the first argument after the subcommand's name; with `describe`,
// each effective value and its source is appended and no input is required.
#include "crawl/config/common_settings.hpp"
#include "crawl/config/crawl_settings.hpp"
#include "crawl/config/merge_settings.hpp"
#include "crawl/config/tail_settings.hpp"

#include <string>

namespace crawl::config {

parsed<crawl_settings> parse_crawl(int argc, const char* const* argv, int first, std::string* describe);
parsed<tail_settings> parse_tail(int argc, const char* const* argv, int first, std::string* describe);
parsed<count_settings> parse_count(int argc, const char* const* argv, int first, std::string* describe);
parsed<merge_settings> parse_merge(int argc, const char* const* argv, int first, std::string* describe);

// A bash completion script for every command and option.
std::string bash_completion();

// The first screen of `crawl --help`: the subcommands and examples.
extern const char* const overview;

}  // namespace crawl::config
