#include "crawl/pipeline/log_partial.hpp"

#include "crawl/pipeline/base64.hpp"
#include "crawl/pipeline/count_output.hpp"
#include "crawl/pipeline/json.hpp"


#include <cmath>
#include <limits>
#include <stdexcept>

namespace crawl::pipeline {
namespace {

constexpr const char* format_tag = "crawl-tail-partial";
constexpr int format_version = 2;  // 1 named one run by "run_id"; 2 lists the parts covered

struct malformed : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A whole number of type T, or malformed (nlohmann's get<> converts any
// number, and a double out of T's range is undefined behaviour).
template <class T>
T whole(const json& j) {
  if (j.is_number_unsigned()) {
    auto v = j.get<std::uint64_t>();
    if (v <= static_cast<std::uint64_t>(std::numeric_limits<T>::max())) return static_cast<T>(v);
  } else if (j.is_number_integer()) {
    auto v = j.get<std::int64_t>();
    if (v >= static_cast<std::int64_t>(std::numeric_limits<T>::min()) &&
        (v < 0 || static_cast<std::uint64_t>(v) <= static_cast<std::uint64_t>(std::numeric_limits<T>::max())))
      return static_cast<T>(v);
  }
  throw malformed("a number is out of range or not whole");
}

double real(const json& j) {
  if (!j.is_number()) throw malformed("a value is not a number");
  return j.get<double>();
}


const char* kind_name(aggregate_kind k) {
  switch (k) {
    case aggregate_kind::count: return "count";
    case aggregate_kind::sum: return "sum";
    case aggregate_kind::avg: return "avg";
    case aggregate_kind::min: return "min";
    case aggregate_kind::max: return "max";
    case aggregate_kind::quantile: return "quantile";
    case aggregate_kind::distinct: return "distinct";
  }
  return "count";
}

std::optional<aggregate_kind> kind_of(const std::string& name) {
  for (auto k : {aggregate_kind::count, aggregate_kind::sum, aggregate_kind::avg, aggregate_kind::min,
                 aggregate_kind::max, aggregate_kind::quantile, aggregate_kind::distinct})
    if (name == kind_name(k)) return k;
  return std::nullopt;
}

const char* per_name(time_bucket per) {
  switch (per) {
    case time_bucket::minute: return "minute";
    case time_bucket::hour: return "hour";
    case time_bucket::day: return "day";
    case time_bucket::none: break;
  }
  return "none";
}

json time_json(const std::optional<utc_time>& t) {
  if (!t) return nullptr;
  return json::array({t->seconds, t->nanos});
}

std::optional<utc_time> time_of(const json& j) {
  if (!j.is_array() || j.size() != 2) return std::nullopt;
  return utc_time{whole<std::int64_t>(j[0]), whole<std::uint32_t>(j[1]) % 1'000'000'000};
}

json stats_json(const field_stats& f) {
  json j = json::object();
  append_member(j, "numbers", f.numbers);
  append_member(j, "whole", f.whole);
  append_member(j, "fraction", f.fraction);
  append_member(j, "min", f.numbers ? json(f.min) : json(nullptr));
  append_member(j, "max", f.numbers ? json(f.max) : json(nullptr));
  append_member(j, "sketch", f.sketch ? json(to_base64(f.sketch->serialize())) : json(nullptr));
  append_member(j, "distinct", f.distinct ? json(to_base64(f.distinct->serialize())) : json(nullptr));
  return j;
}

bool stats_of(const json& j, field_stats& f, std::string& error) {
  f.numbers = whole<std::uint64_t>(j.at("numbers"));
  f.whole = whole<std::int64_t>(j.at("whole"));
  f.fraction = real(j.at("fraction"));
  if (!j.at("min").is_null()) f.min = real(j.at("min"));
  if (!j.at("max").is_null()) f.max = real(j.at("max"));
  if (!j.at("sketch").is_null()) {
    auto bytes = from_base64(j.at("sketch").get<std::string>());
    if (bytes) f.sketch = quantile_sketch::deserialize(*bytes);
    if (!f.sketch) return error = "a percentile sketch is malformed", false;
  }
  if (!j.at("distinct").is_null()) {
    auto bytes = from_base64(j.at("distinct").get<std::string>());
    if (bytes) f.distinct = distinct_counter::deserialize(*bytes);
    if (!f.distinct) return error = "a distinct counter is malformed", false;
  }
  return true;
}

}  // namespace

std::string serialize_partial(const query_options& query, const log_summary& s, const std::vector<run_part>& parts,
                              const std::string& generated_at) {
  struct {
    const query_options& query;
    const std::string& generated_at;
  } p{query, generated_at};
  json j = json::object();
  append_member(j, "format", format_tag);
  append_member(j, "version", format_version);
  append_member(j, "parts", parts_to_json(parts));
  append_member(j, "generated_at", p.generated_at);
  json q = json::object();
  append_member(q, "by", p.query.by);
  append_member(q, "per", per_name(p.query.per));
  append_member(q, "tz_offset", p.query.tz_offset);
  append_member(q, "max_groups", p.query.max_groups);
  json aggregates = json::array();
  for (const auto& a : p.query.aggregates)
    aggregates.push_back(json{{"kind", kind_name(a.kind)}, {"field", a.field}, {"q", a.q}});
  append_member(q, "aggregates", std::move(aggregates));
  append_member(j, "query", std::move(q));
  json counts = json::object();
  append_member(counts, "lines", s.lines);
  append_member(counts, "bytes", s.bytes);
  append_member(counts, "kept_lines", s.kept_lines);
  append_member(counts, "truncated_lines", s.truncated_lines);
  append_member(counts, "nul_bytes", s.nul_bytes);
  append_member(counts, "unparsed_lines", s.unparsed_lines);
  append_member(counts, "untimed_lines", s.untimed_lines);
  append_member(j, "counts", std::move(counts));
  append_member(j, "first_time", time_json(s.first_time));
  append_member(j, "last_time", time_json(s.last_time));
  append_member(j, "words", serialize_counts(s.words));
  json groups = json::array();
  for (const auto& [key, stats] : s.table.groups) {
    json g = json::object();
    append_member(g, "key", to_base64(key));
    append_member(g, "count", stats.count);
    json fields = json::array();
    for (const auto& f : stats.fields) fields.push_back(stats_json(f));
    append_member(g, "fields", std::move(fields));
    groups.push_back(std::move(g));
  }
  append_member(j, "groups", std::move(groups));
  append_member(j, "not_numbers", s.table.not_numbers);
  append_member(j, "folded", s.table.folded);
  return dump_json(j) + "\n";
}

std::optional<partial_result> parse_partial(std::string_view text, std::string& error) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return error = "not JSON", std::nullopt;
  try {
    if (!j.contains("format") || j["format"] != format_tag) return error = "not crawl tail partial results", std::nullopt;
    if (!j.contains("version") || (j["version"] != format_version && j["version"] != 1))
      return error = "version " + j.value("version", json(nullptr)).dump() + " of the partial results is not known here",
             std::nullopt;
    partial_result p;
    if (j["version"] == 1) {  // one part, named by its run id
      p.parts.push_back({j.at("run_id").get<std::string>(), 0, 1});
    } else {
      auto parts = parts_from_json(j.at("parts"), error);
      if (!parts) return std::nullopt;
      p.parts = std::move(*parts);
    }
    p.generated_at = j.at("generated_at").get<std::string>();
    const json& q = j.at("query");
    p.query.by = q.at("by").get<std::vector<std::string>>();
    std::string per = q.at("per").get<std::string>();
    for (auto b : {time_bucket::none, time_bucket::minute, time_bucket::hour, time_bucket::day})
      if (per == per_name(b)) p.query.per = b;
    p.query.tz_offset = whole<std::int32_t>(q.at("tz_offset"));
    p.query.max_groups = whole<std::size_t>(q.at("max_groups"));
    for (const auto& a : q.at("aggregates")) {
      auto kind = kind_of(a.at("kind").get<std::string>());
      if (!kind) return error = "an aggregate of an unknown kind", std::nullopt;
      p.query.aggregates.push_back({*kind, a.at("field").get<std::string>(), real(a.at("q"))});
    }
    log_summary& s = p.summary;
    const json& c = j.at("counts");
    s.lines = whole<std::uint64_t>(c.at("lines"));
    s.bytes = whole<std::uint64_t>(c.at("bytes"));
    s.kept_lines = whole<std::uint64_t>(c.at("kept_lines"));
    s.truncated_lines = whole<std::uint64_t>(c.at("truncated_lines"));
    s.nul_bytes = whole<std::uint64_t>(c.at("nul_bytes"));
    s.unparsed_lines = whole<std::uint64_t>(c.at("unparsed_lines"));
    s.untimed_lines = whole<std::uint64_t>(c.at("untimed_lines"));
    s.first_time = time_of(j.at("first_time"));
    s.last_time = time_of(j.at("last_time"));
    if (!parse_counts(j.at("words").get<std::string>(), s.words)) return error = "the word counts are malformed", std::nullopt;
    for (const auto& g : j.at("groups")) {
      auto key = from_base64(g.at("key").get<std::string>());
      if (!key) return error = "a group key is malformed", std::nullopt;
      group_stats stats;
      stats.count = whole<std::uint64_t>(g.at("count"));
      for (const auto& f : g.at("fields")) {
        stats.fields.emplace_back();
        if (!stats_of(f, stats.fields.back(), error)) return std::nullopt;
      }
      s.table.groups[*key].merge(stats);
    }
    // Buckets from years 1 to 9999 only: the dates are written out later.
    if (p.query.per != time_bucket::none) {
      log_query query(p.query);
      for (const auto& [key, stats] : s.table.groups) {
        auto bucket = query.parts_of(key).bucket;
        if (!bucket || *bucket < -62'135'596'800 || *bucket > 253'402'300'799)
          return error = "a time bucket is malformed or out of range", std::nullopt;
      }
    }
    for (const auto& n : j.at("not_numbers")) s.table.not_numbers.push_back(whole<std::uint64_t>(n));
    s.table.folded = j.at("folded").get<bool>();
    return p;
  } catch (const json::exception& e) {
    error = std::string("a member is missing or of the wrong type (") + e.what() + ")";
    return std::nullopt;
  } catch (const malformed& e) {
    error = e.what();
    return std::nullopt;
  }
}

}  // namespace crawl::pipeline
