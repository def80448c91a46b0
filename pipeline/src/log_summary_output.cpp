#include "crawl/pipeline/log_summary_output.hpp"

#include "crawl/pipeline/count_output.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>

namespace crawl::pipeline {
namespace {

// Empty buckets inside the range are shown up to this many buckets in all.
constexpr std::int64_t max_filled_buckets = 100'000;

const char* bucket_column(time_bucket per) {
  switch (per) {
    case time_bucket::minute: return "minute";
    case time_bucket::hour: return "hour";
    case time_bucket::day: return "day";
    case time_bucket::none: break;
  }
  return "";
}

std::string bucket_label(std::int64_t start, time_bucket per) {
  civil_time c = civil_from_seconds(start);
  char text[40];
  if (per == time_bucket::day) std::snprintf(text, sizeof text, "%04d-%02u-%02u", c.year, c.month, c.day);
  else std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02u:%02u", c.year, c.month, c.day, c.hour, c.minute);
  return text;
}

std::string zone_name(std::int32_t offset) {
  if (offset == 0) return "UTC";
  char text[16];
  std::int32_t a = std::abs(offset);
  std::snprintf(text, sizeof text, "%c%02d:%02d", offset < 0 ? '-' : '+', a / 3600, (a / 60) % 60);
  return text;
}

// One value of a row: nothing, a whole number or another number.
struct cell {
  enum class kind { none, integer, number } k = kind::none;
  std::int64_t whole = 0;
  double number = 0;
  bool estimated = false;
  double as_double() const { return k == kind::integer ? static_cast<double>(whole) : number; }
};

cell integer_cell(std::int64_t v, bool estimated = false) { return {cell::kind::integer, v, 0, estimated}; }
cell number_cell(double v) { return {cell::kind::number, 0, v, false}; }

// A quantile to the digits the sketch vouches for (0.5%: four significant).
double four_digits(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4g", v);
  return std::strtod(text, nullptr);
}

cell cell_of(const answer_row& row, const aggregate_spec& a, int m) {
  if (a.kind == aggregate_kind::count) return integer_cell(row.stats ? static_cast<std::int64_t>(row.stats->count) : 0);
  if (!row.stats || m < 0 || static_cast<std::size_t>(m) >= row.stats->fields.size()) return {};
  const field_stats& f = row.stats->fields[static_cast<std::size_t>(m)];
  switch (a.kind) {
    case aggregate_kind::sum:
      if (f.fraction == 0) return integer_cell(f.whole);
      return number_cell(f.sum());
    case aggregate_kind::avg:
      return f.numbers ? number_cell(f.sum() / static_cast<double>(f.numbers)) : cell{};
    case aggregate_kind::min:
      return f.numbers ? number_cell(f.min) : cell{};
    case aggregate_kind::max:
      return f.numbers ? number_cell(f.max) : cell{};
    case aggregate_kind::quantile:
      return f.sketch && f.sketch->count() ? number_cell(four_digits(f.sketch->quantile(a.q))) : cell{};
    case aggregate_kind::distinct:
      if (!f.distinct) return integer_cell(0);
      return integer_cell(static_cast<std::int64_t>(f.distinct->count()), !f.distinct->exact());
    case aggregate_kind::count:
      break;
  }
  return {};
}

// The shortest text that reads back as the same number.
std::string exact_text(const cell& c) {
  if (c.k == cell::kind::none) return "";
  if (c.k == cell::kind::integer) return std::to_string(c.whole);
  char text[64];
  auto [end, ec] = std::to_chars(text, text + sizeof text, c.number);
  return ec == std::errc() ? std::string(text, end) : std::string();
}

std::string table_text(const cell& c, aggregate_kind kind) {
  if (c.k == cell::kind::none) return "-";
  if (c.k == cell::kind::integer) {
    std::string text = c.estimated ? "~" : "";
    return text.append(std::to_string(c.whole));
  }
  char text[64];
  std::snprintf(text, sizeof text, kind == aggregate_kind::quantile ? "%.4g" : "%.6g", c.number);
  return text;
}

json json_value(const cell& c) {
  if (c.k == cell::kind::none) return nullptr;
  if (c.k == cell::kind::integer) return c.whole;
  return c.number;
}

// The aggregates shown: count first (unless asked for elsewhere), then as given.
std::vector<aggregate_spec> shown_aggregates(const query_options& q) {
  std::vector<aggregate_spec> out;
  bool has_count = std::any_of(q.aggregates.begin(), q.aggregates.end(),
                               [](const aggregate_spec& a) { return a.kind == aggregate_kind::count; });
  if (!has_count) out.push_back(aggregate_spec{});
  out.insert(out.end(), q.aggregates.begin(), q.aggregates.end());
  return out;
}

// The by-values of a key, without its bucket: the group across buckets.
std::string_view group_part(std::string_view key, const query_options& q) {
  return q.per != time_bucket::none && key.size() >= 8 ? key.substr(8) : key;
}

std::string row_value(const answer_row& row, std::size_t i) {
  if (row.other) return "(other)";
  if (!row.stats) return "";
  return row.values[i] ? std::string(*row.values[i]) : std::string();
}

}  // namespace

std::vector<std::string> answer_columns(const query_options& q) {
  std::vector<std::string> columns;
  if (q.per != time_bucket::none) columns.emplace_back(bucket_column(q.per));
  columns.insert(columns.end(), q.by.begin(), q.by.end());
  for (const auto& a : shown_aggregates(q)) columns.push_back(aggregate_column(a));
  return columns;
}

bool is_answer_column(const query_options& q, const std::string& column) {
  for (const auto& c : answer_columns(q))
    if (c == column) return true;
  for (const auto& a : shown_aggregates(q))
    if (aggregate_label(a) == column) return true;
  return false;
}

namespace {

// With buckets, the groups shown: the top ones by their count over all
// buckets (nothing: all of them).
std::optional<boost::unordered_flat_set<std::string_view>> top_groups(const log_summary& s, const query_options& q,
                                                                     std::size_t top) {
  if (q.per == time_bucket::none || top == 0 || q.by.empty()) return std::nullopt;
  boost::unordered_flat_map<std::string_view, std::uint64_t> totals;
  for (const auto& [key, stats] : s.table.groups) totals[group_part(key, q)] += stats.count;
  if (totals.size() <= top) return std::nullopt;
  std::vector<std::pair<std::string_view, std::uint64_t>> ranked(totals.begin(), totals.end());
  std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(top), ranked.end(),
                    [](const auto& a, const auto& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; });
  boost::unordered_flat_set<std::string_view> kept;
  for (std::size_t i = 0; i < top; ++i) kept.insert(ranked[i].first);
  return kept;
}

}  // namespace

std::vector<answer_row> answer_rows(const log_summary& s, const query_options& q, const answer_layout& layout) {
  log_query query(q);
  std::vector<aggregate_spec> shown = shown_aggregates(q);
  auto kept = top_groups(s, q, layout.top);
  std::vector<answer_row> rows;
  rows.reserve(kept ? kept->size() : s.table.groups.size());
  for (const auto& [key, stats] : s.table.groups) {
    if (kept && !kept->contains(group_part(key, q))) continue;
    key_parts parts = query.parts_of(key);
    rows.push_back(answer_row{parts.bucket, std::move(parts.values), parts.other, &stats});
  }
  // The sort: a --by field ascending, or an aggregate descending (count by default).
  int by_index = -1;
  aggregate_spec by_aggregate;
  for (std::size_t i = 0; i < q.by.size(); ++i)
    if (q.by[i] == layout.sort) by_index = static_cast<int>(i);
  for (const auto& a : shown)
    if (aggregate_column(a) == layout.sort || aggregate_label(a) == layout.sort) by_aggregate = a;
  int m = query.measure_of(by_aggregate);
  auto values_before = [](const answer_row& a, const answer_row& b) {
    if (a.other != b.other) return b.other;
    return a.values < b.values;
  };
  auto before = [&](const answer_row& a, const answer_row& b) {
    if (by_index >= 0) {
      const auto& x = a.values[static_cast<std::size_t>(by_index)];
      const auto& y = b.values[static_cast<std::size_t>(by_index)];
      if (x != y) return x < y;
    } else {
      cell x = cell_of(a, by_aggregate, m), y = cell_of(b, by_aggregate, m);
      if (x.k != y.k && (x.k == cell::kind::none || y.k == cell::kind::none)) return y.k == cell::kind::none;
      if (x.as_double() != y.as_double()) return x.as_double() > y.as_double();
    }
    return values_before(a, b);
  };

  if (q.per == time_bucket::none) {
    std::sort(rows.begin(), rows.end(), before);
    if (layout.top > 0 && rows.size() > layout.top) rows.resize(layout.top);
    return rows;
  }

  // With buckets: the top groups (chosen above) in every bucket, and the
  // empty buckets inside the range, so that a chart of the rows has no gaps.
  std::set<std::int64_t> present;
  for (const auto& row : rows)
    if (row.bucket) present.insert(*row.bucket);
  if (!present.empty()) {
    std::int64_t width = bucket_seconds(q.per);
    std::int64_t first = *present.begin(), last = *present.rbegin();
    if ((last - first) / width < max_filled_buckets)
      for (std::int64_t b = first; b <= last; b += width)
        if (!present.count(b)) rows.push_back(answer_row{b, std::vector<std::optional<std::string_view>>(q.by.size()), false, nullptr});
  }
  std::sort(rows.begin(), rows.end(), [&](const answer_row& a, const answer_row& b) {
    if (a.bucket != b.bucket) return a.bucket < b.bucket;
    return before(a, b);
  });
  return rows;
}

namespace {

struct text_table {
  std::vector<std::string> heads;
  std::vector<bool> right;  // numbers, right-aligned
  std::vector<std::vector<std::string>> rows;

  std::string render() const {
    std::vector<std::size_t> width(heads.size());
    for (std::size_t c = 0; c < heads.size(); ++c) width[c] = display_width(heads[c]);
    for (const auto& row : rows)
      for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], display_width(row[c]));
    std::string out;
    auto line = [&](const std::vector<std::string>& cells) {
      std::string text;
      for (std::size_t c = 0; c < cells.size(); ++c) {
        std::size_t pad = width[c] - display_width(cells[c]);
        if (c > 0) text += "  ";
        if (right[c]) text.append(pad, ' ');
        text += cells[c];
        if (!right[c] && c + 1 < cells.size()) text.append(pad, ' ');
      }
      while (!text.empty() && text.back() == ' ') text.pop_back();
      out += text + "\n";
    };
    line(heads);
    for (const auto& row : rows) line(row);
    return out;
  }
};

// --per with --by and nothing but counts: a time x group cross table, the
// top groups (by their count over all buckets) as columns, every bucket of
// the range as a row.
std::string cross_table(const log_summary& s, const query_options& q, const answer_layout& layout) {
  std::vector<answer_row> rows = answer_rows(s, q, layout);
  auto label_of = [&](const answer_row& row) {
    if (row.other) return std::string("(other)");
    std::string label;
    for (std::size_t i = 0; i < row.values.size(); ++i) {
      if (i) label.push_back('/');
      label.append(row.values[i] ? *row.values[i] : std::string_view("(none)"));
    }
    return label;
  };
  std::map<std::string, std::uint64_t> totals;
  std::map<std::int64_t, std::map<std::string, std::uint64_t>> cells;
  for (const auto& row : rows) {
    auto& bucket = cells[*row.bucket];
    if (!row.stats) continue;
    std::string label = label_of(row);
    bucket[label] += row.stats->count;
    totals[label] += row.stats->count;
  }
  std::vector<std::pair<std::string, std::uint64_t>> columns(totals.begin(), totals.end());
  std::stable_sort(columns.begin(), columns.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  text_table t;
  t.heads.push_back(std::string(bucket_column(q.per)) + " (" + zone_name(q.tz_offset) + ")");
  t.right.push_back(false);
  for (const auto& [label, total] : columns) t.heads.push_back(label), t.right.push_back(true);
  for (const auto& [bucket, counts] : cells) {
    std::vector<std::string> line{bucket_label(bucket, q.per)};
    for (const auto& [label, total] : columns) {
      auto it = counts.find(label);
      line.push_back(std::to_string(it == counts.end() ? 0 : it->second));
    }
    t.rows.push_back(std::move(line));
  }
  std::string by;
  for (const auto& b : q.by) {
    if (!by.empty()) by.push_back('/');
    by.append(b);
  }
  return "count by " + by + "\n" + t.render();
}

std::string rows_table(const log_summary& s, const query_options& q, const answer_layout& layout) {
  bool counts_only = std::all_of(q.aggregates.begin(), q.aggregates.end(),
                                 [](const aggregate_spec& a) { return a.kind == aggregate_kind::count; });
  if (q.per != time_bucket::none && !q.by.empty() && counts_only) return cross_table(s, q, layout);
  log_query query(q);
  std::vector<aggregate_spec> shown = shown_aggregates(q);
  text_table t;
  if (q.per != time_bucket::none) {
    t.heads.push_back(std::string(bucket_column(q.per)) + " (" + zone_name(q.tz_offset) + ")");
    t.right.push_back(false);
  }
  for (const auto& b : q.by) t.heads.push_back(b), t.right.push_back(false);
  for (const auto& a : shown) t.heads.push_back(aggregate_label(a)), t.right.push_back(true);
  bool estimated = false;
  for (const auto& row : answer_rows(s, q, layout)) {
    std::vector<std::string> cells;
    if (row.bucket) cells.push_back(bucket_label(*row.bucket, q.per));
    for (std::size_t i = 0; i < q.by.size(); ++i) {
      std::string v = row_value(row, i);
      cells.push_back(row.stats && !row.other && !row.values[i] ? "(none)" : v);
    }
    for (const auto& a : shown) {
      cell c = cell_of(row, a, query.measure_of(a));
      estimated = estimated || c.estimated;
      cells.push_back(table_text(c, a.kind));
    }
    t.rows.push_back(std::move(cells));
  }
  std::string out = t.render();
  if (estimated) out += "~ estimated with HyperLogLog (past 10,000 distinct values; about 0.8% error)\n";
  if (s.table.folded)
    out += "(other): lines of the groups past --max-groups " + std::to_string(q.max_groups) + ", counted together\n";
  return out;
}

std::string counts_line(const log_summary& s) {
  char buf[320];
  std::snprintf(buf, sizeof buf, "lines %llu (kept %llu, truncated %llu), bytes %llu, NUL bytes %llu\n",
                static_cast<unsigned long long>(s.lines), static_cast<unsigned long long>(s.kept_lines),
                static_cast<unsigned long long>(s.truncated_lines), static_cast<unsigned long long>(s.bytes),
                static_cast<unsigned long long>(s.nul_bytes));
  std::string out = buf;
  if (s.unparsed_lines || s.untimed_lines) {
    std::snprintf(buf, sizeof buf, "unparsed lines %llu, lines without a timestamp %llu\n",
                  static_cast<unsigned long long>(s.unparsed_lines), static_cast<unsigned long long>(s.untimed_lines));
    out += buf;
  }
  return out;
}

json sample_json(const std::optional<line_sample>& sample) {
  if (!sample) return nullptr;
  json j = json::object();
  append_member(j, "line", sample->line ? json(sample->line) : json(nullptr));
  append_member(j, "offset", sample->offset);
  append_member(j, "text", sample->text);
  return j;
}

json summary_json(const log_summary& s, const query_options& q, const answer_layout& layout) {
  json out = json::object();
  append_member(out, "lines", s.lines);
  append_member(out, "bytes", s.bytes);
  append_member(out, "kept_lines", s.kept_lines);
  append_member(out, "truncated_lines", s.truncated_lines);
  append_member(out, "nul_bytes", s.nul_bytes);
  append_member(out, "unparsed_lines", s.unparsed_lines);
  append_member(out, "first_unparsed", sample_json(s.first_unparsed));
  append_member(out, "untimed_lines", s.untimed_lines);
  append_member(out, "first_untimed", sample_json(s.first_untimed));
  append_member(out, "words", s.words.total());
  append_member(out, "distinct_words", s.words.distinct());
  json list = json::array();
  for (const auto& row : pipeline::top(s.words, layout.top)) {
    json entry = json::object();
    append_member(entry, "word", std::string(row.word));
    append_member(entry, "count", row.count);
    list.push_back(std::move(entry));
  }
  append_member(out, "top", std::move(list));
  if (!q.by.empty() || q.per != time_bucket::none || !q.aggregates.empty()) {
    log_query query(q);
    std::vector<aggregate_spec> shown = shown_aggregates(q);
    std::vector<std::string> columns = answer_columns(q);
    json rows = json::array();
    std::set<std::string> estimated;
    for (const auto& row : answer_rows(s, q, layout)) {
      json r = json::object();
      std::size_t c = 0;
      if (row.bucket) append_member(r, columns[c++], bucket_label(*row.bucket, q.per));
      for (std::size_t i = 0; i < q.by.size(); ++i, ++c) {
        json v = nullptr;
        if (row.other) v = "(other)";
        else if (row.stats && row.values[i]) v = std::string(*row.values[i]);
        append_member(r, columns[c], std::move(v));
      }
      for (const auto& a : shown) {
        cell value = cell_of(row, a, query.measure_of(a));
        if (value.estimated) estimated.insert(columns[c]);
        append_member(r, columns[c++], json_value(value));
      }
      rows.push_back(std::move(r));
    }
    if (q.per != time_bucket::none) append_member(out, "time_zone", zone_name(q.tz_offset));
    append_member(out, "rows", std::move(rows));
    append_member(out, "estimated", json(std::vector<std::string>(estimated.begin(), estimated.end())));
    append_member(out, "groups_folded", s.table.folded);
    json not_numbers = json::object();
    const auto& measures = query.measures();
    for (std::size_t i = 0; i < s.table.not_numbers.size() && i < measures.size(); ++i)
      if (s.table.not_numbers[i]) append_member(not_numbers, measures[i].field, s.table.not_numbers[i]);
    append_member(out, "not_numbers", std::move(not_numbers));
  }
  append_member(out, "first_time", time_or_null(s.first_time));
  append_member(out, "last_time", time_or_null(s.last_time));
  return out;
}

}  // namespace

json time_or_null(const std::optional<utc_time>& t) { return t ? json(format_utc(*t)) : json(nullptr); }

std::string format_log_table(const log_summary& s, const query_options& q, const answer_layout& layout) {
  std::string out = counts_line(s);
  if (!q.by.empty() || q.per != time_bucket::none || !q.aggregates.empty()) return out + "\n" + rows_table(s, q, layout);
  if (s.words.total() == 0) return out;
  char buf[160];
  std::snprintf(buf, sizeof buf, "words %llu, distinct %llu\n", static_cast<unsigned long long>(s.words.total()),
                static_cast<unsigned long long>(s.words.distinct()));
  out += buf;
  if (layout.top > 0) out += format_top_table(pipeline::top(s.words, layout.top), s.words.total());
  return out;
}

void write_answer(bool csv, const log_summary& s, const query_options& q, const answer_layout& layout,
                  const std::function<void(std::string_view)>& write) {
  if (q.by.empty() && q.per == time_bucket::none && q.aggregates.empty())
    return write_counts(csv ? count_format::csv : count_format::tsv, ranked(s.words), write);
  log_query query(q);
  std::vector<aggregate_spec> shown = shown_aggregates(q);
  char sep = csv ? ',' : '\t';
  auto field = [&](std::string& out, std::string_view v) {
    if (csv) return append_csv_field(out, v);
    for (char c : v) out.push_back(c == '\t' || c == '\n' || c == '\r' ? ' ' : c);
  };
  std::string out;
  std::vector<std::string> columns = answer_columns(q);
  for (std::size_t c = 0; c < columns.size(); ++c) {
    if (c) out.push_back(sep);
    field(out, columns[c]);
  }
  out.push_back('\n');
  for (const auto& row : answer_rows(s, q, layout)) {
    bool first = true;
    auto next = [&] {
      if (!first) out.push_back(sep);
      first = false;
    };
    if (row.bucket) next(), out += bucket_label(*row.bucket, q.per);
    for (std::size_t i = 0; i < q.by.size(); ++i) next(), field(out, row_value(row, i));
    for (const auto& a : shown) next(), out += exact_text(cell_of(row, a, query.measure_of(a)));
    out.push_back('\n');
    if (out.size() >= (1u << 20)) {
      write(out);
      out.clear();
    }
  }
  write(out);
}

json log_json(const log_summary& total, const std::vector<named_summary>& files, const query_options& q,
              const answer_layout& layout) {
  json out = summary_json(total, q, layout);
  if (!files.empty()) {
    json per_file = json::object();
    for (const auto& f : files) append_member(per_file, f.name, summary_json(*f.summary, q, layout));
    append_member(out, "files", std::move(per_file));
  }
  return out;
}

}  // namespace crawl::pipeline
