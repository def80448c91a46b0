#pragma once
// The fields of one log line in the formats `crawl tail --input` knows:
// nginx and Apache access logs (combined and common, with the timings nginx
// configurations often append), syslog (RFC 3164 and RFC 5424) and logfmt.
// Values are views into the line: nothing is copied or unescaped (a quoted
// value keeps its backslash escapes as written). Pure and thread-safe; one
// log_fields per thread, reused line after line.
#include <array>
#include <cstddef>
#include <string_view>
#include <utility>
#include <vector>

namespace crawl::pipeline {

enum class log_format { plain, access, syslog, logfmt, json };

class log_fields {
 public:
  using field = std::pair<std::string_view, std::string_view>;
  void clear() {
    size_ = 0;
    more_.clear();
  }
  // Inline and into a fixed array: called a dozen times a line, an
  // out-of-line vector::emplace_back was a quarter of a group-by's time
  // (its arguments went through memory and the 16-byte reload stalled).
  void add(std::string_view name, std::string_view value) {
    if (size_ < fixed_.size()) [[likely]] fixed_[size_++] = field{name, value};
    else add_more(name, value);
  }
  // The value of `name`, or nothing when the line has no such field.
  const std::string_view* get(std::string_view name) const {
    for (std::size_t i = 0; i < size_; ++i)
      if (fixed_[i].first == name) return &fixed_[i].second;
    for (const auto& [n, v] : more_)
      if (n == name) return &v;
    return nullptr;
  }
  std::size_t size() const { return size_ + more_.size(); }
  // Every field, in the order added.
  std::vector<field> items() const {
    std::vector<field> all(fixed_.begin(), fixed_.begin() + static_cast<std::ptrdiff_t>(size_));
    all.insert(all.end(), more_.begin(), more_.end());
    return all;
  }

 private:
  // Out of line, so that add() itself is small enough to be inlined.
  [[gnu::noinline]] void add_more(std::string_view name, std::string_view value) { more_.emplace_back(name, value); }
  std::array<field, 24> fixed_;
  std::size_t size_ = 0;
  std::vector<field> more_;
};

// nginx/Apache "combined" or "common":
//   remote_addr ident user [time] "request" status bytes ["referer" "user_agent" [extra...]]
// Fields: remote_addr, user, time (as written, without brackets), method,
// path (without the query), query, protocol, status, bytes (none when "-"),
// referer, user_agent, and request_time and upstream_time when one or two
// numbers follow the user agent. A request that is not "METHOD TARGET
// PROTOCOL" (a TLS handshake sent to a plain port, "-") gives no method,
// path or protocol. false when the line is not of this form.
// `parts` says which optional parts the caller reads: without
// access_request, the request is checked but not split into method, path,
// query and protocol; without access_agent, reading stops after bytes (most
// of the cost of a line saved).
enum access_parts : unsigned { access_request = 1, access_agent = 2, access_all = 3 };
bool parse_access_line(std::string_view line, log_fields& out, unsigned parts = access_all);
// RFC 5424 ("<165>1 2026-11-29T21:02:46.003Z host app 1234 ID47 - msg") or
// RFC 3164 ("<34>Nov 29 21:02:46 host prog[123]: msg", the priority
// optional): time (as written), host, program, pid, message.
bool parse_syslog_line(std::string_view line, log_fields& out);
// key=value pairs, values bare or "quoted" (with \" inside); a key without
// '=' is a field with an empty value. false when no key=value pair is found.
bool parse_logfmt_line(std::string_view line, log_fields& out);

// The format of a file from its first lines: the one that reads most of
// them (JSON when they start with '{'), or plain.
log_format detect_format(const std::vector<std::string_view>& first_lines);
// The same from the first 20 lines of `text`.
log_format detect_text_format(std::string_view text);
const char* format_name(log_format f);

}  // namespace crawl::pipeline
