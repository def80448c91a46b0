#include "count_command.hpp"

#include "command_inputs.hpp"
#include "command_outputs.hpp"
#include "diagnostics.hpp"
#include "word_count_result.hpp"

#include "crawl/pipeline/document.hpp"
#include "crawl/pipeline/json.hpp"
#include "crawl/storage/decoded_source.hpp"
#include "crawl/storage/warc.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>
#include <vector>

namespace crawl::app {
namespace {

bool ends_with(const std::string& s, const char* suffix) {
  std::size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

// Counts the responses of an archive as `crawl` counted them when it wrote
// it: 2xx, text types, decoded, within --max-size. A damaged record is an
// error naming the file and byte offset; the records after it still count.
bool count_warc(const std::string& path, const config::count_settings& s,
                const std::shared_ptr<const pipeline::token_rules>& rules, pipeline::word_counts& totals,
                std::uint64_t& pages, std::vector<std::string>& errors) {
  std::string error;
  // A response crawl archived is at most --max-size of body plus 1 MiB of head and framing.
  auto reader = storage::warc_reader::open(path, error, s.max_size + (1u << 20));
  if (!reader) {
    errors.push_back(error);
    return false;
  }
  bool clean = true;
  storage::warc_record record;
  for (;;) {
    if (!reader->next(record, error)) {
      if (error.empty()) break;
      errors.push_back(error);
      error.clear();
      clean = false;
      continue;
    }
    if (record.type() != "response") continue;
    storage::http_response response;
    std::string problem;
    if (!storage::decode_http_response(record.block, s.max_size, response, problem)) continue;
    if (response.status < 200 || response.status > 299) continue;
    auto kind = pipeline::classify_content_type(response.content_type);
    if (kind == pipeline::content_kind::other) continue;
    pipeline::document doc(kind, pipeline::charset_from_content_type(response.content_type), rules);
    doc.use_dictionary(totals);
    doc.feed(response.body);
    doc.finish();
    if (doc.kind() == pipeline::content_kind::other) continue;
    doc.commit();
    ++pages;
  }
  return clean;
}

// A local HTML or text file (gzip or zstd compressed ones too), or standard input.
bool count_file(const std::string& path, const std::shared_ptr<const pipeline::token_rules>& rules,
                pipeline::word_counts& totals, std::vector<std::string>& errors) {
  int fd = path == "-" ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    errors.push_back(path + ": " + std::strerror(errno));
    return false;
  }
  auto kind = ends_with(path, ".html") || ends_with(path, ".htm") || ends_with(path, ".xhtml")
                  ? pipeline::content_kind::html
                  : pipeline::content_kind::unknown;
  pipeline::document doc(kind, "", rules);
  doc.use_dictionary(totals);
  std::string error;
  // A local file is counted whatever happens later, so its words go to the
  // totals piece by piece once its kind is known: memory stays flat however
  // large the file (a 100 MB text held 4 bytes a word until the end).
  bool ok = storage::read_decoded(fd, path, [&](std::string_view piece) {
    doc.feed(piece);
    if (doc.kind() == pipeline::content_kind::html || doc.kind() == pipeline::content_kind::text) doc.commit();
    return true;
  }, error);
  if (fd != STDIN_FILENO) ::close(fd);
  doc.finish();
  if (doc.kind() != pipeline::content_kind::other) doc.commit();
  if (!ok) errors.push_back(error);
  return ok;
}

// What one file gave.
struct file_count {
  std::uint64_t pages = 0;
  std::uint64_t words = 0;
  bool ok = true;
  std::vector<std::string> errors;
};

// Counts the files on `threads` threads, each into its own totals, merged
// at the end; the results of each file stay in input order.
std::vector<file_count> count_files(const std::vector<std::string>& files, const config::count_settings& s,
                                    const std::shared_ptr<const pipeline::token_rules>& rules,
                                    pipeline::word_counts& totals) {
  std::vector<file_count> results(files.size());
  std::atomic<std::size_t> next{0};
  unsigned threads = s.threads ? s.threads : std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::min<std::size_t>(threads, std::max<std::size_t>(files.size(), 1)));
  std::vector<pipeline::word_counts> partial(threads);
  auto work = [&](unsigned t) {
    for (std::size_t i; (i = next.fetch_add(1)) < files.size();) {
      file_count& r = results[i];
      std::uint64_t before = partial[t].total();
      if (storage::looks_like_warc(files[i])) {
        r.ok = count_warc(files[i], s, rules, partial[t], r.pages, r.errors);
      } else {
        r.ok = count_file(files[i], rules, partial[t], r.errors);
        r.pages = 1;
      }
      r.words = partial[t].total() - before;
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (auto& th : pool) th.join();
  for (auto& p : partial) totals.merge(p);
  return results;
}

std::string summary_json(int status, std::size_t files, std::size_t failed, std::uint64_t pages,
                         const pipeline::word_counts& totals, double seconds) {
  pipeline::json j = pipeline::json::object();
  pipeline::append_member(j, "exit_status", status);
  pipeline::append_member(j, "files", files);
  pipeline::append_member(j, "files_failed", failed);
  pipeline::append_member(j, "pages", pages);
  pipeline::append_member(j, "words", totals.total());
  pipeline::append_member(j, "distinct_words", totals.distinct());
  pipeline::append_member(j, "seconds", seconds);
  return pipeline::dump_json(j, 2) + "\n";
}

}  // namespace

int run_count(const config::count_settings& s) {
  auto start = std::chrono::steady_clock::now();
  auto rules = std::make_shared<const pipeline::token_rules>(pipeline::tokenizer_options{
      s.keep_numbers, s.token, s.segment_chars ? pipeline::segmentation::character : pipeline::segmentation::icu});
  if (!rules->error().empty()) {
    log_line("error", "--token: " + rules->error());
    return exit_status::usage;
  }
  std::vector<std::string> readable;
  std::size_t refused = 0;
  for (const auto& path : s.files) {
    if (std::string problem = unreadable(path); problem.empty()) {
      readable.push_back(path);
    } else {
      log_line("error", problem, {{"file", path}});
      ++refused;
    }
  }
  command_outputs outputs(s);
  if (readable.empty() || !outputs.open()) {
    pipeline::word_counts none;
    command_outputs::summarize_failed_start(s, summary_json(exit_status::usage, s.files.size(), refused, 0, none, 0));
    return exit_status::usage;
  }
  pipeline::word_counts totals;
  auto results = count_files(readable, s, rules, totals);
  std::uint64_t pages = 0;
  std::size_t failed = refused;
  for (std::size_t i = 0; i < results.size(); ++i) {
    for (const auto& e : results[i].errors) log_line("error", e, {{"file", readable[i]}});
    if (!results[i].ok) ++failed;
    pages += results[i].pages;
    if (s.verbose)
      log_line("info", readable[i] + ": " + std::to_string(results[i].pages) + " pages, " +
                           std::to_string(results[i].words) + " words",
               {{"file", readable[i]}, {"pages", results[i].pages}, {"words", results[i].words}});
  }
  bool written = outputs.deliver(word_count_result(totals));
  int status = failed ? exit_status::partial : exit_status::ok;
  if (!written) status = worse(status, exit_status::not_written);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  char text[256];
  std::snprintf(text, sizeof text, "count: %zu %s%s, %llu pages, %llu words (%zu distinct) in %.2f s\n",
                s.files.size(), s.files.size() == 1 ? "file" : "files", failed ? (" (" + std::to_string(failed) + " failed)").c_str() : "",
                static_cast<unsigned long long>(pages), static_cast<unsigned long long>(totals.total()),
                totals.distinct(), seconds);
  if (!outputs.summarize(summary_json(status, s.files.size(), failed, pages, totals, seconds), text))
    status = worse(status, exit_status::not_written);
  return status;
}

}  // namespace crawl::app
