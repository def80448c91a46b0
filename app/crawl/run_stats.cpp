#include "run_stats.hpp"

#include "crawl/pipeline/base64.hpp"
#include "crawl/pipeline/json.hpp"

#include <algorithm>
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
  if (s.shard_count > 1)
    out += "  shard " + std::to_string(s.shard_index) + " of " + std::to_string(s.shard_count) + " (run " + s.run_id +
           "): " + std::to_string(s.other_shard) + " lines of other shards' hosts left to them\n";
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
  append_member(j, "distinct_words", s.distinct_words);
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
  pipeline::json part = pipeline::json::object();
  append_member(part, "run_id", s.run_id);
  append_member(part, "shard", s.shard_index);
  append_member(part, "shards", s.shard_count);
  append_member(j, "parts", pipeline::json::array({std::move(part)}));
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

}  // namespace crawl::app

