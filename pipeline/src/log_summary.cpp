#include "crawl/pipeline/log_summary.hpp"

#include "crawl/pipeline/byte_count.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <cstring>

namespace crawl::pipeline {
namespace {

line_pattern compile(const std::string& pattern, const char* option, std::string& error) {
  line_pattern re(pattern);
  if (!re.ok() && error.empty()) error = std::string(option) + ": invalid RE2 pattern '" + pattern + "': " + re.error();
  return re;
}

// The query with each --group's field as a --by before the others: the old
// --group RE is --parse RE --by NAME.
query_options effective_query(const summary_options& o) {
  query_options q = o.query;
  std::vector<std::string> by;
  for (const auto& p : o.groups) by.push_back(group_field(p));
  by.insert(by.end(), q.by.begin(), q.by.end());
  q.by = std::move(by);
  q.tz_offset = o.tz_offset;
  return q;
}

void keep_earliest(std::optional<utc_time>& kept, const std::optional<utc_time>& t) {
  if (t && (!kept || *t < *kept)) kept = t;
}
void keep_latest(std::optional<utc_time>& kept, const std::optional<utc_time>& t) {
  if (t && (!kept || *t > *kept)) kept = t;
}

bool earlier(const line_sample& a, const line_sample& b) {
  return a.input != b.input ? a.input < b.input : a.offset < b.offset;
}
void keep_first(std::optional<line_sample>& kept, const std::optional<line_sample>& s) {
  if (s && (!kept || earlier(*s, *kept))) kept = s;
}

constexpr std::size_t sample_bytes = 200;

}  // namespace

summary_rules::summary_rules(const summary_options& o)
    : options_(o),
      tokens_(std::make_shared<const token_rules>(o.tokens)),
      query_(effective_query(o)) {
  words_ = o.words && !query_.aggregates();
  if (!tokens_->error().empty()) error_ = "--token: " + tokens_->error();
  for (const auto& p : o.match) match_.push_back(compile(p, "--match", error_));
  for (const auto& p : o.exclude) exclude_.push_back(compile(p, "--exclude", error_));
  for (const auto& p : o.groups) {
    auto re = compile(p, "--group", error_);
    if (re.ok() && re.regex().NumberOfCapturingGroups() < 1 && error_.empty())
      error_ = "--group: pattern '" + p + "' has no capture group";
  }
  if (error_.empty()) error_ = query_.error();
  if (error_.empty()) {
    line_parser check(parser_for(log_format::plain));
    error_ = check.error();
  }
}

summary_rules::~summary_rules() = default;

parser_options summary_rules::parser_for(log_format format) const {
  parser_options p;
  p.format = format;
  p.parse = options_.parse;
  p.groups = options_.groups;
  p.needed = query_.fields();
  p.time_pattern = options_.time_pattern;
  p.default_offset = options_.tz_offset;
  p.now = options_.now;
  return p;
}

bool summary_rules::keep(std::string_view line) const {
  auto found = [&](const line_pattern& re) { return re.found_in(line); };
  if (!match_.empty() && std::none_of(match_.begin(), match_.end(), found)) return false;
  return std::none_of(exclude_.begin(), exclude_.end(), found);
}

void log_summary::merge(const log_summary& o) {
  lines += o.lines;
  bytes += o.bytes;
  kept_lines += o.kept_lines;
  truncated_lines += o.truncated_lines;
  nul_bytes += o.nul_bytes;
  unparsed_lines += o.unparsed_lines;
  untimed_lines += o.untimed_lines;
  keep_first(first_unparsed, o.first_unparsed);
  keep_first(first_untimed, o.first_untimed);
  words.merge(o.words);
  table.merge(o.table);
  keep_earliest(first_time, o.first_time);
  keep_latest(last_time, o.last_time);
}

log_summarizer::log_summarizer(const std::shared_ptr<const summary_rules>& rules)
    : rules_(rules->clone()), query_(effective_query(rules_->options())), tokenizer_(rules_->tokens()) {}

log_summarizer::~log_summarizer() = default;

line_parser& log_summarizer::parser(log_format format) {
  auto& p = parsers_[static_cast<std::size_t>(format)];
  if (!p) p = std::make_unique<line_parser>(rules_->parser_for(format));
  return *p;
}

void log_summarizer::add(std::string_view lines, bool truncated, log_summary& into, std::uint64_t skipped,
                         const chunk_origin& origin) {
  into.bytes += skipped;
  if (lines.empty()) return;
  into.bytes += lines.size();
  into.nul_bytes += count_byte(lines, '\0');
  if (truncated) into.truncated_lines += 1;
  else note_times(lines, origin.format, into);
  if (!rules_->per_line()) {
    // Fast path: every line is kept, so the chunk is tokenized in one go.
    std::uint64_t count = count_byte(lines, '\n') + (lines.back() != '\n' ? 1 : 0);
    into.lines += count;
    into.kept_lines += count;
    if (rules_->words()) {
      tokenizer_.feed(lines, into.words);
      tokenizer_.finish(into.words);
    }
    return;
  }
  std::uint64_t index = 0, offset = 0;
  while (!lines.empty()) {
    const void* nl = std::memchr(lines.data(), '\n', lines.size());
    std::size_t len = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - lines.data()) + 1 : lines.size();
    ++into.lines;
    add_line(lines.substr(0, len), into, origin, index, offset);
    lines.remove_prefix(len);
    ++index;
    offset += len;
  }
  if (rules_->words()) tokenizer_.finish(into.words);
}

// Two lines a chunk: the cost does not grow with the line count.
void log_summarizer::note_times(std::string_view lines, log_format format, log_summary& into) {
  std::string_view body = lines.substr(0, lines.size() - (lines.back() == '\n' ? 1 : 0));
  if (!body.empty() && body.back() == '\r') body.remove_suffix(1);
  std::string_view first = body.substr(0, body.find('\n'));
  if (!first.empty() && first.back() == '\r') first.remove_suffix(1);
  auto last_start = body.rfind('\n');
  std::string_view last = last_start == std::string_view::npos ? body : body.substr(last_start + 1);
  line_parser& p = parser(format);
  for (std::string_view line : {first, last}) {
    if (!p.parse(line, fields_)) continue;
    auto t = p.time(line, fields_);
    keep_earliest(into.first_time, t);
    keep_latest(into.last_time, t);
  }
}

namespace {

line_sample sample_of(std::string_view text, const chunk_origin& origin, std::uint64_t index, std::uint64_t offset) {
  line_sample s;
  s.input = origin.input;
  s.line = origin.first_line ? origin.first_line + index : 0;
  s.offset = origin.offset + offset;
  s.text.assign(text.substr(0, sample_bytes));
  return s;
}

}  // namespace

void log_summarizer::add_line(std::string_view line, log_summary& into, const chunk_origin& origin,
                              std::uint64_t index, std::uint64_t offset) {
  std::string_view text = line;
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  if (rules_->filters() && !rules_->keep(text)) return;
  line_parser* p = nullptr;
  if (rules_->fields()) {
    p = &parser(origin.format);
    if (!p->parse(text, fields_)) {
      ++into.unparsed_lines;
      if (!into.first_unparsed) into.first_unparsed = sample_of(text, origin, index, offset);
      return;
    }
    if (!query_.holds(fields_)) return;
  }
  ++into.kept_lines;
  if (rules_->words()) tokenizer_.feed(line, into.words);
  if (!query_.aggregates()) return;
  std::optional<utc_time> time;
  if (query_.needs_time()) {
    time = p->time(text, fields_);
    if (!time) {
      ++into.untimed_lines;
      if (!into.first_untimed) into.first_untimed = sample_of(text, origin, index, offset);
      return;
    }
  }
  query_.add(fields_, time, into.table);
}

}  // namespace crawl::pipeline
