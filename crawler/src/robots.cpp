#include "crawl/crawler/robots.hpp"

#include <algorithm>
#include <cstdlib>

namespace crawl::crawler {
namespace {

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
int hex_value(char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; }
char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c | 0x20) : c; }

bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

void append_encoded(std::string& out, unsigned char c) {
  static constexpr char digits[] = "0123456789ABCDEF";
  out.push_back('%');
  out.push_back(digits[c >> 4]);
  out.push_back(digits[c & 15]);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

bool token_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

// One "key: value" line, comment removed; false for a line without a colon.
bool split_line(std::string_view line, std::string_view& key, std::string_view& value) {
  if (auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return false;
  key = trim(line.substr(0, colon));
  value = trim(line.substr(colon + 1));
  return true;
}

// A group being read: whether it names us or "*", and its rules.
struct group {
  bool ours = false;
  bool star = false;
  std::vector<robots_rule> rules;
  std::optional<double> delay;
};

std::optional<double> parse_delay(std::string_view value) {
  std::string text(value);
  char* end = nullptr;
  double seconds = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || seconds < 0 || seconds != seconds) return std::nullopt;
  return seconds;
}

}  // namespace

std::string normalize_robots_path(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  for (std::size_t i = 0; i < path.size(); ++i) {
    auto c = static_cast<unsigned char>(path[i]);
    if (c == '%' && i + 2 < path.size() && is_hex(path[i + 1]) && is_hex(path[i + 2])) {
      auto decoded = static_cast<unsigned char>(hex_value(path[i + 1]) * 16 + hex_value(path[i + 2]));
      if (unreserved(decoded)) out.push_back(static_cast<char>(decoded));
      else append_encoded(out, decoded);
      i += 2;
    } else if (c >= 0x80 || c <= 0x20 || c == 0x7f) {
      append_encoded(out, c);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

// Wildcard matching by the two-pointer method: on a mismatch, return to the
// last '*' and let it take one more byte. Each (pattern, path) position pair
// is visited at most once per '*', so the work is O(n*m) at worst, never
// exponential.
bool robots_pattern_matches(std::string_view pattern, std::string_view path, std::size_t* steps) {
  bool anchored = !pattern.empty() && pattern.back() == '$';
  if (anchored) pattern.remove_suffix(1);
  std::size_t p = 0, s = 0;
  std::size_t star = std::string_view::npos, star_s = 0;
  std::size_t counted = 0;
  for (;;) {
    ++counted;
    if (p == pattern.size()) {
      // The pattern is used up: a prefix match, unless anchored at the end.
      if (!anchored || s == path.size()) break;
    } else if (pattern[p] == '*') {
      star = p++;
      star_s = s;
      continue;
    } else if (s < path.size() && pattern[p] == path[s]) {
      ++p;
      ++s;
      continue;
    }
    if (star == std::string_view::npos || star_s >= path.size()) {
      if (steps) *steps += counted;
      return false;
    }
    p = star + 1;
    s = ++star_s;
  }
  if (steps) *steps += counted;
  return true;
}

robots_policy robots_policy::disallow_all() {
  robots_policy p;
  p.disallow_all_ = true;
  return p;
}

std::string product_token_of(std::string_view user_agent) {
  std::size_t n = 0;
  while (n < user_agent.size() && token_char(user_agent[n])) ++n;
  return std::string(user_agent.substr(0, n));
}

robots_policy robots_policy::parse(std::string_view text, std::string_view product) {
  if (text.size() > max_bytes) text = text.substr(0, max_bytes);
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  robots_policy policy;
  std::vector<group> groups;
  bool in_agents = false;  // the previous line was a User-agent line
  while (!text.empty()) {
    auto end = text.find_first_of("\r\n");
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    std::string_view key, value;
    if (!split_line(line, key, value)) continue;  // blank lines and comments do not end a group
    if (equal_ignoring_case(key, "user-agent")) {
      if (!in_agents) groups.emplace_back();
      in_agents = true;
      std::string_view token = value.substr(0, std::min(value.size(), product_token_of(value).size()));
      if (value == "*") groups.back().star = true;
      else if (!token.empty() && equal_ignoring_case(token, product)) groups.back().ours = true;
      continue;
    }
    if (equal_ignoring_case(key, "sitemap")) {
      if (!value.empty()) policy.sitemaps_.emplace_back(value);
      continue;  // not a group member: the group goes on
    }
    in_agents = false;
    if (groups.empty()) continue;  // a rule outside any group
    bool allow = equal_ignoring_case(key, "allow");
    if (allow || equal_ignoring_case(key, "disallow")) {
      if (!value.empty()) groups.back().rules.push_back({normalize_robots_path(value), allow});
    } else if (equal_ignoring_case(key, "crawl-delay")) {
      if (auto delay = parse_delay(value)) groups.back().delay = delay;
    }
  }
  bool any_ours = std::any_of(groups.begin(), groups.end(), [](const group& g) { return g.ours; });
  for (auto& g : groups) {
    if (any_ours ? !g.ours : !g.star) continue;
    policy.rules_.insert(policy.rules_.end(), g.rules.begin(), g.rules.end());
    if (g.delay && (!policy.crawl_delay_ || *g.delay > *policy.crawl_delay_)) policy.crawl_delay_ = g.delay;
  }
  return policy;
}

bool robots_policy::allowed(std::string_view path) const {
  if (path.empty()) path = "/";
  if (path == "/robots.txt") return true;
  if (disallow_all_) return false;
  std::string normalized = normalize_robots_path(path);
  std::size_t best = 0;
  bool found = false, allow = true;
  for (const auto& rule : rules_) {
    // The longest match wins, and Allow wins a tie: skip what cannot change the outcome.
    std::size_t length = rule.pattern.size();
    if (found && (length < best || (length == best && (allow || !rule.allow)))) continue;
    if (!robots_pattern_matches(rule.pattern, normalized)) continue;
    best = length;
    allow = rule.allow;
    found = true;
  }
  return allow;
}

}  // namespace crawl::crawler
