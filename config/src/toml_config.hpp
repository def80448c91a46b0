#pragma once
// TOML job files for CLI11: every long option is a key. toml++ parses;
// check_job_file checks every key's name and type first (all of them, not
// just the first wrong one) so errors name the file, line and key; CLI11
// then applies the values below the environment and the command line.
#include <CLI/CLI.hpp>

#include <map>
#include <string>
#include <vector>

namespace crawl::config {

class toml_config : public CLI::Config {
 public:
  std::string to_config(const CLI::App*, bool, bool, std::string) const override { return {}; }
  std::vector<CLI::ConfigItem> from_config(std::istream& input) const override;
};

struct job_key {
  int line = 0;
  std::vector<std::string> values;  // as text, as the command line would give them
};

// Checks `path` against the options of `app`: one message per problem
// ("FILE:LINE: key 'x': ..."). Fills `keys` with the keys that are sound.
std::vector<std::string> check_job_file(const std::string& path, const CLI::App& app,
                                        std::map<std::string, job_key>& keys);

// The path given with --config in `args`, or empty.
std::string config_path_in(const std::vector<std::string>& args);

// "CRAWL_" plus the long name in capitals, '-' as '_'.
std::string env_name_for(const std::string& long_name);

}  // namespace crawl::config
