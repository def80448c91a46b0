#include "crawl/pipeline/log_format.hpp"

#include "crawl/pipeline/timestamp.hpp"

#include <cstring>

namespace crawl::pipeline {

namespace {

bool digit(char c) { return c >= '0' && c <= '9'; }

// A reader over one line: each step consumes what it reads, or nothing.
struct cursor {
  std::string_view s;
  std::size_t at = 0;

  bool done() const { return at >= s.size(); }
  bool skip(char c) {
    if (done() || s[at] != c) return false;
    ++at;
    return true;
  }
  void skip_spaces() {
    while (!done() && s[at] == ' ') ++at;
  }
  // Up to the next space (or the end); empty when at a space or the end.
  std::string_view token() {
    std::size_t start = at;
    while (!done() && s[at] != ' ') ++at;
    return s.substr(start, at - start);
  }
  // Up to `c`, which is consumed; false (nothing consumed) when there is none.
  bool until(char c, std::string_view& out) {
    auto end = s.find(c, at);
    if (end == std::string_view::npos) return false;
    out = s.substr(at, end - at);
    at = end + 1;
    return true;
  }
  // A "quoted" value, backslash escapes kept as written; `at` on the opening
  // quote. The closing quote is found with memchr: a quote is escaped when
  // an odd number of backslashes precede it.
  bool quoted(std::string_view& out) {
    if (!skip('"')) return false;
    std::size_t start = at;
    for (std::size_t from = at; from < s.size();) {
      const void* hit = std::memchr(s.data() + from, '"', s.size() - from);
      if (!hit) break;
      std::size_t q = static_cast<std::size_t>(static_cast<const char*>(hit) - s.data());
      std::size_t slashes = 0;
      while (q - slashes > start && s[q - slashes - 1] == '\\') ++slashes;
      if (slashes % 2 == 0) {
        out = s.substr(start, q - start);
        at = q + 1;
        return true;
      }
      from = q + 1;
    }
    at = start - 1;
    return false;
  }
};

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!digit(c)) return false;
  return true;
}

// A number as nginx writes timings: "0.123", "12", "0.010, 0.020" (the first kept).
bool timing(std::string_view s) { return !s.empty() && digit(s.front()); }

// "GET /a/b?x=1 HTTP/1.1" -> method, path, query, protocol.
void split_request(std::string_view request, log_fields& out) {
  auto first = request.find(' ');
  auto last = request.rfind(' ');
  if (first == std::string_view::npos || last == first) return;
  std::string_view method = request.substr(0, first), target = request.substr(first + 1, last - first - 1),
                   protocol = request.substr(last + 1);
  for (char c : method)
    if (c < 'A' || c > 'Z') return;
  if (method.empty() || target.empty() || protocol.substr(0, 5) != "HTTP/") return;
  out.add("method", method);
  auto question = target.find('?');
  out.add("path", target.substr(0, question));
  if (question != std::string_view::npos) out.add("query", target.substr(question + 1));
  out.add("protocol", protocol);
}

}  // namespace

bool parse_access_line(std::string_view line, log_fields& out, unsigned parts) {
  out.clear();
  cursor c{line};
  std::string_view addr = c.token(), ident, user, time, request;
  c.skip_spaces();
  ident = c.token();
  c.skip_spaces();
  user = c.token();
  c.skip_spaces();
  if (addr.empty() || ident.empty() || user.empty() || !c.skip('[') || !c.until(']', time) || !c.skip(' ') ||
      !c.quoted(request) || !c.skip(' '))
    return false;
  std::string_view status = c.token();
  c.skip_spaces();
  std::string_view bytes = c.token();
  if (status.size() != 3 || !all_digits(status) || (bytes != "-" && !all_digits(bytes))) return false;
  out.add("remote_addr", addr);
  if (user != "-") out.add("user", user);
  out.add("time", time);
  if (parts & access_request) split_request(request, out);
  out.add("status", status);
  if (bytes != "-") out.add("bytes", bytes);
  if (!(parts & access_agent)) return true;
  c.skip_spaces();
  std::string_view referer, agent;
  if (c.done()) return true;  // common
  if (!c.quoted(referer)) return true;
  if (referer != "-") out.add("referer", referer);
  c.skip_spaces();
  if (!c.quoted(agent)) return true;
  if (agent != "-") out.add("user_agent", agent);
  // Timings some configurations append: request_time, then upstream_time.
  for (const char* name : {"request_time", "upstream_time"}) {
    c.skip_spaces();
    std::string_view value;
    if (!c.done() && line[c.at] == '"') {
      if (!c.quoted(value)) break;
    } else {
      value = c.token();
    }
    if (!timing(value)) break;
    out.add(name, value.substr(0, value.find(',')));
  }
  return true;
}

bool parse_syslog_line(std::string_view line, log_fields& out) {
  out.clear();
  cursor c{line};
  if (c.skip('<')) {  // the priority
    std::string_view priority;
    if (!c.until('>', priority) || priority.empty() || priority.size() > 3 || !all_digits(priority)) return false;
    int value = 0;
    for (char d : priority) value = value * 10 + (d - '0');
    if (value > 191) return false;  // facility 23, severity 7 at most
  }
  if (c.s.substr(c.at, 2) == "1 ") {  // RFC 5424
    c.at += 2;
    std::string_view time = c.token(), host, app, pid, msgid;
    std::size_t used = 0;
    if (!parse_iso8601(time, used) || used != time.size()) return false;
    if (!c.skip(' ')) return false;
    host = c.token();
    if (!c.skip(' ')) return false;
    app = c.token();
    if (!c.skip(' ')) return false;
    pid = c.token();
    if (!c.skip(' ')) return false;
    msgid = c.token();
    if (!c.skip(' ') || host.empty() || app.empty() || pid.empty() || msgid.empty()) return false;
    if (!c.skip('-')) {
      // Structured data: [id k="v" ...] elements, quotes and escapes inside.
      while (!c.done() && c.s[c.at] == '[') {
        bool quote = false;
        for (++c.at; !c.done(); ++c.at) {
          char ch = c.s[c.at];
          if (quote && ch == '\\') ++c.at;
          else if (ch == '"') quote = !quote;
          else if (ch == ']' && !quote) break;
        }
        if (!c.skip(']')) return false;
      }
    }
    out.add("time", time);
    if (host != "-") out.add("host", host);
    if (app != "-") out.add("program", app);
    if (pid != "-") out.add("pid", pid);
    c.skip(' ');
    out.add("message", line.substr(c.at));
    return true;
  }
  // RFC 3164: "Mmm dd hh:mm:ss host tag[pid]: message"
  std::size_t used = 0;
  if (!parse_syslog(line.substr(c.at), used, utc_time{}) || used != 15) return false;
  std::string_view time = line.substr(c.at, 15);
  c.at += 15;
  if (!c.skip(' ')) return false;
  std::string_view host = c.token();
  if (host.empty() || !c.skip(' ')) return false;
  out.add("time", time);
  out.add("host", host);
  std::size_t tag_start = c.at;
  while (!c.done() && c.s[c.at] != ':' && c.s[c.at] != '[' && c.s[c.at] != ' ') ++c.at;
  std::string_view program = line.substr(tag_start, c.at - tag_start);
  std::string_view pid;
  if (c.skip('[') && !c.until(']', pid)) return false;
  if (!c.skip(':')) {  // no tag: the whole rest is the message
    out.add("message", line.substr(tag_start));
    return true;
  }
  if (!program.empty()) out.add("program", program);
  if (!pid.empty()) out.add("pid", pid);
  c.skip(' ');
  out.add("message", line.substr(c.at));
  return true;
}

bool parse_logfmt_line(std::string_view line, log_fields& out) {
  out.clear();
  cursor c{line};
  bool pair = false;
  while (true) {
    c.skip_spaces();
    if (c.done()) break;
    std::size_t start = c.at;
    while (!c.done() && c.s[c.at] != ' ' && c.s[c.at] != '=' && c.s[c.at] != '"') ++c.at;
    std::string_view key = line.substr(start, c.at - start);
    if (key.empty()) return false;  // '=' or '"' where a key should start
    if (!c.skip('=')) {
      out.add(key, {});
      continue;
    }
    std::string_view value;
    if (!c.done() && c.s[c.at] == '"') {
      if (!c.quoted(value)) return false;
    } else {
      value = c.token();
    }
    out.add(key, value);
    pair = true;
  }
  return pair;
}

log_format detect_format(const std::vector<std::string_view>& first_lines) {
  std::size_t lines = 0, access = 0, syslog = 0, logfmt = 0, json = 0;
  log_fields fields;
  for (auto line : first_lines) {
    if (line.empty()) continue;
    ++lines;
    if (line.front() == '{') ++json;
    else if (parse_access_line(line, fields)) ++access;
    else if (parse_syslog_line(line, fields)) ++syslog;
    else if (line.find('=') < line.find(' ') && parse_logfmt_line(line, fields) && fields.size() >= 2)
      ++logfmt;  // from its first token on: "ts=... level=..." (not a plain line with a few pairs in it)
  }
  if (lines == 0) return log_format::plain;
  std::pair<std::size_t, log_format> best{0, log_format::plain};
  for (auto candidate : {std::pair{json, log_format::json}, std::pair{access, log_format::access},
                         std::pair{syslog, log_format::syslog}, std::pair{logfmt, log_format::logfmt}})
    if (candidate.first > best.first) best = candidate;
  return best.first * 2 >= lines ? best.second : log_format::plain;  // most lines, or it is not that format
}

log_format detect_text_format(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty() && lines.size() < 20) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return detect_format(lines);
}

const char* format_name(log_format f) {
  switch (f) {
    case log_format::access: return "access";
    case log_format::syslog: return "syslog";
    case log_format::logfmt: return "logfmt";
    case log_format::json: return "json";
    case log_format::plain: break;
  }
  return "plain";
}

}  // namespace crawl::pipeline
