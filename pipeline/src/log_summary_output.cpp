#include "crawl/pipeline/log_summary_output.hpp"

#include "crawl/pipeline/count_output.hpp"

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

std::string u(std::uint64_t v) { return std::to_string(v); }

void append_summary_fields(std::string& out, const log_summary& s, const std::vector<std::string>& labels,
                           std::size_t top, const std::string& indent) {
  auto field = [&](const char* name, const std::string& value, bool comma = true) {
    out += indent + "\"" + name + "\": " + value + (comma ? ",\n" : "\n");
  };
  field("lines", u(s.lines));
  field("bytes", u(s.bytes));
  field("kept_lines", u(s.kept_lines));
  field("truncated_lines", u(s.truncated_lines));
  field("nul_bytes", u(s.nul_bytes));
  field("words", u(s.words.total()));
  field("distinct_words", u(s.words.distinct()));
  std::string list = "[";
  for (const auto& row : pipeline::top(s.words, top)) {
    list += list.size() > 1 ? ", " : "";
    list += "{\"word\": ";
    append_json_string(list, row.word);
    list += ", \"count\": " + u(row.count) + "}";
  }
  field("top", list + "]");
  std::string groups = "{";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    groups += i ? ", " : "";
    append_json_string(groups, labels[i]);
    groups += ": {";
    bool first = true;
    if (i < s.groups.size()) {
      for (const auto& [value, n] : ranked_values(s.groups[i])) {
        groups += first ? "" : ", ";
        first = false;
        append_json_string(groups, value);
        groups += ": " + u(n);
      }
    }
    groups += "}";
  }
  field("groups", groups + "}");
  std::string per = "{";
  for (const auto& [key, n] : s.buckets) {
    per += per.size() > 1 ? ", " : "";
    append_json_string(per, key);
    per += ": " + u(n);
  }
  field("per", per + "}");
  field("untimed_lines", u(s.untimed_lines), false);
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

std::string format_log_json(const log_summary& total, const std::vector<named_summary>& files,
                            const std::vector<std::string>& labels, std::size_t top) {
  std::string out = "{\n";
  append_summary_fields(out, total, labels, top, "  ");
  if (!files.empty()) {
    out.pop_back();
    out += ",\n  \"files\": {\n";
    for (std::size_t i = 0; i < files.size(); ++i) {
      out += "    ";
      append_json_string(out, files[i].name);
      out += ": {\n";
      append_summary_fields(out, *files[i].summary, labels, top, "      ");
      out += i + 1 < files.size() ? "    },\n" : "    }\n";
    }
    out += "  }\n";
  }
  out += "}\n";
  return out;
}

}  // namespace crawl::pipeline
