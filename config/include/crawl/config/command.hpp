#pragma once
// The command line as one of the subcommands' validated settings, or a text
// to print and an exit status (help, version, `crawl config --print`, or an
// error naming the option, the value and what would be accepted).
#include "crawl/config/crawl_settings.hpp"
#include "crawl/config/merge_settings.hpp"
#include "crawl/config/tail_settings.hpp"

#include <string>
#include <variant>

namespace crawl::config {

struct finished {
  int exit_code = 0;    // 0: print `message` on stdout; else on stderr
  std::string message;
};

using command = std::variant<finished, crawl_settings, tail_settings, count_settings, merge_settings>;

// `crawl [OPTIONS] URLS`, `crawl tail ...`, `crawl count ...`, `crawl merge ...`,
// `crawl config --print [tail|count] ...`, `crawl help [SUBCOMMAND]`.
// Options also come from --config FILE and CRAWL_<NAME> variables: the
// command line wins over the environment, which wins over the file.
command read_command(int argc, const char* const* argv);

}  // namespace crawl::config
