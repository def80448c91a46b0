#include "crawl/pipeline/line_parser.hpp"

#include "crawl/pipeline/line_pattern.hpp"

#include <re2/re2.h>
#include <simdjson.h>

#include <algorithm>

namespace crawl::pipeline {

namespace od = simdjson::ondemand;

namespace {

// Deeper JSON objects are not walked into (a line nested 1,000 deep costs
// no more than one nested 16 deep); their keys are not fields.
constexpr int max_json_depth = 16;

std::string_view trim_right(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

bool looks_numeric(std::string_view s) {
  return !s.empty() && ((s.front() >= '0' && s.front() <= '9') || s.front() == '-');
}

}  // namespace

std::string group_field(const std::string& pattern) {
  RE2 re(pattern, RE2::Quiet);
  for (const auto& [name, index] : re.NamedCapturingGroups())
    if (index == 1) return name;
  return pattern;
}

const std::vector<std::string>& time_field_names() {
  static const std::vector<std::string> names{"time", "timestamp", "ts", "@timestamp", "datetime", "date", "t"};
  return names;
}

struct line_parser::compiled {
  std::vector<line_pattern> parse;
  std::vector<std::vector<std::pair<int, std::string>>> groups;  // per pattern: (index, name)
  std::vector<line_pattern> time;                                 // none, or --time
  std::vector<std::string> needed;
  od::parser json;
  std::string padded;                 // the line, with simdjson's padding after it
  std::string path;                   // the flattened key being walked
  std::vector<re2::StringPiece> subs;  // capture groups of a --parse match
  unsigned access = access_all;        // access lines: the parts of a line the fields asked for are in
  struct {
    std::string text;
    std::optional<utc_time> time;
  } last_clf;  // the last access-log time read
};

line_parser::line_parser(const parser_options& options) : options_(options), compiled_(std::make_unique<compiled>()) {
  for (const auto& p : options.parse) {
    line_pattern re(p);
    if (!re.ok()) {
      if (error_.empty()) error_ = "--parse: invalid RE2 pattern '" + p + "': " + re.error();
      continue;
    }
    std::vector<std::pair<int, std::string>> names;
    for (const auto& [name, index] : re.regex().NamedCapturingGroups()) names.emplace_back(index, name);
    if (names.empty() && error_.empty()) error_ = "--parse: pattern '" + p + "' has no named group (?P<name>...)";
    compiled_->groups.push_back(std::move(names));
    compiled_->parse.push_back(std::move(re));
  }
  if (!options.time_pattern.empty()) {
    line_pattern re(options.time_pattern);
    if (!re.ok() && error_.empty()) error_ = "--time: invalid RE2 pattern '" + options.time_pattern + "': " + re.error();
    compiled_->time.push_back(std::move(re));
  }
  for (const auto& p : options.groups) {
    line_pattern re(p);
    if (!re.ok()) continue;  // summary_rules names it
    compiled_->groups.push_back({{1, group_field(p)}});
    compiled_->parse.push_back(std::move(re));
  }
  compiled_->needed = options.needed;
  auto wants = [&](std::initializer_list<const char*> names) {
    return std::any_of(options.needed.begin(), options.needed.end(), [&](const std::string& f) {
      return std::any_of(names.begin(), names.end(), [&](const char* n) { return f == n; });
    });
  };
  compiled_->access = (wants({"method", "path", "query", "protocol"}) ? access_request : 0u) |
                      (wants({"referer", "user_agent", "request_time", "upstream_time"}) ? access_agent : 0u);
  for (const auto& name : time_field_names())
    if (std::find(compiled_->needed.begin(), compiled_->needed.end(), name) == compiled_->needed.end())
      compiled_->needed.push_back(name);
}

line_parser::~line_parser() = default;

bool line_parser::add_named_groups(std::string_view line, log_fields& out) const {
  bool any = false;
  auto& subs = compiled_->subs;
  for (std::size_t i = 0; i < compiled_->parse.size(); ++i) {
    const line_pattern& re = compiled_->parse[i];
    subs.assign(static_cast<std::size_t>(re.regex().NumberOfCapturingGroups()) + 1, re2::StringPiece());
    if (!re.match(line, subs.data(), static_cast<int>(subs.size()))) continue;
    any = true;
    for (const auto& [index, name] : compiled_->groups[i]) {
      const auto& sub = subs[static_cast<std::size_t>(index)];
      if (sub.data() != nullptr) out.add(name, std::string_view(sub.data(), sub.size()));
    }
  }
  return any;
}

bool line_parser::parse(std::string_view line, log_fields& out) {
  out.clear();
  bool ok = true;
  switch (options_.format) {
    case log_format::access: ok = parse_access_line(line, out, compiled_->access); break;
    case log_format::syslog: ok = parse_syslog_line(line, out); break;
    case log_format::logfmt: ok = parse_logfmt_line(line, out); break;
    case log_format::json: ok = parse_json(line, out); break;
    case log_format::plain: break;
  }
  if (!ok) return false;
  if (compiled_->parse.empty()) return true;
  bool matched = add_named_groups(line, out);
  return matched || options_.format != log_format::plain;
}

namespace {

// Walks one JSON object, adding the needed keys (flattened "a.b") with
// their values: strings unescaped, numbers, true and false as written,
// arrays as their JSON text; null is no value. The names added are the
// needed list's own strings, so they outlive the walk.
bool walk(od::object object, std::string& path, int depth, const std::vector<std::string>& needed, log_fields& out) {
  for (auto member : object) {
    if (member.error()) return false;
    od::field field = member.value_unsafe();
    std::string_view key;
    if (field.unescaped_key().get(key)) return false;
    std::size_t mark = path.size();
    if (mark > 0) path.push_back('.');
    path.append(key);
    od::value value = field.value();
    od::json_type type;
    if (value.type().get(type)) return false;
    if (type == od::json_type::object) {
      bool wanted = depth < max_json_depth && std::any_of(needed.begin(), needed.end(), [&](const std::string& n) {
                      return n.size() > path.size() && n.compare(0, path.size(), path) == 0 && n[path.size()] == '.';
                    });
      od::object inner;
      if (wanted && (value.get_object().get(inner) || !walk(inner, path, depth + 1, needed, out))) return false;
    } else if (type != od::json_type::null) {
      auto it = std::find(needed.begin(), needed.end(), path);
      if (it != needed.end()) {
        std::string_view text;
        if (type == od::json_type::string) {
          if (value.get_string().get(text)) return false;
        } else if (type == od::json_type::array) {
          od::array array;
          if (value.get_array().get(array) || array.raw_json().get(text)) return false;
        } else {
          text = trim_right(value.raw_json_token());
        }
        out.add(*it, text);
      }
    }
    path.resize(mark);
  }
  return true;
}

}  // namespace

bool line_parser::parse_json(std::string_view line, log_fields& out) {
  line = trim_right(line);
  if (line.empty() || line.front() != '{') return false;
  std::string& padded = compiled_->padded;
  padded.assign(line);
  padded.append(simdjson::SIMDJSON_PADDING, '\0');
  od::document doc;
  if (compiled_->json.iterate(padded.data(), line.size(), padded.size()).get(doc)) return false;
  od::object object;
  if (doc.get_object().get(object)) return false;
  compiled_->path.clear();
  return walk(object, compiled_->path, 0, compiled_->needed, out);
}

std::optional<utc_time> line_parser::time(std::string_view line, const log_fields& fields) const {
  std::size_t used = 0;
  auto timestamp = [&](std::string_view text) { return parse_timestamp(text, used, options_.now, options_.default_offset); };
  if (!compiled_->time.empty()) {
    std::string_view found;
    if (!compiled_->time.front().capture(line, found)) return std::nullopt;
    if (auto t = parse_epoch(found)) return t;
    return timestamp(found);
  }
  switch (options_.format) {
    case log_format::access:
      if (const auto* t = fields.get("time")) {
        // Access logs write the same second on line after line: the last
        // one read is kept.
        auto& cache = compiled_->last_clf;
        if (*t != cache.text) {
          cache.text.assign(*t);
          cache.time = parse_clf(*t, used);
        }
        return cache.time;
      }
      return std::nullopt;
    case log_format::syslog:
      if (const auto* t = fields.get("time")) return timestamp(*t);
      return std::nullopt;
    case log_format::json:
    case log_format::logfmt:
      for (const auto& name : time_field_names())
        if (const auto* t = fields.get(name))
          return looks_numeric(*t) && t->find('-', 1) == std::string_view::npos ? parse_epoch(*t) : timestamp(*t);
      break;  // no time field: perhaps a timestamp leads the line
    case log_format::plain:
      break;
  }
  return parse_iso8601(line, used, options_.default_offset);
}

}  // namespace crawl::pipeline
