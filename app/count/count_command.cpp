#include "count_command.hpp"

#include "crawl/pipeline/count_output.hpp"
#include "crawl/pipeline/document.hpp"
#include "crawl/pipeline/json.hpp"
#include "crawl/storage/atomic_file.hpp"
#include "crawl/storage/decoded_source.hpp"
#include "crawl/storage/warc.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
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

// A local HTML or text file (gzip or zstd compressed ones too).
bool count_file(const std::string& path, const std::shared_ptr<const pipeline::token_rules>& rules,
                pipeline::word_counts& totals, std::vector<std::string>& errors) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
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
  bool ok = storage::read_decoded(fd, path, [&](std::string_view piece) {
    doc.feed(piece);
    return true;
  }, error);
  ::close(fd);
  doc.finish();
  if (doc.kind() != pipeline::content_kind::other) doc.commit();
  if (!ok) errors.push_back(error);
  return ok;
}

}  // namespace

int run_count(const config::count_settings& s) {
  auto rules = std::make_shared<const pipeline::token_rules>(pipeline::tokenizer_options{s.keep_numbers, s.token});
  if (!rules->error().empty()) {
    std::fprintf(stderr, "crawl count: --token: %s\n", rules->error().c_str());
    return 2;
  }
  std::optional<pipeline::count_format> format;
  if (!s.output.empty() && !(format = pipeline::format_for_path(s.output))) {
    std::fprintf(stderr, "crawl count: --output: extension must be .tsv, .csv or .json\n");
    return 2;
  }
  pipeline::word_counts totals;
  bool failed = false;
  std::uint64_t pages = 0;
  for (const auto& path : s.files) {
    std::vector<std::string> errors;
    bool ok = storage::looks_like_warc(path) ? count_warc(path, s, rules, totals, pages, errors)
                                              : (++pages, count_file(path, rules, totals, errors));
    if (!ok) failed = true;
    for (const auto& e : errors) std::fprintf(stderr, "crawl count: %s\n", e.c_str());
  }
  if (format) {
    storage::atomic_file out;
    std::string error;
    if (out.open(s.output, error)) {
      pipeline::write_counts(*format, pipeline::ranked(totals), [&](std::string_view piece) { out.write(piece); });
      if (!out.commit(error)) failed = true;
    } else {
      failed = true;
    }
    if (!error.empty()) std::fprintf(stderr, "crawl count: %s\n", error.c_str());
  }
  if (s.top > 0) std::fputs(pipeline::format_top_table(pipeline::top(totals, s.top), totals.total()).c_str(), stdout);
  if (!s.quiet)
    std::fprintf(stderr, "count: %llu pages, %llu words (%zu distinct)\n", static_cast<unsigned long long>(pages),
                 static_cast<unsigned long long>(totals.total()), totals.distinct());
  int status = failed ? 1 : 0;
  if (!s.summary.empty()) {
    storage::atomic_file out;
    std::string error;
    pipeline::json summary = pipeline::json::object();
    pipeline::append_member(summary, "exit_status", status);
    pipeline::append_member(summary, "files", s.files.size());
    pipeline::append_member(summary, "pages", pages);
    pipeline::append_member(summary, "words", totals.total());
    pipeline::append_member(summary, "distinct_words", totals.distinct());
    std::string json = pipeline::dump_json(summary, 2) + "\n";
    if (!out.open(s.summary, error) || (out.write(json), !out.commit(error))) {
      std::fprintf(stderr, "crawl count: %s\n", error.c_str());
      status = 1;
    }
  }
  return status;
}

}  // namespace crawl::app
