#include "run_stats.hpp"

#include "crawl/pipeline/count_output.hpp"

#include <bit>
#include <cstdio>

namespace crawl::app {

std::size_t latency_histogram::bucket_of(std::uint64_t us) {
  if (us < sub_buckets) return us;
  int power = std::bit_width(us) - 1;  // us >= 2^power
  int shift = power - 4;               // keep the top 5 bits: 16 steps per power
  std::size_t sub = (us >> shift) - sub_buckets;
  std::size_t bucket = static_cast<std::size_t>(power - 3) * sub_buckets + sub;
  return std::min(bucket, static_cast<std::size_t>(sub_buckets * powers - 1));
}

std::uint64_t latency_histogram::upper_bound_of(std::size_t bucket) {
  if (bucket < sub_buckets) return bucket;
  std::size_t power = bucket / sub_buckets + 3;
  std::size_t sub = bucket % sub_buckets;
  return ((sub_buckets + sub + 1) << (power - 4)) - 1;
}

void latency_histogram::add(std::chrono::microseconds value) {
  auto us = static_cast<std::uint64_t>(std::max<std::int64_t>(0, value.count()));
  ++buckets_[bucket_of(us)];
  ++count_;
}

std::chrono::microseconds latency_histogram::quantile(double q) const {
  if (count_ == 0) return std::chrono::microseconds(0);
  auto rank = static_cast<std::uint64_t>(q * static_cast<double>(count_) + 0.999999);
  rank = std::max<std::uint64_t>(1, std::min(rank, count_));
  std::uint64_t seen = 0;
  for (std::size_t b = 0; b < buckets_.size(); ++b) {
    seen += buckets_[b];
    if (seen >= rank) return std::chrono::microseconds(upper_bound_of(b));
  }
  return std::chrono::microseconds(upper_bound_of(buckets_.size() - 1));
}

namespace {

double seconds(std::chrono::steady_clock::duration d) { return std::chrono::duration<double>(d).count(); }
double ms(std::chrono::microseconds us) { return static_cast<double>(us.count()) / 1000.0; }

std::string join_counts(const std::map<std::string, std::uint64_t>& m) {
  std::string out;
  for (const auto& [k, v] : m) out += (out.empty() ? "" : ", ") + k + " " + std::to_string(v);
  return out;
}

template <class Map>
void append_json_map(std::string& out, const Map& m) {
  out += "{";
  bool first = true;
  for (const auto& [k, v] : m) {
    out += first ? "" : ", ";
    first = false;
    if constexpr (std::is_same_v<typename Map::key_type, std::string>) pipeline::append_json_string(out, k);
    else out += "\"" + std::to_string(k) + "\"";
    out += ": " + std::to_string(v);
  }
  out += "}";
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
  if (s.unchanged) out += "  unchanged since the last run (304): " + std::to_string(s.unchanged) + "\n";
  if (s.resumed)
    out += "  resumed an interrupted run: " + std::to_string(s.resumed_done) + " URLs were already done, " +
           std::to_string(s.done() - s.resumed_done) + " done now\n";
  if (s.deadline_reached) out += "  stopped at --deadline\n";
  if (!s.failed_by_reason.empty()) out += "  failed: " + join_counts(s.failed_by_reason) + "\n";
  if (!s.skipped_by_reason.empty()) out += "  skipped: " + join_counts(s.skipped_by_reason) + "\n";
  if (!s.status_codes.empty()) {
    out += "  status:";
    for (const auto& [code, n] : s.status_codes) out += " " + std::to_string(code) + "=" + std::to_string(n);
    out += "\n";
  }
  std::snprintf(buf, sizeof buf,
                "  %llu words (%llu distinct), %.1f MB in %.2f s: %.0f pages/s, %.1f MB/s\n"
                "  latency p50 %.1f ms, p90 %.1f ms, p99 %.1f ms; %llu retries\n",
                static_cast<unsigned long long>(s.words), static_cast<unsigned long long>(s.distinct_words),
                static_cast<double>(s.bytes) / 1e6, wall, rate, mbps, ms(s.latency.quantile(0.5)),
                ms(s.latency.quantile(0.9)), ms(s.latency.quantile(0.99)),
                static_cast<unsigned long long>(s.retries));
  out += buf;
  return out;
}

std::string format_summary_json(const run_stats& s) {
  double wall = seconds(s.wall);
  auto num = [](double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.3f", v);
    return std::string(buf);
  };
  std::string out = "{\n";
  auto field = [&](const char* name, const std::string& value) { out += "  \"" + std::string(name) + "\": " + value + ",\n"; };
  auto u = [](std::uint64_t v) { return std::to_string(v); };
  field("exit_status", std::to_string(s.exit_status));
  field("interrupted", s.interrupted ? "true" : "false");
  field("lines", u(s.lines_read));
  field("ok", u(s.ok));
  field("failed", u(s.failed));
  field("skipped", u(s.skipped));
  field("bad_lines", u(s.bad_lines));
  field("duplicates", u(s.duplicates));
  field("unfinished", u(s.unfinished));
  field("unchanged", u(s.unchanged));
  field("resumed", s.resumed ? "true" : "false");
  field("resumed_done", u(s.resumed_done));
  field("deadline_reached", s.deadline_reached ? "true" : "false");
  std::string m;
  append_json_map(m, s.failed_by_reason);
  field("failed_by_reason", m);
  m.clear();
  append_json_map(m, s.skipped_by_reason);
  field("skipped_by_reason", m);
  m.clear();
  append_json_map(m, s.status_codes);
  field("status_codes", m);
  field("bytes", u(s.bytes));
  field("words", u(s.words));
  field("distinct_words", u(s.distinct_words));
  field("retries", u(s.retries));
  field("pages_per_s", num(wall > 0 ? static_cast<double>(s.done()) / wall : 0));
  field("mb_per_s", num(wall > 0 ? static_cast<double>(s.bytes) / 1e6 / wall : 0));
  field("latency_ms_p50", num(ms(s.latency.quantile(0.5))));
  field("latency_ms_p90", num(ms(s.latency.quantile(0.9))));
  field("latency_ms_p99", num(ms(s.latency.quantile(0.99))));
  out += "  \"wall_s\": " + num(wall) + "\n}\n";
  return out;
}

}  // namespace crawl::app
