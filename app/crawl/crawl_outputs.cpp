#include "crawl_outputs.hpp"

#include "diagnostics.hpp"
#include "run_identity.hpp"
#include "word_count_result.hpp"

#include "crawl/pipeline/json.hpp"

namespace crawl::app {

bool crawl_outputs::open() { return open_output(s_.results, results_) && outputs_.open(); }

void crawl_outputs::write_result(const crawler::scheduled_url& scheduled, const crawler::fetch_result& r,
                                 std::uint64_t words, std::chrono::steady_clock::duration elapsed, const char* note) {
  if (!results_.is_open()) return;
  using pipeline::append_member;
  const crawler::normalized_url& url = scheduled.url;
  pipeline::json j = pipeline::json::object();
  append_member(j, "url", url.url);
  append_member(j, "final_url", r.final_url);
  append_member(j, "status", r.http_status);
  append_member(j, "content_type", r.content_type);
  append_member(j, "bytes", r.bytes);
  append_member(j, "words", words);
  append_member(j, "ms", std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count());
  append_member(j, "attempts", r.attempts);
  if (r.attempts > 0) append_member(j, "fetched_at", utc_timestamp(std::chrono::system_clock::now()));
  else append_member(j, "fetched_at", nullptr);
  if (s_.follow) {
    append_member(j, "depth", scheduled.depth);
    append_member(j, "referrer", pipeline::text_or_null(scheduled.referrer));
    append_member(j, "discovered_from", pipeline::text_or_null(scheduled.via));
  }
  if (r.status == crawler::fetch_status::skipped) append_member(j, "skipped", note ? "binary" : r.reason);
  else append_member(j, "skipped", nullptr);
  if (note) append_member(j, "error", note);
  else if (r.error.empty()) append_member(j, "error", nullptr);
  else append_member(j, "error", r.error);
  results_.write(pipeline::dump_json(j) + "\n");
}

bool crawl_outputs::write_counts(const pipeline::word_counts& totals) {
  bool written = commit_output(results_);
  return outputs_.deliver(word_count_result(totals)) && written;
}

bool crawl_outputs::write_summary(const run_stats& stats) {
  return outputs_.summarize(format_summary_json(stats), format_summary_text(stats));
}

void crawl_outputs::write_failed_start(const config::crawl_settings& s, const std::string& run_id, int status) {
  run_stats failed_start;
  failed_start.exit_status = status;
  failed_start.parts = {part_of(s.shard, run_id)};
  command_outputs::summarize_failed_start(s, format_summary_json(failed_start));
}

}  // namespace crawl::app
