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

bool digits(std::string_view s, std::size_t at, std::size_t n) {
  if (at + n > s.size()) return false;
  for (std::size_t i = at; i < at + n; ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

// "YYYY-MM-DD[T ]HH:MM" at the start of `s`, cut to the bucket's length.
bool iso_bucket(std::string_view s, time_bucket per, std::string& key) {
  if (!digits(s, 0, 4) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2) || s[7] != '-' || !digits(s, 8, 2))
    return false;
  if (per == time_bucket::day) {
    key.assign(s.substr(0, 10));
    return true;
  }
  if (s.size() < 13 || (s[10] != 'T' && s[10] != ' ') || !digits(s, 11, 2)) return false;
  key.assign(s.substr(0, 10));
  key.push_back('T');
  key.append(s.substr(11, 2));
  if (per == time_bucket::hour) return true;
  if (s.size() < 16 || s[13] != ':' || !digits(s, 14, 2)) return false;
  key.push_back(':');
  key.append(s.substr(14, 2));
  return true;
}

// "YYYY-MM-DD[T ]HH:MM:SS" at the start of `s`, with a 'T'.
bool iso_second(std::string_view s, std::string& time) {
  if (!digits(s, 0, 4) || s.size() < 19 || s[4] != '-' || !digits(s, 5, 2) || s[7] != '-' || !digits(s, 8, 2) ||
      (s[10] != 'T' && s[10] != ' ') || !digits(s, 11, 2) || s[13] != ':' || !digits(s, 14, 2) || s[16] != ':' ||
      !digits(s, 17, 2))
    return false;
  time.assign(s.substr(0, 19));
  time[10] = 'T';
  return true;
}

void keep_earliest(std::string& kept, const std::string& t) {
  if (!t.empty() && (kept.empty() || t < kept)) kept = t;
}
void keep_latest(std::string& kept, const std::string& t) {
  if (!t.empty() && t > kept) kept = t;
}

}  // namespace

summary_rules::summary_rules(const summary_options& o)
    : options_(o),
      words_(o.words), tokens_(std::make_shared<const token_rules>(o.tokens)), per_(o.per) {
  if (!tokens_->error().empty()) error_ = "--token: " + tokens_->error();
  for (const auto& p : o.match) match_.push_back(compile(p, "--match", error_));
  for (const auto& p : o.exclude) exclude_.push_back(compile(p, "--exclude", error_));
  for (const auto& p : o.groups) {
    auto re = compile(p, "--group", error_);
    if (re.ok() && re.regex().NumberOfCapturingGroups() < 1 && error_.empty())
      error_ = "--group: pattern '" + p + "' has no capture group";
    std::string label = p;
    for (const auto& [name, index] : re.regex().NamedCapturingGroups())
      if (index == 1) label = name;
    labels_.push_back(label);
    groups_.push_back(std::move(re));
  }
  if (!o.time_pattern.empty()) time_.push_back(compile(o.time_pattern, "--time", error_));
}

summary_rules::~summary_rules() = default;

bool summary_rules::keep(std::string_view line) const {
  auto found = [&](const line_pattern& re) { return re.found_in(line); };
  if (!match_.empty() && std::none_of(match_.begin(), match_.end(), found)) return false;
  return std::none_of(exclude_.begin(), exclude_.end(), found);
}

bool summary_rules::group_value(std::size_t i, std::string_view line, std::string_view& value) const {
  return groups_[i].capture(line, value);
}

bool summary_rules::bucket_of(std::string_view line, std::string& key) const {
  if (time_.empty()) return iso_bucket(line, per_, key);
  std::string_view found;
  return time_.front().capture(line, found) && iso_bucket(found, per_, key);
}

void log_summary::merge(const log_summary& o) {
  lines += o.lines;
  bytes += o.bytes;
  kept_lines += o.kept_lines;
  truncated_lines += o.truncated_lines;
  nul_bytes += o.nul_bytes;
  untimed_lines += o.untimed_lines;
  words.merge(o.words);
  if (groups.size() < o.groups.size()) groups.resize(o.groups.size());
  for (std::size_t i = 0; i < o.groups.size(); ++i)
    for (const auto& [value, n] : o.groups[i]) groups[i][value] += n;
  for (const auto& [key, n] : o.buckets) buckets[key] += n;
  keep_earliest(first_time, o.first_time);
  keep_latest(last_time, o.last_time);
}

log_summarizer::log_summarizer(const std::shared_ptr<const summary_rules>& rules)
    : rules_(rules->clone()), runs_(rules_->group_count()), tokenizer_(rules_->tokens()) {}

void log_summarizer::add(std::string_view lines, bool truncated, log_summary& into, std::uint64_t skipped) {
  into.bytes += skipped;
  if (lines.empty()) return;
  if (into.groups.size() < rules_->group_count()) into.groups.resize(rules_->group_count());
  into.bytes += lines.size();
  into.nul_bytes += count_byte(lines, '\0');
  if (truncated) into.truncated_lines += 1;
  else note_times(lines, into);
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
  while (!lines.empty()) {
    const void* nl = std::memchr(lines.data(), '\n', lines.size());
    std::size_t len = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - lines.data()) + 1 : lines.size();
    ++into.lines;
    add_line(lines.substr(0, len), into);
    lines.remove_prefix(len);
  }
  for (std::size_t i = 0; i < runs_.size(); ++i) end_run(i, into);
  if (rules_->words()) tokenizer_.finish(into.words);
}

bool summary_rules::time_of(std::string_view line, std::string& time) const {
  if (time_.empty()) return iso_second(line, time);
  std::string_view found;
  return time_.front().capture(line, found) && iso_second(found, time);
}

// Two lines a chunk: the cost does not grow with the line count.
void log_summarizer::note_times(std::string_view lines, log_summary& into) {
  std::string_view first = lines.substr(0, lines.find('\n'));
  std::string_view body = lines.substr(0, lines.size() - (lines.back() == '\n' ? 1 : 0));
  auto last_start = body.rfind('\n');
  std::string_view last = last_start == std::string_view::npos ? body : body.substr(last_start + 1);
  std::string t;
  if (rules_->time_of(first, t)) {
    keep_earliest(into.first_time, t);
    keep_latest(into.last_time, t);
  }
  if (rules_->time_of(last, t)) {
    keep_earliest(into.first_time, t);
    keep_latest(into.last_time, t);
  }
}

// Adds a run of equal group values to the counts. Logs repeat values line
// after line (status 200...), and comparing with the previous value is
// cheaper than hashing and probing the table every time.
void log_summarizer::end_run(std::size_t group, log_summary& into) {
  value_run& run = runs_[group];
  if (run.lines == 0) return;
  auto& counts = into.groups[group];
  if (auto it = counts.find(std::string_view(run.value)); it != counts.end()) it->second += run.lines;
  else counts.emplace(run.value, run.lines);
  run.lines = 0;
}

void log_summarizer::add_line(std::string_view line, log_summary& into) {
  std::string_view text = line;
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  if (rules_->filters() && !rules_->keep(text)) return;
  ++into.kept_lines;
  if (rules_->words()) tokenizer_.feed(line, into.words);
  for (std::size_t i = 0; i < rules_->group_count(); ++i) {
    std::string_view value;
    if (!rules_->group_value(i, text, value)) continue;
    value_run& run = runs_[i];
    if (run.lines > 0 && value != run.value) end_run(i, into);
    if (run.lines == 0) run.value.assign(value);
    ++run.lines;
  }
  if (rules_->per() != time_bucket::none) {
    if (rules_->bucket_of(text, key_)) ++into.buckets[key_];
    else ++into.untimed_lines;
  }
}

}  // namespace crawl::pipeline
