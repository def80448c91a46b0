#include "crawl/pipeline/log_summary_output.hpp"

#include "crawl/pipeline/count_output.hpp"
#include "crawl/pipeline/json.hpp"

#include <algorithm>
#include <cstdio>

namespace crawl::pipeline {
namespace {

std::vector<std::pair<std::string_view, std::uint64_t>> ranked_values(const value_counts& values) {
  std::vector<std::pair<std::string_view, std::uint64_t>> rows(values.begin(), values.end());
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  return rows;
}

json summary_json(const log_summary& s, const std::vector<std::string>& labels, std::size_t top) {
  json out = json::object();
  append_member(out, "lines", s.lines);
  append_member(out, "bytes", s.bytes);
  append_member(out, "kept_lines", s.kept_lines);
  append_member(out, "truncated_lines", s.truncated_lines);
  append_member(out, "nul_bytes", s.nul_bytes);
  append_member(out, "words", s.words.total());
  append_member(out, "distinct_words", s.words.distinct());
  json list = json::array();
  for (const auto& row : pipeline::top(s.words, top)) {
    json entry = json::object();
    append_member(entry, "word", std::string(row.word));
    append_member(entry, "count", row.count);
    list.push_back(std::move(entry));
  }
  append_member(out, "top", std::move(list));
  json groups = json::object();
  for (std::size_t i = 0; i < labels.size(); ++i) {
    json values = json::object();
    if (i < s.groups.size())
      for (const auto& [value, n] : ranked_values(s.groups[i])) append_member(values, value, n);
    append_member(groups, labels[i], std::move(values));
  }
  append_member(out, "groups", std::move(groups));
  json per = json::object();
  for (const auto& [key, n] : s.buckets) append_member(per, key, n);
  append_member(out, "per", std::move(per));
  append_member(out, "untimed_lines", s.untimed_lines);
  append_member(out, "first_time", text_or_null(s.first_time));
  append_member(out, "last_time", text_or_null(s.last_time));
  return out;
}

}  // namespace

std::string format_log_table(const log_summary& s, const std::vector<std::string>& labels, std::size_t top) {
  std::string out;
  char buf[256];
  std::snprintf(buf, sizeof buf, "lines %llu (kept %llu, truncated %llu), bytes %llu, NUL bytes %llu\n",
                static_cast<unsigned long long>(s.lines), static_cast<unsigned long long>(s.kept_lines),
                static_cast<unsigned long long>(s.truncated_lines), static_cast<unsigned long long>(s.bytes),
                static_cast<unsigned long long>(s.nul_bytes));
  out += buf;
  std::snprintf(buf, sizeof buf, "words %llu, distinct %llu\n", static_cast<unsigned long long>(s.words.total()),
                static_cast<unsigned long long>(s.words.distinct()));
  out += buf;
  if (top > 0 && s.words.total() > 0) out += format_top_table(pipeline::top(s.words, top), s.words.total());
  for (std::size_t i = 0; i < labels.size() && i < s.groups.size(); ++i) {
    out += "\ngroup " + labels[i] + "\n";
    std::vector<word_count> rows;
    std::uint64_t total = 0;
    for (const auto& [value, n] : ranked_values(s.groups[i])) {
      rows.push_back(word_count{value, n});
      total += n;
    }
    if (rows.size() > top && top > 0) rows.resize(top);
    out += format_top_table(rows, total);
  }
  if (!s.buckets.empty() || s.untimed_lines) {
    out += "\nper time bucket\n";
    for (const auto& [key, n] : s.buckets) {
      std::snprintf(buf, sizeof buf, "  %-18s %12llu\n", key.c_str(), static_cast<unsigned long long>(n));
      out += buf;
    }
    if (s.untimed_lines) {
      std::snprintf(buf, sizeof buf, "  %-18s %12llu\n", "(no timestamp)", static_cast<unsigned long long>(s.untimed_lines));
      out += buf;
    }
  }
  return out;
}

json log_json(const log_summary& total, const std::vector<named_summary>& files, const std::vector<std::string>& labels,
              std::size_t top) {
  json out = summary_json(total, labels, top);
  if (!files.empty()) {
    json per_file = json::object();
    for (const auto& f : files) append_member(per_file, f.name, summary_json(*f.summary, labels, top));
    append_member(out, "files", std::move(per_file));
  }
  return out;
}

std::string format_log_json(const log_summary& total, const std::vector<named_summary>& files,
                            const std::vector<std::string>& labels, std::size_t top) {
  return dump_json(log_json(total, files, labels, top), 2) + "\n";
}

}  // namespace crawl::pipeline
