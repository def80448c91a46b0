#include "crawl/pipeline/line_pattern.hpp"

#include <re2/re2.h>

#include <cstring>

namespace crawl::pipeline {
namespace {

bool plain_literal(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::strchr(" =:/_-,;'\"<>@#%&!~", c) != nullptr && c != '\0';
}

bool quantifier(char c) { return c == '*' || c == '+' || c == '?' || c == '{'; }

bool escaped_punctuation(char c) {
  return c != '\0' && std::strchr(".[](){}*+?^$|\\/-", c) != nullptr;
}

}  // namespace

std::string required_prefix(std::string_view pattern) {
  // An alternation anywhere may offer a match without the literal.
  if (pattern.find('|') != std::string_view::npos) return {};
  std::string prefix;
  std::size_t i = 0;
  while (i < pattern.size()) {
    char c = pattern[i];
    std::size_t width = 1;
    if (plain_literal(c)) {
    } else if (c == '\\' && i + 1 < pattern.size() && escaped_punctuation(pattern[i + 1])) {
      c = pattern[i + 1];
      width = 2;
    } else {
      break;
    }
    if (i + width < pattern.size() && quantifier(pattern[i + width])) break;  // c may repeat or vanish
    prefix.push_back(c);
    i += width;
  }
  return prefix;
}

line_pattern::line_pattern(const std::string& pattern) {
  RE2::Options o;
  o.set_log_errors(false);
  re_ = std::make_unique<re2::RE2>(pattern, o);
  if (re_->ok()) prefix_ = required_prefix(pattern);
}

line_pattern::~line_pattern() = default;
line_pattern::line_pattern(line_pattern&&) noexcept = default;
line_pattern& line_pattern::operator=(line_pattern&&) noexcept = default;

bool line_pattern::ok() const { return re_->ok(); }
const std::string& line_pattern::error() const { return re_->error(); }

bool line_pattern::match(std::string_view line, re2::StringPiece* sub, int n) const {
  re2::StringPiece text(line.data(), line.size());
  if (prefix_.empty()) return re_->Match(text, 0, text.size(), RE2::UNANCHORED, sub, n);
  for (std::size_t at = line.find(prefix_); at != std::string_view::npos; at = line.find(prefix_, at + 1))
    if (re_->Match(text, at, text.size(), RE2::ANCHOR_START, sub, n)) return true;
  return false;
}

bool line_pattern::found_in(std::string_view line) const { return match(line, nullptr, 0); }

bool line_pattern::capture(std::string_view line, std::string_view& value) const {
  re2::StringPiece sub[2];
  int group = re_->NumberOfCapturingGroups() >= 1 ? 1 : 0;
  if (!match(line, sub, group + 1)) return false;
  value = std::string_view(sub[group].data(), sub[group].size());
  return true;
}

}  // namespace crawl::pipeline
