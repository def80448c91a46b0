#pragma once
// TOML job files for CLI11: every long option is a key. CLI11 applies the
// precedence (defaults, then the file, then CRAWL_* variables, then the
// command line); toml++ parses, and this checks keys and types first so
// errors name the file, line and key.
#include <CLI/CLI.hpp>

#include <map>
#include <string>

namespace crawl::config {

class toml_config : public CLI::Config {
 public:
  std::string to_config(const CLI::App*, bool, bool, std::string) const override { return {}; }
  std::vector<CLI::ConfigItem> from_config(std::istream& input) const override;
};

// Checks `path` against the options of `app`. Returns an error message
// ("FILE:LINE: key 'x': ...") or empty; fills `lines` with each key's line.
std::string check_config_file(const std::string& path, const CLI::App& app, std::map<std::string, int>& lines);

// The path given with --config in argv, or empty.
std::string config_path_in(int argc, const char* const* argv);

// "CRAWL_" plus the long name in capitals, '-' as '_'.
std::string env_name_for(const std::string& long_name);

}  // namespace crawl::config
