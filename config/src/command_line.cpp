#include "command_line.hpp"

#include "crawl/config/crawl_settings.hpp"
#include "toml_config.hpp"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace crawl::config {
namespace {

std::string plain(double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", x);
  return buf;
}

std::string lowercase(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The synopsis line of help, "Usage: crawl tail [OPTIONS] FILE...".
class help_formatter : public CLI::Formatter {
 public:
  explicit help_formatter(std::string usage) : usage_(std::move(usage)) { column_width(36); }
  std::string make_usage(const CLI::App*, std::string) const override {
    return usage_.empty() ? std::string() : "Usage: " + usage_ + "\n";
  }

 private:
  std::string usage_;
};

}  // namespace

const char* format_name(result_format f) {
  switch (f) {
    case result_format::table: return "table";
    case result_format::tsv: return "tsv";
    case result_format::csv: return "csv";
    case result_format::json: return "json";
  }
  return "table";
}

std::optional<result_format> format_of_path(const std::string& path) {
  std::string lower = lowercase(path);
  auto ends = [&](std::string_view x) { return lower.size() > x.size() && lower.ends_with(x); };
  if (ends(".tsv")) return result_format::tsv;
  if (ends(".csv")) return result_format::csv;
  if (ends(".json")) return result_format::json;
  return std::nullopt;
}

value_check whole_number(long long lo, long long hi) {
  return {[lo, hi](const std::string& text) -> std::string {
    std::string bad = "'" + text + "' is not a whole number from " + std::to_string(lo) + " to " + std::to_string(hi);
    if (text.empty() || !(std::isdigit(static_cast<unsigned char>(text[0])) || (text[0] == '-' && lo < 0))) return bad;
    errno = 0;
    char* end = nullptr;
    long long v = std::strtoll(text.c_str(), &end, 10);
    if (errno != 0 || *end != '\0' || v < lo || v > hi) return bad;
    return {};
  }, "N", std::to_string(lo) + " to " + std::to_string(hi)};
}

value_check seconds_between(double lo, double hi) {
  return {[lo, hi](const std::string& text) -> std::string {
    std::string bad = "'" + text + "' is not a number of seconds from " + plain(lo) + " to " + plain(hi);
    if (text.empty() || std::isspace(static_cast<unsigned char>(text[0]))) return bad;
    char* end = nullptr;
    double v = std::strtod(text.c_str(), &end);
    if (*end != '\0' || !std::isfinite(v) || v < lo || v > hi) return bad;
    return {};
  }, "SECONDS", plain(lo) + " to " + plain(hi)};
}

value_check one_of(std::vector<std::string> choices) {
  std::string list;
  for (const auto& c : choices) list += (list.empty() ? "" : "|") + c;
  return {[choices, list](const std::string& text) -> std::string {
    for (const auto& c : choices)
      if (c == text) return {};
    return "'" + text + "' is not one of " + list;
  }, list, ""};
}

value_check existing_file() {
  return {[](const std::string& path) -> std::string {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return path + ": " + std::strerror(errno);
    std::fclose(f);
    return {};
  }, "FILE", ""};
}

value_check byte_size() {
  return {[](const std::string& text) -> std::string {
    std::string copy = text;
    std::string bad = "'" + text + "' is not a size such as 4096, 512KiB, 10MiB or 1GiB";
    if (text.empty() || !std::isdigit(static_cast<unsigned char>(text[0]))) return bad;
    try {
      if (!CLI::AsSizeValue(false)(copy).empty()) return bad;
    } catch (const CLI::Error&) {
      return bad;
    }
    return {};
  }, "SIZE", ""};
}

command_line::command_line(std::string command, std::string usage, std::string what, std::string footer)
    : command_(std::move(command)), app_(std::move(what), command_), usage_(std::move(usage)) {
  app_.formatter(std::make_shared<help_formatter>(usage_.empty() ? "" : command_ + " " + usage_));
  app_.footer(std::move(footer));
  app_.option_defaults()->always_capture_default();
  app_.set_config("--config", "", "TOML job file: every long option is a key (see examples/job.toml)")
      ->type_name("FILE");
  app_.config_formatter(std::make_shared<toml_config>());
  app_.allow_config_extras(false);
  app_.set_version_flag("--version", version_string());
}

void command_line::with_check(CLI::Option* opt, value_check check) {
  checks_[opt->get_lnames().empty() ? opt->get_name(true, false) : opt->get_lnames()[0]] = check.fn;
  opt->check(CLI::Validator([fn = check.fn](std::string& text) { return fn(text); }, ""));
  if (!check.type.empty()) opt->type_name(check.type);
}

CLI::Option* command_line::size_option(const std::string& names, std::uint64_t& value, const std::string& help,
                                       const std::string& shown_default) {
  value_check check = byte_size();
  CLI::Option* opt = app_.add_option(names, value, help);
  checks_[opt->get_lnames()[0]] = check.fn;
  // A transform, not a check: CLI11 applies transforms first, and this one
  // must see the text as given.
  opt->transform(CLI::Validator(
      [fn = check.fn](std::string& text) {
        if (std::string problem = fn(text); !problem.empty()) return problem;
        return CLI::AsSizeValue(false)(text);
      },
      ""));
  return opt->type_name("SIZE")->default_str(shown_default);
}

void command_line::add_common(common_settings& c) {
  option("--top", c.top, "Rows per list in the table on stdout; 0: no table", whole_number(0, 1'000'000));
  option("-o,--output", c.output,
         "The complete result to FILE, in the format its extension names (.tsv, .csv, .json, any case); "
         "- for stdout instead of the table")
      ->type_name("FILE");
  option("--format", format_, "What stdout gets: table, or the complete result as tsv, csv or json",
         one_of({"table", "tsv", "csv", "json"}))
      ->default_str("table");
  option("--summary", c.summary, "Write the run summary as JSON to FILE")->type_name("FILE");
  option("--threads", c.threads, "Worker threads (crawl: text workers and network lanes); 0: one per core",
         whole_number(0, 1024));
  flag("-q,--quiet", c.quiet, "No progress and no run summary (errors and results still appear)");
  flag("-v,--verbose", c.verbose, "Say more on stderr");
  option("--log-format", log_format_, "Log lines and the run summary on stderr as text or json",
         one_of({"text", "json"}))
      ->default_str("text");
}

stop command_line::error(const std::string& message) const {
  std::string help_name = command_ == "crawl" ? "crawl help" : "crawl help " + command_.substr(6);
  return {2, command_ + ": " + message + "\nRun '" + help_name + "' for usage.\n"};
}

std::optional<stop> command_line::finish_common(common_settings& c) const {
  if (c.quiet && c.verbose) return error("-q/--quiet and -v/--verbose exclude each other");
  c.log_json = log_format_ == "json";
  std::optional<result_format> asked;
  for (auto f : {result_format::table, result_format::tsv, result_format::csv, result_format::json})
    if (format_ == format_name(f)) asked = f;
  if (c.output == "-") {
    if (asked == result_format::table)
      return error("-o - puts the complete result on stdout: give --format tsv, csv or json with it, "
                   "or leave -o out for the table");
    c.stdout_format = asked.value_or(result_format::json);
  } else if (!c.output.empty()) {
    auto named = format_of_path(c.output);
    if (named && asked && *asked != *named)
      return error(std::string("--format ") + format_name(*asked) + " conflicts with -o " + c.output +
                   " (its extension means " + format_name(*named) + ")");
    if (!named && (!asked || *asked == result_format::table))
      return error("-o " + c.output + ": the extension must be .tsv, .csv or .json (any case), or give --format "
                   "tsv, csv or json");
    c.output_format = named ? *named : *asked;
    c.stdout_format = result_format::table;
  } else {
    c.stdout_format = asked.value_or(result_format::table);
  }
  return std::nullopt;
}

bool given_in(const CLI::Option& opt, const std::vector<std::string>& args) {
  for (const auto& arg : args) {
    if (arg == "--") break;
    for (const auto& l : opt.get_lnames())
      if (arg == "--" + l || arg.rfind("--" + l + "=", 0) == 0) return true;
    for (const auto& sn : opt.get_snames())
      if (arg.size() >= 2 && arg[0] == '-' && arg[1] != '-' && arg.compare(1, sn.size(), sn) == 0) return true;
  }
  return false;
}

std::vector<std::string> command_line::check_job_file(const std::string& path) {
  std::map<std::string, job_key> keys;
  std::vector<std::string> errors = config::check_job_file(path, app_, keys);
  for (const auto& [name, key] : keys) {
    job_lines_[name] = key.line;
    auto check = checks_.find(name);
    if (check == checks_.end()) continue;
    for (const auto& value : key.values)
      if (std::string problem = check->second(value); !problem.empty())
        errors.push_back(path + ":" + std::to_string(key.line) + ": key '" + name + "': " + problem);
  }
  return errors;
}

std::string command_line::where_from(const CLI::Option& opt, const std::vector<std::string>& args) const {
  std::string name = opt.get_lnames().empty() ? opt.get_name(true, false) : opt.get_lnames()[0];
  if (given_in(opt, args) || (opt.get_positional() && opt.count() && !job_lines_.count(name))) return "command line";
  if (!opt.get_lnames().empty() && std::getenv(env_name_for(name).c_str())) return "environment " + env_name_for(name);
  if (auto it = job_lines_.find(name); it != job_lines_.end()) return job_file_ + ":" + std::to_string(it->second);
  return "default";
}

std::string command_line::describe_values(const std::vector<std::string>& args) const {
  std::string out;
  for (const CLI::Option* opt : app_.get_options()) {
    std::string name = opt->get_lnames().empty() ? opt->get_name(true, false) : opt->get_lnames()[0];
    if (name == "help" || name == "version" || name == "config") continue;
    std::string value;
    for (const auto& r : opt->results()) value += (value.empty() ? "" : ", ") + r;
    if (opt->count() == 0) value = opt->get_default_str();
    if (opt->get_expected_max() == 0 && opt->count() == 0) value = "false";
    char line[512];
    std::snprintf(line, sizeof line, "%-18s = %-28s # %s\n", name.c_str(), value.c_str(),
                  where_from(*opt, args).c_str());
    out += line;
  }
  return out;
}

std::optional<stop> command_line::parse(int argc, const char* const* argv, int first, std::string* describe) {
  std::vector<std::string> args(argv + first, argv + argc);
  job_file_ = config_path_in(args);
  if (!job_file_.empty()) {
    auto errors = check_job_file(job_file_);
    if (!errors.empty()) {
      std::string message;  // one line each, as error() writes the first
      for (const auto& e : errors) message += (message.empty() ? "" : "\n" + command_ + ": ") + "--config: " + e;
      return error(message);
    }
  }
  // CLI11 would rank its config file above the environment; we want the
  // environment above the file, so CRAWL_<NAME> variables join the command
  // line, unless the command line sets that option itself.
  std::vector<std::string> full{command_};
  full.insert(full.end(), args.begin(), args.end());
  for (CLI::Option* opt : app_.get_options()) {
    if (opt->get_lnames().empty()) continue;
    const std::string& name = opt->get_lnames()[0];
    if (name == "help" || name == "version" || name == "config") continue;
    const char* value = std::getenv(env_name_for(name).c_str());
    if (value && !given_in(*opt, args)) full.push_back("--" + name + "=" + value);
  }
  std::vector<const char*> pointers;
  for (const auto& a : full) pointers.push_back(a.c_str());
  try {
    app_.parse(static_cast<int>(pointers.size()), pointers.data());
  } catch (const CLI::CallForHelp&) {
    return stop{0, app_.help()};
  } catch (const CLI::CallForVersion&) {
    return stop{0, version_string() + "\n"};
  } catch (const CLI::ExtrasError&) {
    std::string message;
    for (const auto& extra : app_.remaining())
      message += (message.empty() ? "" : "; ") +
                 (extra.size() > 1 && extra[0] == '-' ? "unknown option " + extra : "unexpected argument '" + extra + "'");
    return error(message);
  } catch (const CLI::ParseError& e) {
    std::string message = e.what();
    // Say where a bad value came from when it was not the command line.
    std::string name = message.substr(0, message.find(':'));
    if (name.rfind("--", 0) == 0)
      if (const CLI::Option* opt = app_.get_option_no_throw(name); opt && !given_in(*opt, args))
        if (std::string source = where_from(*opt, args); source != "default") message += " (" + source + ")";
    return error(message);
  }
  if (describe) {
    *describe += describe_values(args);
    return std::nullopt;
  }
  if (inputs_ && inputs_->count() == 0) return error("nothing to read: usage is " + usage_line());
  return std::nullopt;
}

}  // namespace crawl::config
