#include "run_stats.hpp"

#include "command_outputs.hpp"

#include "crawl/pipeline/base64.hpp"
#include "crawl/pipeline/json.hpp"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <cmath>
#include <type_traits>
#include <cstdio>

namespace crawl::app {

namespace {

double seconds(std::chrono::steady_clock::duration d) { return std::chrono::duration<double>(d).count(); }

std::string join_counts(const std::map<std::string, std::uint64_t>& m) {
  std::string out;
  for (const auto& [k, v] : m) out += (out.empty() ? "" : ", ") + k + " " + std::to_string(v);
  return out;
}

}  // namespace

std::string format_summary_text(const run_stats& s) {
  char buf[512];
  double wall = seconds(s.wall);
  double rate = wall > 0 ? static_cast<double>(s.done()) / wall : 0;
  double mbps = wall > 0 ? static_cast<double>(s.bytes) / 1e6 / wall : 0;
  std::string out;
  std::snprintf(buf, sizeof buf, "%s: %llu ok, %llu failed, %llu skipped, %llu bad lines, %llu duplicates",
                s.interrupted ? "interrupted" : "done", static_cast<unsigned long long>(s.ok),
                static_cast<unsigned long long>(s.failed), static_cast<unsigned long long>(s.skipped),
                static_cast<unsigned long long>(s.bad_lines), static_cast<unsigned long long>(s.duplicates));
  out += buf;
  if (s.unfinished) out += ", " + std::to_string(s.unfinished) + " unfinished";
  out += "\n";
  if (s.parts.size() == 1 && s.parts[0].shards > 1)
    out += "  shard " + std::to_string(s.parts[0].shard) + " of " + std::to_string(s.parts[0].shards) + " (run " +
           s.parts[0].run_id + "): " + std::to_string(s.other_shard) + " lines of other shards' hosts left to them\n";
  else if (s.parts.size() > 1)
    out += "  merged " + std::to_string(s.parts.size()) + " parts\n";
  if (s.unchanged) out += "  unchanged since the last run (304): " + std::to_string(s.unchanged) + "\n";
  if (s.resumed)
    out += "  resumed an interrupted run: " + std::to_string(s.resumed_done) + " URLs were already done, " +
           std::to_string(s.done() - s.resumed_done) + " done now\n";
  if (s.deadline_reached) out += "  stopped at --deadline\n";
  if (!s.failed_by_reason.empty()) out += "  failed: " + join_counts(s.failed_by_reason) + "\n";
  if (!s.skipped_by_reason.empty()) out += "  skipped: " + join_counts(s.skipped_by_reason) + "\n";
  if (s.back_offs) out += "  hosts slowed down (429, 503, timeouts): " + std::to_string(s.back_offs) + " times\n";
  if (s.hosts.size() > 1) {
    out += "  busiest hosts:";
    for (const auto& [host, f] : busiest_hosts(s, 3)) {
      char row[160];
      std::snprintf(row, sizeof row, " %s %llu pages, %llu errors, %.0f ms, delay %.2f s;", host.c_str(),
                    static_cast<unsigned long long>(f.pages), static_cast<unsigned long long>(f.errors),
                    f.timed ? f.latency_ms_sum / static_cast<double>(f.timed) : 0.0, f.gap_s);
      out += row;
    }
    out.back() = '\n';
  }
  if (s.following) {
    out += "  links: " + std::to_string(s.links_found) + " found, " + std::to_string(s.links_queued) + " new URLs queued";
    if (!s.links_not_followed.empty()) out += "; not followed: " + join_counts(s.links_not_followed);
    if (s.noindex_pages) out += "; " + std::to_string(s.noindex_pages) + " noindex pages not counted";
    out += "\n";
  }
  if (s.reading_sitemaps)
    out += "  sitemaps: " + std::to_string(s.sitemaps.files) + " read (" + std::to_string(s.sitemaps.failed) +
           " failed), " + std::to_string(s.sitemaps.urls) + " pages listed, " + std::to_string(s.sitemaps.queued) +
           " new URLs queued\n";
  if (!s.status_codes.empty()) {
    out += "  status:";
    for (const auto& [code, n] : s.status_codes) out += " " + std::to_string(code) + "=" + std::to_string(n);
    out += "\n";
  }
  std::snprintf(buf, sizeof buf,
                "  %llu words (%llu distinct), %.1f MB in %.2f s: %.0f pages/s, %.1f MB/s\n"
                "  latency p50 %.1f ms, p90 %.1f ms, p99 %.1f ms; %llu retries\n",
                static_cast<unsigned long long>(s.words), static_cast<unsigned long long>(s.distinct_words),
                static_cast<double>(s.bytes) / 1e6, wall, rate, mbps, s.latency_ms.quantile(0.5),
                s.latency_ms.quantile(0.9), s.latency_ms.quantile(0.99),
                static_cast<unsigned long long>(s.retries));
  out += buf;
  return out;
}

std::vector<std::pair<std::string, run_stats::host_figures>> busiest_hosts(const run_stats& s, std::size_t n) {
  std::vector<std::pair<std::string, run_stats::host_figures>> rows(s.hosts.begin(), s.hosts.end());
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    auto load = [](const run_stats::host_figures& f) { return f.pages + f.errors; };
    return load(a.second) != load(b.second) ? load(a.second) > load(b.second) : a.first < b.first;
  });
  if (rows.size() > n) rows.resize(n);
  return rows;
}

std::string format_summary_json(const run_stats& s) {
  using pipeline::append_member;
  double wall = seconds(s.wall);
  // Rates and latencies to the microsecond (3 decimals), as numbers.
  auto num = [](double v) { return std::round(v * 1000.0) / 1000.0; };
  auto counts = [](const auto& m) {
    pipeline::json out = pipeline::json::object();
    for (const auto& [key, n] : m) {
      if constexpr (std::is_same_v<std::decay_t<decltype(key)>, std::string>) append_member(out, key, n);
      else append_member(out, std::to_string(key), n);
    }
    return out;
  };
  pipeline::json j = pipeline::json::object();
  append_member(j, "format", "crawl-run-summary");
  append_member(j, "version", 1);
  append_member(j, "exit_status", s.exit_status);
  append_member(j, "interrupted", s.interrupted);
  append_member(j, "lines", s.lines_read);
  append_member(j, "ok", s.ok);
  append_member(j, "failed", s.failed);
  append_member(j, "skipped", s.skipped);
  append_member(j, "bad_lines", s.bad_lines);
  append_member(j, "duplicates", s.duplicates);
  append_member(j, "other_shard", s.other_shard);
  append_member(j, "unfinished", s.unfinished);
  append_member(j, "unchanged", s.unchanged);
  append_member(j, "resumed", s.resumed);
  append_member(j, "resumed_done", s.resumed_done);
  append_member(j, "deadline_reached", s.deadline_reached);
  append_member(j, "failed_by_reason", counts(s.failed_by_reason));
  append_member(j, "skipped_by_reason", counts(s.skipped_by_reason));
  append_member(j, "status_codes", counts(s.status_codes));
  append_member(j, "back_offs", s.back_offs);
  pipeline::json busiest = pipeline::json::array();
  for (const auto& [host, f] : busiest_hosts(s, 10)) {
    pipeline::json entry = pipeline::json::object();
    append_member(entry, "host", host);
    append_member(entry, "pages", f.pages);
    append_member(entry, "errors", f.errors);
    append_member(entry, "latency_ms_mean", num(f.timed ? f.latency_ms_sum / static_cast<double>(f.timed) : 0));
    append_member(entry, "delay_s", num(f.gap_s));
    busiest.push_back(std::move(entry));
  }
  append_member(j, "busiest_hosts", std::move(busiest));
  if (s.following) {
    pipeline::json links = pipeline::json::object();
    append_member(links, "found", s.links_found);
    append_member(links, "queued", s.links_queued);
    append_member(links, "not_followed", counts(s.links_not_followed));
    append_member(links, "noindex_pages", s.noindex_pages);
    append_member(j, "links", std::move(links));
  }
  if (s.reading_sitemaps) {
    pipeline::json maps = pipeline::json::object();
    append_member(maps, "files", s.sitemaps.files);
    append_member(maps, "failed", s.sitemaps.failed);
    append_member(maps, "urls", s.sitemaps.urls);
    append_member(maps, "queued", s.sitemaps.queued);
    append_member(j, "sitemaps", std::move(maps));
  }
  append_member(j, "bytes", s.bytes);
  append_member(j, "words", s.words);
  append_member(j, "distinct_words", s.distinct_words_known ? pipeline::json(s.distinct_words) : pipeline::json(nullptr));
  append_member(j, "retries", s.retries);
  append_member(j, "pages_per_s", num(wall > 0 ? static_cast<double>(s.done()) / wall : 0));
  append_member(j, "mb_per_s", num(wall > 0 ? static_cast<double>(s.bytes) / 1e6 / wall : 0));
  append_member(j, "latency_ms_p50", num(s.latency_ms.quantile(0.5)));
  append_member(j, "latency_ms_p90", num(s.latency_ms.quantile(0.9)));
  append_member(j, "latency_ms_p99", num(s.latency_ms.quantile(0.99)));
  append_member(j, "wall_s", num(wall));
  // For crawl merge: the latency sketch itself (merged sketches give the
  // percentiles of all pages), and which part of which run this is.
  append_member(j, "latency_ms_sketch", pipeline::to_base64(s.latency_ms.serialize()));
  append_member(j, "parts", pipeline::parts_to_json(s.parts));
  return pipeline::dump_json(j, 2) + "\n";
}

std::string format_progress(const progress_numbers& n) {
  double rate = n.seconds > 0 ? static_cast<double>(n.done) / n.seconds : 0.0;
  double mb_per_s = n.seconds > 0 ? static_cast<double>(n.bytes) / 1e6 / n.seconds : 0.0;
  char where[96] = "";
  if (n.list_size > 0 && n.list_offset > 0 && n.lines_read > 0) {
    double lines_in_list = static_cast<double>(n.lines_read) * static_cast<double>(n.list_size) /
                           static_cast<double>(n.list_offset);
    double share = std::min(1.0, static_cast<double>(n.done) / std::max(lines_in_list, 1.0));
    if (rate > 0 && share < 1.0) {
      auto eta = static_cast<long long>((lines_in_list - static_cast<double>(n.done)) / rate);
      std::snprintf(where, sizeof where, " (%.0f%% of the list, ETA %lldm%02llds)", share * 100, eta / 60, eta % 60);
    } else {
      std::snprintf(where, sizeof where, " (%.0f%% of the list)", share * 100);
    }
  }
  char line[320];
  std::snprintf(line, sizeof line, "crawl: %llu done of %llu lines read%s, %.0f pages/s, %.1f MB/s, %zu in flight, %llu errors",
                static_cast<unsigned long long>(n.done), static_cast<unsigned long long>(n.lines_read), where, rate,
                mb_per_s, n.in_flight, static_cast<unsigned long long>(n.errors));
  std::string out = line;
  if (n.waiting) out += ", " + std::to_string(n.waiting) + " waiting on " + std::to_string(n.hosts) + " hosts";
  if (n.queued) out += ", " + std::to_string(n.queued) + " queued";
  return out;
}

namespace {

struct malformed_summary : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::uint64_t count_of(const pipeline::json& j, const char* name) {
  if (!j.contains(name) || !j[name].is_number_unsigned())
    throw malformed_summary(std::string("\"") + name + "\" is missing or not a whole number");
  return j[name].get<std::uint64_t>();
}

bool flag_of(const pipeline::json& j, const char* name) {
  if (!j.contains(name) || !j[name].is_boolean()) throw malformed_summary(std::string("\"") + name + "\" is not true or false");
  return j[name].get<bool>();
}

double real_of(const pipeline::json& j, const char* name) {
  if (!j.contains(name) || !j[name].is_number()) throw malformed_summary(std::string("\"") + name + "\" is not a number");
  return j[name].get<double>();
}

const pipeline::json& member(const pipeline::json& j, const char* name, pipeline::json::value_t type) {
  if (!j.contains(name) || j[name].type() != type)
    throw malformed_summary(std::string("\"") + name + "\" is missing or of the wrong type");
  return j[name];
}

template <class Key>
void read_counts(const pipeline::json& j, const char* name, std::map<Key, std::uint64_t>& into) {
  for (const auto& [key, value] : member(j, name, pipeline::json::value_t::object).items()) {
    if (!value.is_number_unsigned()) throw malformed_summary(std::string("a count in \"") + name + "\" is not whole");
    if constexpr (std::is_same_v<Key, std::string>) {
      into[key] += value.template get<std::uint64_t>();
    } else {
      char* end = nullptr;
      long code = std::strtol(key.c_str(), &end, 10);
      if (key.empty() || *end) throw malformed_summary(std::string("a key of \"") + name + "\" is not a number");
      into[code] += value.template get<std::uint64_t>();
    }
  }
}

template <class Map>
void add_counts(Map& into, const Map& from) {
  for (const auto& [k, n] : from) into[k] += n;
}

}  // namespace

std::optional<run_stats> parse_summary_json(std::string_view text, std::string& error) {
  pipeline::json j = pipeline::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return error = "not JSON", std::nullopt;
  if (!j.contains("format") || j["format"] != "crawl-run-summary") return error = "not a crawl run summary", std::nullopt;
  if (!j.contains("version") || j["version"] != 1) return error = "a version of the run summary not known here", std::nullopt;
  using vt = pipeline::json::value_t;
  try {
    run_stats s;
    s.exit_status = static_cast<int>(count_of(j, "exit_status"));
    s.interrupted = flag_of(j, "interrupted");
    s.lines_read = count_of(j, "lines");
    s.ok = count_of(j, "ok");
    s.failed = count_of(j, "failed");
    s.skipped = count_of(j, "skipped");
    s.bad_lines = count_of(j, "bad_lines");
    s.duplicates = count_of(j, "duplicates");
    s.other_shard = count_of(j, "other_shard");
    s.unfinished = count_of(j, "unfinished");
    s.unchanged = count_of(j, "unchanged");
    s.resumed = flag_of(j, "resumed");
    s.resumed_done = count_of(j, "resumed_done");
    s.deadline_reached = flag_of(j, "deadline_reached");
    read_counts(j, "failed_by_reason", s.failed_by_reason);
    read_counts(j, "skipped_by_reason", s.skipped_by_reason);
    read_counts(j, "status_codes", s.status_codes);
    s.back_offs = count_of(j, "back_offs");
    for (const auto& h : member(j, "busiest_hosts", vt::array)) {
      if (!h.is_object() || !h.contains("host") || !h["host"].is_string())
        throw malformed_summary("a busiest host has no name");
      auto& f = s.hosts[h["host"].get<std::string>()];
      f.pages = count_of(h, "pages");
      f.errors = count_of(h, "errors");
      f.timed = f.pages;
      f.latency_ms_sum = real_of(h, "latency_ms_mean") * static_cast<double>(f.pages);
      f.gap_s = real_of(h, "delay_s");
    }
    if (j.contains("links")) {
      const auto& l = member(j, "links", vt::object);
      s.following = true;
      s.links_found = count_of(l, "found");
      s.links_queued = count_of(l, "queued");
      read_counts(l, "not_followed", s.links_not_followed);
      s.noindex_pages = count_of(l, "noindex_pages");
    }
    if (j.contains("sitemaps")) {
      const auto& m = member(j, "sitemaps", vt::object);
      s.reading_sitemaps = true;
      s.sitemaps = {count_of(m, "files"), count_of(m, "failed"), count_of(m, "urls"), count_of(m, "queued")};
    }
    s.bytes = count_of(j, "bytes");
    s.words = count_of(j, "words");
    s.distinct_words_known = !j.contains("distinct_words") || !j["distinct_words"].is_null();
    if (s.distinct_words_known) s.distinct_words = count_of(j, "distinct_words");
    s.retries = count_of(j, "retries");
    double wall = real_of(j, "wall_s");
    if (!(wall >= 0 && wall < 1e9)) throw malformed_summary("\"wall_s\" is out of range");
    s.wall = std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(wall));
    auto sketch_text = member(j, "latency_ms_sketch", vt::string).get<std::string>();
    auto bytes = pipeline::from_base64(sketch_text);
    auto sketch = bytes ? pipeline::quantile_sketch::deserialize(*bytes) : std::nullopt;
    if (!sketch) throw malformed_summary("\"latency_ms_sketch\" is malformed");
    s.latency_ms = std::move(*sketch);
    auto parts = pipeline::parts_from_json(j.contains("parts") ? j["parts"] : pipeline::json(), error);
    if (!parts) return std::nullopt;
    s.parts = std::move(*parts);
    return s;
  } catch (const malformed_summary& e) {
    error = e.what();
    return std::nullopt;
  } catch (const pipeline::json::exception& e) {  // a check above missed: still a refusal, not a crash
    error = std::string("a member is of the wrong type (") + e.what() + ")";
    return std::nullopt;
  }
}

void merge_stats(run_stats& into, const run_stats& o) {
  into.lines_read += o.lines_read;
  into.bad_lines += o.bad_lines;
  into.duplicates += o.duplicates;
  into.other_shard += o.other_shard;
  into.ok += o.ok;
  into.failed += o.failed;
  into.skipped += o.skipped;
  into.unfinished += o.unfinished;
  into.bytes += o.bytes;
  into.words += o.words;
  into.retries += o.retries;
  into.unchanged += o.unchanged;
  into.resumed_done += o.resumed_done;
  into.resumed = into.resumed || o.resumed;
  into.deadline_reached = into.deadline_reached || o.deadline_reached;
  into.interrupted = into.interrupted || o.interrupted;
  add_counts(into.failed_by_reason, o.failed_by_reason);
  add_counts(into.skipped_by_reason, o.skipped_by_reason);
  add_counts(into.status_codes, o.status_codes);
  into.following = into.following || o.following;
  into.links_found += o.links_found;
  into.links_queued += o.links_queued;
  into.noindex_pages += o.noindex_pages;
  add_counts(into.links_not_followed, o.links_not_followed);
  into.reading_sitemaps = into.reading_sitemaps || o.reading_sitemaps;
  into.sitemaps.files += o.sitemaps.files;
  into.sitemaps.failed += o.sitemaps.failed;
  into.sitemaps.urls += o.sitemaps.urls;
  into.sitemaps.queued += o.sitemaps.queued;
  for (const auto& [host, f] : o.hosts) {
    auto& h = into.hosts[host];
    h.pages += f.pages;
    h.errors += f.errors;
    h.latency_ms_sum += f.latency_ms_sum;
    h.timed += f.timed;
    h.gap_s = std::max(h.gap_s, f.gap_s);
  }
  into.back_offs += o.back_offs;
  into.latency_ms.merge(o.latency_ms);
  into.wall = std::max(into.wall, o.wall);
  into.exit_status = worse(into.exit_status, o.exit_status);
  into.parts.insert(into.parts.end(), o.parts.begin(), o.parts.end());
  into.distinct_words_known = false;  // the caller knows it only from the merged word counts
}

}  // namespace crawl::app

