#pragma once
// The one way every subcommand reads its command line: CLI11 for the
// syntax; checks of our own, so an error names the option, the value and
// what would be accepted in plain numbers; --config job files (every long
// option is a key) and CRAWL_<NAME> variables; the options all subcommands
// share; help that shows every default.
#include "crawl/config/common_settings.hpp"

#include <CLI/CLI.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace crawl::config {

// A check of an option's value: `fn` returns empty when `text` is
// acceptable, else says what would be; `type` names the value in help and
// `range` says what is accepted there.
struct value_check {
  std::function<std::string(const std::string& text)> fn;
  std::string type;
  std::string range;
  explicit operator bool() const { return static_cast<bool>(fn); }
};

value_check whole_number(long long lo, long long hi);
value_check seconds_between(double lo, double hi);
value_check one_of(std::vector<std::string> choices);
value_check byte_size();
value_check existing_file();  // 10MiB, 512KiB, 1GB, 1000

// How a parse ended early: help or version (exit 0, for stdout) or an error (for stderr).
struct stop {
  int exit_code = 0;
  std::string message;
};

class command_line {
 public:
  // `command`: "crawl", "crawl tail", ...; `usage`: its synopsis after the
  // command; `what`: one paragraph on what it does; `footer`: exit statuses.
  command_line(std::string command, std::string usage, std::string what, std::string footer);

  template <class T>
  CLI::Option* option(const std::string& names, T& value, const std::string& help, value_check check = {}) {
    CLI::Option* opt = app_.add_option(names, value, check.range.empty() ? help : help + " (" + check.range + ")");
    if (check) with_check(opt, std::move(check));
    return opt;
  }
  // A size in bytes: 4096, 512KiB, 10MiB, 1GiB (KiB = KB = 1024).
  CLI::Option* size_option(const std::string& names, std::uint64_t& value, const std::string& help,
                           const std::string& shown_default);
  CLI::Option* flag(const std::string& names, bool& value, const std::string& help) {
    return app_.add_flag(names, value, help);
  }
  // The inputs (URL list or files): checked after parsing, so that an
  // unknown option is reported as such rather than as a missing input.
  template <class T>
  void inputs(const std::string& name, T& value, const std::string& help) {
    inputs_ = app_.add_option(name, value, help)->type_name("FILE")->default_str("");
  }
  // The options of common_settings; -o, --format and --top are read by finish_common.
  void add_common(common_settings& c);

  // Parses argv[first..argc) with the job file and environment. With
  // `describe`, appends each effective value and where it came from, and
  // the inputs are not required.
  std::optional<stop> parse(int argc, const char* const* argv, int first, std::string* describe = nullptr);
  // Resolves -o and --format into the output formats; checks -q with -v.
  std::optional<stop> finish_common(common_settings& c) const;
  // An error naming the subcommand, with where to find its usage.
  stop error(const std::string& message) const;
  std::string help() const { return app_.help(); }
  // "crawl tail [OPTIONS] FILE...".
  std::string usage_line() const { return command_ + " " + usage_; }
  bool given(const std::string& long_name) const { return app_.count("--" + long_name) > 0; }

 private:
  void with_check(CLI::Option* opt, value_check check);
  std::vector<std::string> check_job_file(const std::string& path);
  std::string describe_values(const std::vector<std::string>& args) const;
  std::string where_from(const CLI::Option& opt, const std::vector<std::string>& args) const;

  std::string command_;
  CLI::App app_;
  CLI::Option* inputs_ = nullptr;
  std::map<std::string, std::function<std::string(const std::string&)>> checks_;  // by long name, for job-file values too
  std::map<std::string, int> job_lines_;        // job-file key -> line
  std::string job_file_;
  std::string format_;                          // --format as given
  std::string log_format_ = "text";
  std::string usage_;
};

// Whether `opt` was given in `args` itself (not by the job file or the environment).
bool given_in(const CLI::Option& opt, const std::vector<std::string>& args);

}  // namespace crawl::config
