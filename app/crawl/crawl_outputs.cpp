#include "crawl_outputs.hpp"

#include "diagnostics.hpp"

#include "crawl/pipeline/count_output.hpp"
#include "crawl/pipeline/json.hpp"


#include <cstdio>

namespace crawl::app {

namespace {

bool open_output(const std::string& path, storage::atomic_file& file) {
  if (path.empty()) return true;
  std::string error;
  if (file.open(path, error)) return true;
  log_line("error", error);
  return false;
}

bool commit_output(storage::atomic_file& file) {
  if (!file.is_open()) return true;
  std::string error;
  if (file.commit(error)) return true;
  log_line("error", error);
  return false;
}

}  // namespace

bool crawl_outputs::open() {
  return open_output(s_.results, results_) && open_output(s_.output, counts_) && open_output(s_.summary, summary_);
}

void crawl_outputs::write_result(const crawler::normalized_url& url, const crawler::fetch_result& r,
                                 std::uint64_t words, std::chrono::steady_clock::duration elapsed, const char* note) {
  if (!results_.is_open()) return;
  using pipeline::append_member;
  pipeline::json j = pipeline::json::object();
  append_member(j, "url", url.url);
  append_member(j, "final_url", r.final_url);
  append_member(j, "status", r.http_status);
  append_member(j, "content_type", r.content_type);
  append_member(j, "bytes", r.bytes);
  append_member(j, "words", words);
  append_member(j, "ms", std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count());
  append_member(j, "attempts", r.attempts);
  if (note) append_member(j, "error", note);
  else if (r.error.empty()) append_member(j, "error", nullptr);
  else append_member(j, "error", r.error);
  results_.write(pipeline::dump_json(j) + "\n");
}

bool crawl_outputs::write_counts(const pipeline::word_counts& totals) {
  bool written = true;
  if (counts_.is_open()) {
    auto format = pipeline::format_for_path(s_.output).value_or(pipeline::count_format::tsv);
    pipeline::write_counts(format, pipeline::ranked(totals), [&](std::string_view piece) { counts_.write(piece); });
    written = commit_output(counts_);
  }
  written = commit_output(results_) && written;
  if (s_.top > 0)
    std::fputs(pipeline::format_top_table(pipeline::top(totals, s_.top), totals.total()).c_str(), stdout);
  std::fflush(stdout);
  return written;
}

bool crawl_outputs::write_summary(const run_stats& stats) {
  if (!s_.quiet)
    std::fputs((current_log_format() == log_format::json ? format_summary_json(stats) : format_summary_text(stats)).c_str(),
               stderr);
  if (!summary_.is_open()) return true;
  summary_.write(format_summary_json(stats));
  return commit_output(summary_);
}

void crawl_outputs::write_failed_start(const config::crawl_settings& s, int status) {
  if (s.summary.empty()) return;
  run_stats failed_start;
  failed_start.exit_status = status;
  storage::atomic_file file;
  std::string ignored;
  if (file.open(s.summary, ignored)) {
    file.write(format_summary_json(failed_start));
    file.commit(ignored);
  }
}

}  // namespace crawl::app
