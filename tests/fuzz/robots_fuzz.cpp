// robots.txt: any file parses, /robots.txt stays allowed, and the wildcard
// matcher agrees with RE2 (a regular expression built from the pattern) in
// bounded work. The input is a pattern, a NUL, then a path; the whole input
// is also parsed as a robots.txt file.
#include "crawl/crawler/robots.hpp"

#include <re2/re2.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  using namespace crawl::crawler;
  std::string_view data(reinterpret_cast<const char*>(bytes), size);

  auto policy = robots_policy::parse(data, "crawl");
  if (!policy.allowed("/robots.txt")) std::abort();
  for (const auto& rule : policy.rules()) (void)policy.allowed(rule.pattern);

  auto nul = data.find('\0');
  if (nul == std::string_view::npos || nul > 200) return 0;
  std::string pattern = normalize_robots_path(data.substr(0, nul));
  std::string path = normalize_robots_path(data.substr(nul + 1, 2000));
  std::size_t steps = 0;
  bool ours = robots_pattern_matches(pattern, path, &steps);
  if (steps > (pattern.size() + 1) * (path.size() + 1)) std::abort();

  // The reference: '*' as .*, a final '$' as \z, everything else literal, matched at the start.
  std::string_view body = pattern;
  bool anchored = !body.empty() && body.back() == '$';
  if (anchored) body.remove_suffix(1);
  std::string regex = "(?s)\\A";
  for (char c : body) regex += c == '*' ? std::string(".*") : RE2::QuoteMeta(std::string(1, c));
  if (anchored) regex += "\\z";
  RE2::Options options(RE2::Latin1);
  options.set_log_errors(false);
  RE2 re(regex, options);
  if (!re.ok()) return 0;
  if (RE2::PartialMatch(path, re) != ours) std::abort();
  return 0;
}
