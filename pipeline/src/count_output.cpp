#include "crawl/pipeline/count_output.hpp"

#include "crawl/pipeline/json.hpp"

#include <utf8proc.h>

#include <algorithm>
#include <cstdio>

namespace crawl::pipeline {

// Display width in terminal columns, by utf8proc's character widths: wide
// CJK characters two, combining marks (Thai vowel and tone signs) none,
// invalid bytes one.
std::size_t display_width(std::string_view s) {
  std::size_t width = 0;
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  auto left = static_cast<utf8proc_ssize_t>(s.size());
  while (left > 0) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
    if (n <= 0) {
      width += 1;
      n = 1;
    } else {
      width += static_cast<std::size_t>(std::max(0, utf8proc_charwidth(cp)));
    }
    p += n;
    left -= n;
  }
  return width;
}

void append_csv_field(std::string& out, std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(s);
    return;
  }
  out.push_back('"');
  for (char c : s) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

bool rank_before(const word_count& a, const word_count& b) {
  return a.count != b.count ? a.count > b.count : a.word < b.word;
}

std::vector<word_count> ranked(const word_counts& counts) {
  std::vector<word_count> rows;
  rows.reserve(counts.distinct());
  counts.for_each([&](word_count row) { rows.push_back(row); });
  std::sort(rows.begin(), rows.end(), rank_before);
  return rows;
}

std::vector<word_count> top(const word_counts& counts, std::size_t n) {
  std::vector<word_count> rows;
  rows.reserve(counts.distinct());
  counts.for_each([&](word_count row) { rows.push_back(row); });
  n = std::min(n, rows.size());
  std::partial_sort(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(n), rows.end(), rank_before);
  rows.resize(n);
  return rows;
}

void append_json_string(std::string& out, std::string_view s) { out += dump_json(json(std::string(s))); }

namespace {

void append_tsv_field(std::string& out, std::string_view s) {
  if (s.find_first_of("\\\t\n\r") == std::string_view::npos) {
    out.append(s);
    return;
  }
  for (char c : s) {
    switch (c) {
      case '\\': out.append("\\\\"); break;
      case '\t': out.append("\\t"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      default: out.push_back(c);
    }
  }
}

}  // namespace

std::string unescape_tsv_field(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out.push_back(s[i]);
      continue;
    }
    char c = s[++i];
    out.push_back(c == 't' ? '\t' : c == 'n' ? '\n' : c == 'r' ? '\r' : c);
  }
  return out;
}

count_writer::count_writer(count_format format, std::function<void(std::string_view)> write)
    : format_(format), write_(std::move(write)) {
  buf_.reserve(flush_at + 4096);
  if (format_ == count_format::csv) buf_.append("word,count\n");
  if (format_ == count_format::json) buf_.append("{");
}

void count_writer::add(std::string_view word, std::uint64_t count) {
  switch (format_) {
    case count_format::tsv:
      append_tsv_field(buf_, word);
      buf_.push_back('\t');
      break;
    case count_format::csv:
      append_csv_field(buf_, word);
      buf_.push_back(',');
      break;
    case count_format::json:
      // Streamed, for millions of rows in bounded memory: the words go
      // through the JSON writer; only braces and separators are ours.
      buf_.append(first_ ? "\n  " : ",\n  ");
      append_json_string(buf_, word);
      buf_.append(": ");
      break;
  }
  first_ = false;
  buf_.append(std::to_string(count));
  if (format_ != count_format::json) buf_.push_back('\n');
  if (buf_.size() >= flush_at) {
    write_(buf_);
    buf_.clear();
  }
}

void count_writer::finish() {
  if (format_ == count_format::json) buf_.append(first_ ? "}\n" : "\n}\n");
  write_(buf_);
  buf_.clear();
}

void write_counts(count_format format, const std::vector<word_count>& rows,
                  const std::function<void(std::string_view)>& write) {
  count_writer writer(format, write);
  for (const auto& row : rows) writer.add(row.word, row.count);
  writer.finish();
}

std::string serialize_counts(const word_counts& counts) {
  std::string out;
  counts.for_each([&](word_count row) {
    append_tsv_field(out, row.word);
    out.push_back('\t');
    out.append(std::to_string(row.count));
    out.push_back('\n');
  });
  return out;
}

bool parse_counts(std::string_view text, word_counts& into) {
  while (!text.empty()) {
    auto nl = text.find('\n');
    if (nl == std::string_view::npos) return false;
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl + 1);
    auto tab = line.rfind('\t');
    if (tab == std::string_view::npos) return false;
    std::uint64_t n = 0;
    for (char c : line.substr(tab + 1)) {
      if (c < '0' || c > '9') return false;
      n = n * 10 + static_cast<std::uint64_t>(c - '0');
    }
    std::string_view word = line.substr(0, tab);
    if (word.find('\\') == std::string_view::npos) into.add(word, n);
    else into.add(unescape_tsv_field(word), n);
  }
  return true;
}

std::string format_top_table(const std::vector<word_count>& rows, std::uint64_t total) {
  std::size_t word_width = 4, count_width = 5;
  for (const auto& row : rows) {
    word_width = std::max(word_width, display_width(row.word));
    count_width = std::max(count_width, std::to_string(row.count).size());
  }
  std::string out;
  char buf[64];
  auto pad = [&](std::size_t n) { out.append(n, ' '); };
  std::snprintf(buf, sizeof buf, "%5s  ", "rank");
  out.append(buf);
  out.append("word");
  pad(word_width - 4 + 2);
  pad(count_width - 5);
  out.append("count   share\n");
  std::size_t rank = 0;
  for (const auto& row : rows) {
    std::snprintf(buf, sizeof buf, "%5zu  ", ++rank);
    out.append(buf);
    out.append(row.word);
    pad(word_width - display_width(row.word) + 2);
    std::string count = std::to_string(row.count);
    pad(count_width - count.size());
    out.append(count);
    double share = total ? 100.0 * static_cast<double>(row.count) / static_cast<double>(total) : 0.0;
    std::snprintf(buf, sizeof buf, "  %5.2f%%\n", share);
    out.append(buf);
  }
  return out;
}

}  // namespace crawl::pipeline
