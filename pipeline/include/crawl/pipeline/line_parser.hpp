#pragma once
// The fields and timestamp of one log line, by the file's format: access
// logs, syslog and logfmt (log_format), JSON lines (simdjson's On-Demand
// parser, nested keys as "a.b"), plus named groups of `--parse` patterns
// on any format. One line_parser per thread and format, reused line after
// line (not thread-safe: parse() and time() keep state of the last line);
// the fields it gives are views valid until its next parse().
#include "crawl/pipeline/log_format.hpp"
#include "crawl/pipeline/timestamp.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crawl::pipeline {

struct parser_options {
  log_format format = log_format::plain;
  std::vector<std::string> parse;   // --parse RE (repeatable): named groups are fields
  std::vector<std::string> groups;  // --group RE: the first group is a field (see group_field)
  std::vector<std::string> needed;  // JSON: the flattened keys kept (the rest is not unescaped)
  std::string time_pattern;         // --time RE: the timestamp is its first group, or the match
  std::int32_t default_offset = 0;  // seconds east of UTC of timestamps written without a zone
  utc_time now;                     // for syslog's missing year
};

// The field a --group pattern's first capture group becomes: the group's
// name, else the pattern itself.
std::string group_field(const std::string& pattern);

// The keys JSON and logfmt lines carry their time under, tried in order.
const std::vector<std::string>& time_field_names();

class line_parser {
 public:
  explicit line_parser(const parser_options& options);
  ~line_parser();
  line_parser(const line_parser&) = delete;
  line_parser& operator=(const line_parser&) = delete;

  // Empty when the options are valid; else which option and why.
  const std::string& error() const { return error_; }
  log_format format() const { return options_.format; }

  // The fields of `line` (without its newline) into `out`. false when the
  // line is not of the format: not an access or syslog line, JSON that is
  // broken or not an object, or (plain lines) no --parse pattern matched.
  bool parse(std::string_view line, log_fields& out);
  // The timestamp of the line just parsed, in UTC: the --time match, else
  // the format's time field, else (plain lines, JSON and logfmt without a
  // time field) ISO 8601 at the start of the line.
  std::optional<utc_time> time(std::string_view line, const log_fields& fields) const;

 private:
  bool parse_json(std::string_view line, log_fields& out);
  bool add_named_groups(std::string_view line, log_fields& out) const;

  parser_options options_;
  std::string error_;
  struct compiled;
  std::unique_ptr<compiled> compiled_;
};

}  // namespace crawl::pipeline
