#include "crawl/pipeline/log_query.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

namespace crawl::pipeline {

namespace {

// Key layout: [bucket: 8 bytes] then per --by field a tag (0 none, 1 a
// value, then its 4-byte length and bytes), or the single tag 2 for the
// folded "(other)" group.
constexpr char tag_none = 0, tag_value = 1, tag_other = 2;

void put_u64(std::string& key, std::uint64_t v) {
  char bytes[8];
  std::memcpy(bytes, &v, 8);
  key.append(bytes, 8);
}
std::uint64_t get_u64(std::string_view key, std::size_t at) {
  std::uint64_t v = 0;
  std::memcpy(&v, key.data() + at, 8);
  return v;
}

std::string quantile_name(double q, const char* prefix) {
  // p50, p99, p999 (0.999), p99.5 is written p995: digits after "0."
  char text[32];
  std::snprintf(text, sizeof text, "%.6f", q);
  std::string digits(text + 2);
  while (digits.size() > 2 && digits.back() == '0') digits.pop_back();
  return prefix + digits;
}

}  // namespace

std::int64_t bucket_seconds(time_bucket per) {
  switch (per) {
    case time_bucket::minute: return 60;
    case time_bucket::hour: return 3600;
    case time_bucket::day: return 86400;
    case time_bucket::none: break;
  }
  return 0;
}

std::string aggregate_label(const aggregate_spec& a) {
  switch (a.kind) {
    case aggregate_kind::count: return "count";
    case aggregate_kind::sum: return "sum(" + a.field + ")";
    case aggregate_kind::avg: return "avg(" + a.field + ")";
    case aggregate_kind::min: return "min(" + a.field + ")";
    case aggregate_kind::max: return "max(" + a.field + ")";
    case aggregate_kind::quantile: return quantile_name(a.q, "p") + "(" + a.field + ")";
    case aggregate_kind::distinct: return "distinct(" + a.field + ")";
  }
  return "count";
}

std::string aggregate_column(const aggregate_spec& a) {
  std::string label = aggregate_label(a);
  if (a.kind == aggregate_kind::count) return label;
  auto open = label.find('(');
  return label.substr(0, open) + "_" + a.field;
}

std::optional<number_value> read_number(std::string_view text) {
  const char* end = text.data() + text.size();
  auto ends_number = [&](const char* at) { return at == end || *at == ',' || *at == ' '; };
  number_value n;
  // Integers first: exact, and the common case (bytes, status, counts).
  if (auto [at, ec] = std::from_chars(text.data(), end, n.whole); ec == std::errc() && ends_number(at)) {
    n.integral = true;
    n.value = static_cast<double>(n.whole);
    return n;
  }
  auto [at, ec] = std::from_chars(text.data(), end, n.value);
  if (ec != std::errc() || !ends_number(at) || !std::isfinite(n.value)) return std::nullopt;
  return n;
}

void field_stats::merge(const field_stats& o) {
  numbers += o.numbers;
  whole += o.whole;
  fraction += o.fraction;
  min = std::min(min, o.min);
  max = std::max(max, o.max);
  if (o.sketch) {
    if (!sketch) sketch.emplace();
    sketch->merge(*o.sketch);
  }
  if (o.distinct) {
    if (!distinct) distinct.emplace();
    distinct->merge(*o.distinct);
  }
}

void group_stats::merge(const group_stats& o) {
  count += o.count;
  if (fields.size() < o.fields.size()) fields.resize(o.fields.size());
  for (std::size_t i = 0; i < o.fields.size(); ++i) fields[i].merge(o.fields[i]);
}

void log_table::merge(const log_table& o) {
  for (const auto& [key, stats] : o.groups) groups[key].merge(stats);
  if (not_numbers.size() < o.not_numbers.size()) not_numbers.resize(o.not_numbers.size());
  for (std::size_t i = 0; i < o.not_numbers.size(); ++i) not_numbers[i] += o.not_numbers[i];
  folded = folded || o.folded;
}

log_query::log_query(const query_options& o) : options_(o) {
  auto use = [&](const std::string& field) {
    if (std::find(fields_.begin(), fields_.end(), field) == fields_.end()) fields_.push_back(field);
  };
  for (const auto& f : o.by) use(f);
  for (const auto& c : o.where) {
    use(c.field);
    auto number = read_number(c.value);
    where_numbers_.push_back(number ? std::optional<double>(number->value) : std::nullopt);
    where_patterns_.emplace_back(c.op == compare_op::matches ? c.value : std::string());
    if (c.op == compare_op::matches && !where_patterns_.back().ok() && error_.empty())
      error_ = "--where: invalid RE2 pattern '" + c.value + "': " + where_patterns_.back().error();
  }
  for (const auto& a : o.aggregates) {
    if (a.kind == aggregate_kind::count) continue;
    use(a.field);
    auto it = std::find_if(measures_.begin(), measures_.end(), [&](const measure& m) { return m.field == a.field; });
    if (it == measures_.end()) it = measures_.insert(measures_.end(), measure{a.field});
    if (a.kind == aggregate_kind::quantile) it->sketch = true;
    else if (a.kind == aggregate_kind::distinct) it->distinct = true;
    else it->numeric = true;
  }
}

int log_query::measure_of(const aggregate_spec& a) const {
  if (a.kind == aggregate_kind::count) return -1;
  for (std::size_t i = 0; i < measures_.size(); ++i)
    if (measures_[i].field == a.field) return static_cast<int>(i);
  return -1;
}

bool log_query::holds(const log_fields& fields) const {
  for (std::size_t i = 0; i < options_.where.size(); ++i) {
    const field_condition& c = options_.where[i];
    const std::string_view* value = fields.get(c.field);
    if (!value) return false;
    if (c.op == compare_op::matches) {
      if (!where_patterns_[i].found_in(*value)) return false;
      continue;
    }
    int order = 0;
    std::optional<number_value> number;
    if (where_numbers_[i] && (number = read_number(*value)))
      order = number->value < *where_numbers_[i] ? -1 : number->value > *where_numbers_[i] ? 1 : 0;
    else
      order = value->compare(c.value) < 0 ? -1 : value->compare(c.value) > 0 ? 1 : 0;
    bool ok = false;
    switch (c.op) {
      case compare_op::equal: ok = order == 0; break;
      case compare_op::not_equal: ok = order != 0; break;
      case compare_op::less: ok = order < 0; break;
      case compare_op::less_equal: ok = order <= 0; break;
      case compare_op::greater: ok = order > 0; break;
      case compare_op::greater_equal: ok = order >= 0; break;
      case compare_op::matches: break;
    }
    if (!ok) return false;
  }
  return true;
}

void log_query::key_of(const log_fields& fields, std::optional<utc_time> time, std::string& key) const {
  key.clear();
  if (options_.per != time_bucket::none) {
    std::int64_t width = bucket_seconds(options_.per);
    std::int64_t local = time->seconds + options_.tz_offset;
    std::int64_t start = local - ((local % width) + width) % width;
    put_u64(key, static_cast<std::uint64_t>(start));
  }
  for (const auto& name : options_.by) {
    const std::string_view* value = fields.get(name);
    if (!value) {
      key.push_back(tag_none);
      continue;
    }
    key.push_back(tag_value);
    auto size = static_cast<std::uint32_t>(value->size());
    char bytes[4];
    std::memcpy(bytes, &size, 4);
    key.append(bytes, 4);
    key.append(*value);
  }
}

key_parts log_query::parts_of(std::string_view key) const {
  key_parts parts;
  std::size_t at = 0;
  if (options_.per != time_bucket::none && key.size() >= 8) {
    parts.bucket = static_cast<std::int64_t>(get_u64(key, 0));
    at = 8;
  }
  if (at < key.size() && key[at] == tag_other) {
    parts.other = true;
    parts.values.assign(options_.by.size(), std::nullopt);
    return parts;
  }
  for (std::size_t i = 0; i < options_.by.size(); ++i) {
    if (at >= key.size() || key[at] == tag_none) {
      parts.values.emplace_back(std::nullopt);
      ++at;
      continue;
    }
    std::uint32_t size = 0;
    if (at + 5 > key.size()) break;
    std::memcpy(&size, key.data() + at + 1, 4);
    at += 5;
    parts.values.emplace_back(key.substr(at, std::min<std::size_t>(size, key.size() - at)));
    at += size;
  }
  parts.values.resize(options_.by.size());
  return parts;
}

// The group of key_, created when new. Logs repeat keys line after line
// (status 200, the same path), so the last group found is tried first: it
// stays where it is until the next insertion, which only this function
// makes while the query adds to a table.
group_stats& log_query::group_for(log_table& into) {
  if (last_ && last_table_ == &into && key_ == last_key_) return *last_;
  auto it = into.groups.find(std::string_view(key_));
  if (it == into.groups.end()) {
    if (into.groups.size() >= options_.max_groups) {
      into.folded = true;
      key_.resize(options_.per != time_bucket::none ? 8 : 0);
      key_.push_back(tag_other);
      it = into.groups.find(std::string_view(key_));
    }
    if (it == into.groups.end()) {
      group_stats fresh;
      fresh.fields.resize(measures_.size());
      it = into.groups.emplace(key_, std::move(fresh)).first;
    }
  }
  last_key_ = key_;
  last_ = &it->second;
  last_table_ = &into;
  return it->second;
}

void log_query::add_value(std::size_t m, std::string_view value, field_stats& stats, log_table& into) const {
  const measure& what = measures_[m];
  if (what.distinct) {
    if (!stats.distinct) stats.distinct.emplace();
    stats.distinct->add(value);
  }
  if (!what.numeric && !what.sketch) return;
  auto number = read_number(value);
  if (!number) {
    if (into.not_numbers.size() < measures_.size()) into.not_numbers.resize(measures_.size());
    ++into.not_numbers[m];
    return;
  }
  ++stats.numbers;
  if (number->integral) stats.whole += number->whole;
  else stats.fraction += number->value;
  stats.min = std::min(stats.min, number->value);
  stats.max = std::max(stats.max, number->value);
  if (what.sketch) {
    if (!stats.sketch) stats.sketch.emplace();
    stats.sketch->add(number->value);
  }
}

void log_query::add(const log_fields& fields, std::optional<utc_time> time, log_table& into) {
  key_of(fields, time, key_);
  group_stats& group = group_for(into);
  ++group.count;
  for (std::size_t m = 0; m < measures_.size(); ++m)
    if (const std::string_view* value = fields.get(measures_[m].field)) add_value(m, *value, group.fields[m], into);
}

}  // namespace crawl::pipeline
