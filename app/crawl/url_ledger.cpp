#include "url_ledger.hpp"

#include "diagnostics.hpp"

#include "crawl/pipeline/count_output.hpp"
#include "crawl/storage/decoder.hpp"

#include <ctime>
#include <map>

namespace crawl::app {

using clock = std::chrono::steady_clock;

void url_ledger::count_lines(const crawler::url_batch& batch) {
  // A shard's lines are its own: those of other shards' hosts are counted
  // apart, so the shards' summaries add up to one run's.
  stats_.lines_read += batch.lines.size() + batch.duplicates;
  stats_.duplicates += batch.duplicates;
  stats_.other_shard += batch.other_shard;
  for (const auto& line : batch.lines) {
    if (line.url) continue;
    ++stats_.bad_lines;
    const std::string& source = batch.source < sources_.size() ? sources_[batch.source] : sources_.back();
    if (line.line_no == 0)  // a URL given on the command line
      log_line("error", source + ": " + line.error, {{"url", source}});
    else
      log_line("error", source + ":" + std::to_string(line.line_no) + ": " + line.error,
               {{"file", source}, {"line", line.line_no}});
  }
}

void url_ledger::archive(const crawler::normalized_url& url, crawler::fetch_result& r) {
  if (targets_.warc && r.status == crawler::fetch_status::ok && !r.raw_response.empty()) {
    std::string error;
    if (!targets_.warc->write_exchange(r.final_url.empty() ? url.url : r.final_url, r.raw_request, r.raw_response,
                                       error) &&
        !warc_failed_) {
      warc_failed_ = true;
      log_line("error", error);
    }
  }
  std::string().swap(r.raw_request);
  std::string().swap(r.raw_response);
}

page_outcome url_ledger::reuse(const storage::page_record& stored) {
  if (!stored.failed && !stored.counts.empty()) {
    std::string text;
    if (!storage::zstd_decompress(stored.counts, text) || !pipeline::parse_counts(text, restored_))
      log_line("error", s_.state + ": the stored counts of " + stored.url + " are damaged; use --refresh",
               {{"url", stored.url}});
  }
  page_outcome outcome;
  outcome.words = stored.words;
  outcome.counts = stored.counts;
  outcome.content_hash = stored.content_hash;
  return outcome;
}

// Committed at once, so a run killed after this point never fetches it
// again. When the state cannot be written (a full disk), the run stops:
// what it fetched could not be remembered.
bool url_ledger::remember(const crawler::normalized_url& url, const crawler::fetch_result& r,
                         const page_outcome& outcome) {
  if (!targets_.state || r.status == crawler::fetch_status::interrupted || state_failed_) return true;
  storage::page_record rec;
  rec.url = url.url;
  rec.etag = r.etag;
  rec.last_modified = r.last_modified;
  rec.status = r.status == crawler::fetch_status::not_modified ? 200 : r.http_status;
  rec.content_hash = outcome.content_hash;
  rec.fetched_at = static_cast<std::int64_t>(std::time(nullptr));
  rec.words = outcome.words;
  rec.counts = outcome.counts;
  rec.failed = r.status == crawler::fetch_status::failed;
  std::string error;
  if (targets_.state->put(rec, error)) return true;
  state_write_failed(error);
  return false;
}

void url_ledger::state_write_failed(const std::string& error) {
  state_failed_ = true;
  log_line("error", error + "; stopping: no new transfers start", {{"file", s_.state}});
}

void url_ledger::record_skipped_link(const skipped_link& link) {
  static const std::map<std::string, std::string> why = {
      {"scope", "not followed: outside the scope"},
      {"not-included", "not followed: matches no --include"},
      {"excluded", "not followed: matches --exclude"},
      {"depth", "not followed: deeper than --depth"},
      {"nofollow", "not followed: nofollow"},
  };
  crawler::scheduled_url url;
  url.url.url = link.url;
  url.depth = link.depth;
  url.referrer = link.referrer;
  url.via = "link";
  crawler::fetch_result r;
  r.status = crawler::fetch_status::skipped;
  r.reason = link.reason;
  auto it = why.find(link.reason);
  r.error = it != why.end() ? it->second : "not followed";
  targets_.outputs.write_result(url, r, 0, clock::duration::zero(), nullptr);
}

void url_ledger::record(const crawler::scheduled_url& scheduled, const crawler::fetch_result& r, clock::duration elapsed,
                       const page_outcome& outcome) {
  const crawler::normalized_url& url = scheduled.url;
  if (outcome.noindex) ++stats_.noindex_pages;
  using crawler::fetch_status;
  if (r.status == fetch_status::interrupted) {
    ++stats_.unfinished;
    return;
  }
  stats_.retries += r.attempts > 1 ? static_cast<std::uint64_t>(r.attempts - 1) : 0;
  run_stats::host_figures* host = nullptr;
  if (auto it = stats_.hosts.find(url.host); it != stats_.hosts.end()) host = &it->second;
  else if (stats_.hosts.size() < run_stats::max_tracked_hosts) host = &stats_.hosts[url.host];
  if (r.http_status > 0) ++stats_.status_codes[r.http_status];
  const char* note = nullptr;
  if (r.status == fetch_status::ok && outcome.kind == pipeline::content_kind::other) {
    note = "skipped: the body looks binary";
    ++stats_.skipped;
    ++stats_.skipped_by_reason["binary"];
  } else if (r.status == fetch_status::ok || r.status == fetch_status::not_modified) {
    ++stats_.ok;
    if (r.status == fetch_status::not_modified) ++stats_.unchanged;
    stats_.bytes += r.bytes;
    double ms = std::chrono::duration<double, std::milli>(elapsed).count();
    if (r.attempts > 0) stats_.latency_ms.add(ms);  // not for pages taken from the state without a request
    if (host) {
      ++host->pages;
      if (r.attempts > 0) host->latency_ms_sum += ms, ++host->timed;
    }
  } else if (r.status == fetch_status::skipped) {
    ++stats_.skipped;
    ++stats_.skipped_by_reason[r.reason];
  } else {
    ++stats_.failed;
    ++stats_.failed_by_reason[r.reason];
    if (host) ++host->errors;
    // Errors are shown even with -q: -q removes progress and the summary only.
    log_line("error", url.url + ": " + r.error, {{"url", url.url}, {"reason", r.reason}});
  }
  targets_.outputs.write_result(scheduled, r, outcome.words, elapsed, note);
}

}  // namespace crawl::app
