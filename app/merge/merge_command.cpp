#include "merge_command.hpp"

#include "command_inputs.hpp"
#include "command_outputs.hpp"
#include "count_merge.hpp"
#include "crawl/run_stats.hpp"
#include "diagnostics.hpp"
#include "run_identity.hpp"
#include "tail/tail_output.hpp"

#include "crawl/crawler/shard.hpp"
#include "crawl/pipeline/count_input.hpp"
#include "crawl/pipeline/log_partial.hpp"
#include "crawl/pipeline/run_parts.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>

namespace crawl::app {
namespace {

enum class input_kind { counts, run_summary, tail_partial };

struct merge_input {
  std::string path;
  input_kind kind = input_kind::counts;
  pipeline::count_format format = pipeline::count_format::tsv;  // of counts
  std::string text;                                             // a summary's or partial's whole text
  std::uint64_t size = 0;
};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The "format" member of our JSON documents, found in the first bytes
// whatever the order of members (a summary passed through jq sorts them):
// `"format": "crawl-run-summary"` can only be that member, as a count's
// value is a number.
std::optional<input_kind> tagged_kind(std::string_view head) {
  constexpr std::string_view key = "\"format\"";
  for (auto at = head.find(key); at != std::string_view::npos; at = head.find(key, at + 1)) {
    std::size_t i = at + key.size();
    auto skip = [&] {
      while (i < head.size() && std::isspace(static_cast<unsigned char>(head[i]))) ++i;
    };
    skip();
    if (i >= head.size() || head[i] != ':') continue;
    ++i;
    skip();
    if (head.substr(i).starts_with("\"crawl-run-summary\"")) return input_kind::run_summary;
    if (head.substr(i).starts_with("\"crawl-tail-partial\"")) return input_kind::tail_partial;
  }
  return std::nullopt;
}

// What an input holds, from its name and first bytes; an error naming it otherwise.
bool classify(merge_input& in, std::string& error) {
  std::string name = lower(in.path);
  if (in.path == "-" || name.ends_with(".tsv")) return in.format = pipeline::count_format::tsv, true;
  if (name.ends_with(".csv")) return in.format = pipeline::count_format::csv, true;
  std::ifstream file(in.path, std::ios::binary);
  std::string head(64 * 1024, '\0');
  file.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(file.gcount()));
  if (auto kind = tagged_kind(head)) {  // the head read, then the rest of the file
    in.kind = *kind;
    in.text = std::move(head);
    in.text.append(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
    return true;
  }
  if (name.ends_with(".json")) return in.format = pipeline::count_format::json, true;
  error = in.path + ": not word counts (.tsv, .csv, .json), a crawl run summary or crawl tail partial results";
  return false;
}

// The same file given twice, by path or as another name of one file.
bool same_files(const std::vector<merge_input>& inputs, std::vector<std::string>& errors) {
  std::map<std::pair<dev_t, ino_t>, std::string> seen;
  for (const auto& in : inputs) {
    struct stat st {};
    if (in.path == "-" || ::stat(in.path.c_str(), &st) != 0) continue;
    auto [it, fresh] = seen.try_emplace({st.st_dev, st.st_ino}, in.path);
    if (!fresh) errors.push_back(it->second + " and " + in.path + " are the same file: each input is merged once");
  }
  return errors.empty();
}

// Inputs with the same contents (a copy of a shard's output).
class content_ids {
 public:
  void add(const std::string& path, std::uint64_t hash, std::vector<std::string>& errors) {
    auto [it, fresh] = seen_.try_emplace(hash, path);
    if (!fresh) errors.push_back(it->second + " and " + path + " have the same contents: each input is merged once");
  }

 private:
  std::map<std::uint64_t, std::string> seen_;
};

// Word counts as a result: the top rows for people, every row in a file.
class merged_counts_result : public result {
 public:
  explicit merged_counts_result(const count_merge& counts) : counts_(counts) {}
  void render(config::result_format format, std::size_t top, const piece_sink& out) const override {
    if (format == config::result_format::table) {
      std::vector<std::string> words;
      std::vector<pipeline::word_count> rows;
      counts_.for_each_ranked([&](std::string_view w, std::uint64_t n) {
        if (rows.size() >= top) return false;
        words.emplace_back(w);
        rows.push_back({{}, n});
        return true;
      });
      for (std::size_t i = 0; i < rows.size(); ++i) rows[i].word = words[i];
      return out(pipeline::format_top_table(rows, counts_.total()));
    }
    auto f = format == config::result_format::csv    ? pipeline::count_format::csv
             : format == config::result_format::json ? pipeline::count_format::json
                                                     : pipeline::count_format::tsv;
    pipeline::count_writer writer(f, out);
    counts_.for_each_ranked([&](std::string_view w, std::uint64_t n) {
      writer.add(w, n);
      return true;
    });
    writer.finish();
  }

 private:
  const count_merge& counts_;
};

// A stream buffer that reads from another and hashes every byte it passes
// on (FNV-1a, 64 bits: enough to tell a copy of a file from another file).
class hashing_buf : public std::streambuf {
 public:
  explicit hashing_buf(std::streambuf* source) : source_(source), buf_(1 << 16) {}
  std::uint64_t hash() const { return hash_; }

 protected:
  int_type underflow() override {
    std::streamsize got = source_->sgetn(buf_.data(), static_cast<std::streamsize>(buf_.size()));
    if (got <= 0) return traits_type::eof();
    for (std::streamsize i = 0; i < got; ++i) hash_ = (hash_ ^ static_cast<unsigned char>(buf_[i])) * 1099511628211ull;
    setg(buf_.data(), buf_.data(), buf_.data() + got);
    return traits_type::to_int_type(buf_[0]);
  }

 private:
  std::streambuf* source_;
  std::vector<char> buf_;
  std::uint64_t hash_ = 14695981039346656037ull;
};

bool read_count_file(const merge_input& in, count_merge& merge, content_ids& ids, std::vector<std::string>& errors) {
  std::ifstream file;
  std::streambuf* source = std::cin.rdbuf();
  if (in.path != "-") {
    file.open(in.path, std::ios::binary);
    source = file.rdbuf();
  }
  hashing_buf hashing(source);
  std::istream stream(&hashing);
  std::string error, merge_error;
  bool ok = pipeline::read_counts(stream, in.format,
                                  [&](std::string_view word, std::uint64_t n) {
                                    if (merge_error.empty()) merge.add(word, n, merge_error);
                                  },
                                  error);
  if (!merge_error.empty()) return errors.push_back(in.path + ": " + merge_error), false;
  if (!ok) return errors.push_back(in.path + ": " + error), false;
  ids.add(in.path, hashing.hash(), errors);
  return true;
}

std::string merge_summary_json(int status, std::size_t files, const count_merge* counts, double seconds) {
  pipeline::json j = pipeline::json::object();
  pipeline::append_member(j, "exit_status", status);
  pipeline::append_member(j, "files", files);
  if (counts) {
    pipeline::append_member(j, "words", counts->total());
    pipeline::append_member(j, "distinct_words", counts->distinct());
    pipeline::append_member(j, "temporary_runs", counts->runs_written());
  }
  pipeline::append_member(j, "wall_s", std::round(seconds * 1000.0) / 1000.0);
  return pipeline::dump_json(j, 2) + "\n";
}

// A missing or incomplete part: an error that stops the merge, or with
// --allow-missing a warning saying how it was merged.
void report_incomplete(const std::string& what, bool allow_missing, const char* merged_how) {
  if (allow_missing) log_line("warning", what + " (" + merged_how + ": --allow-missing)");
  else log_line("error", what + "; nothing was written (--allow-missing merges what there is)");
}

// Every part once; missing parts stop the merge unless allowed.
int check_coverage(const std::vector<pipeline::covered_input>& covered, bool allow_missing) {
  auto report = pipeline::check_parts(covered);
  for (const auto& c : report.conflicts) log_line("error", c);
  if (!report.conflicts.empty()) return exit_status::usage;
  for (const auto& m : report.missing) report_incomplete(m, allow_missing, "merged without them");
  if (!report.missing.empty() && !allow_missing) return exit_status::partial;
  return exit_status::ok;
}

// A run that ended early (interrupted, an output not written, never started)
// counted only part of its share: as good as missing.
int check_complete(const std::vector<run_stats>& summaries, const std::vector<pipeline::covered_input>& cover,
                   bool allow_missing) {
  bool incomplete = false;
  for (std::size_t i = 0; i < summaries.size(); ++i) {
    int status = summaries[i].exit_status;
    if (status == exit_status::ok || status == exit_status::partial) continue;
    incomplete = true;
    report_incomplete(cover[i].name + ": the run ended with exit status " + std::to_string(status) +
                          (summaries[i].interrupted ? " (interrupted)" : "") + ": its counts are not complete",
                      allow_missing, "merged as they are");
  }
  return incomplete && !allow_missing ? exit_status::partial : exit_status::ok;
}

// The inputs, sorted by kind; summaries and partial results read whole
// (they are small) and checked before any work.
struct merge_inputs {
  std::vector<merge_input> all;
  std::vector<run_stats> summaries;
  std::vector<pipeline::covered_input> summary_cover;
  std::vector<pipeline::partial_result> partials;
  std::vector<pipeline::covered_input> partial_cover;
  std::vector<std::string> partial_names;
  std::size_t count_files = 0;
  std::size_t largest_count_file = 0;  // bytes
};

merge_inputs read_inputs(const config::merge_settings& s, content_ids& ids, std::vector<std::string>& errors) {
  merge_inputs m;
  for (const auto& path : s.inputs) {
    if (std::string problem = unreadable(path); !problem.empty()) {
      errors.push_back(problem);
      continue;
    }
    merge_input in;
    in.path = path;
    std::string error;
    if (!classify(in, error)) errors.push_back(error);
    else m.all.push_back(std::move(in));
  }
  same_files(m.all, errors);
  for (const auto& in : m.all) {
    std::string error;
    if (in.kind == input_kind::counts) {
      ++m.count_files;
      struct stat st {};
      if (in.path != "-" && ::stat(in.path.c_str(), &st) == 0)
        m.largest_count_file = std::max(m.largest_count_file, static_cast<std::size_t>(st.st_size));
      continue;
    }
    ids.add(in.path, crawler::stable_hash(in.text), errors);
    if (in.kind == input_kind::run_summary) {
      auto stats = parse_summary_json(in.text, error);
      if (!stats) {
        errors.push_back(in.path + ": " + error);
        continue;
      }
      m.summary_cover.push_back({in.path, stats->parts});
      m.summaries.push_back(std::move(*stats));
    } else {
      auto partial = pipeline::parse_partial(in.text, error);
      if (!partial) {
        errors.push_back(in.path + ": " + error);
        continue;
      }
      m.partial_cover.push_back({in.path, partial->parts});
      m.partials.push_back(std::move(*partial));
      m.partial_names.push_back(in.path);
    }
  }
  return m;
}

bool same_question(const pipeline::query_options& a, const pipeline::query_options& b) {
  auto same = [](const pipeline::aggregate_spec& x, const pipeline::aggregate_spec& y) {
    return x.kind == y.kind && x.field == y.field && x.q == y.q;
  };
  return a.by == b.by && a.per == b.per && a.tz_offset == b.tz_offset && a.max_groups == b.max_groups &&
         std::equal(a.aggregates.begin(), a.aggregates.end(), b.aggregates.begin(), b.aggregates.end(), same);
}

// What cannot be merged, or written, as asked.
void check_request(const config::merge_settings& s, const merge_inputs& m, std::vector<std::string>& errors) {
  if (m.count_files > 0 && !m.partials.empty())
    errors.push_back("word counts and crawl tail partial results are merged separately (partial results carry "
                     "their own words)");
  for (std::size_t i = 1; i < m.partials.size(); ++i)
    if (!same_question(m.partials[i].query, m.partials[0].query))
      errors.push_back(m.partial_names[0] + " and " + m.partial_names[i] +
                       " answer different questions (--by, --per, --tz or aggregates): they cannot be merged");
  if (m.count_files == 0 && m.partials.empty() && !s.output.empty())
    errors.push_back("-o " + s.output + ": there are no word counts or partial results to write");
  if (m.partials.empty() && !s.summary_state.empty())
    errors.push_back("--summary-state " + s.summary_state + ": there are no crawl tail partial results to write");
  if (m.all.empty() && errors.empty()) errors.push_back("nothing to merge");
}

// crawl tail partial results: one summary, printed as crawl tail prints it,
// and written again as partial results with --summary-state.
bool deliver_partials(const config::merge_settings& s, const merge_inputs& m, command_outputs& outputs,
                      storage::atomic_file& partial_file) {
  pipeline::log_summary total;
  std::vector<pipeline::run_part> parts;
  for (const auto& p : m.partials) {
    total.merge(p.summary);
    parts.insert(parts.end(), p.parts.begin(), p.parts.end());
  }
  config::tail_settings view;
  view.sort = s.sort;
  std::vector<pipeline::log_summary> none;
  bool written = outputs.deliver(log_result(view, total, m.partial_names, none, m.partials[0].query));
  if (s.summary_state.empty()) return written;
  partial_file.write(pipeline::serialize_partial(m.partials[0].query, total, parts,
                                                 utc_timestamp(std::chrono::system_clock::now())));
  std::string error;
  if (partial_file.commit(error)) return written;
  log_line("error", error);
  return false;
}

// The merged run summary when summaries were given, else the merge's own.
bool summarize_merge(const merge_inputs& m, const count_merge* counts, int status, double seconds,
                     command_outputs& outputs) {
  if (!m.summaries.empty()) {
    run_stats merged;
    for (const auto& one : m.summaries) merge_stats(merged, one);
    if (counts) merged.distinct_words = counts->distinct(), merged.distinct_words_known = true;
    return outputs.summarize(format_summary_json(merged), format_summary_text(merged));
  }
  std::string text = "merged " + std::to_string(m.all.size()) + (m.all.size() == 1 ? " file" : " files");
  if (counts) text += ": " + std::to_string(counts->total()) + " words, " + std::to_string(counts->distinct()) + " distinct";
  return outputs.summarize(merge_summary_json(status, m.all.size(), counts, seconds), text + "\n");
}

}  // namespace

int run_merge(const config::merge_settings& s) {
  set_log_command("crawl merge");
  auto start = std::chrono::steady_clock::now();
  std::vector<std::string> errors;
  content_ids ids;
  merge_inputs m = read_inputs(s, ids, errors);
  check_request(s, m, errors);
  for (const auto& e : errors) log_line("error", e);
  if (!errors.empty()) return exit_status::usage;
  if (int status = check_coverage(m.summary_cover, s.allow_missing); status != exit_status::ok) return status;
  if (int status = check_complete(m.summaries, m.summary_cover, s.allow_missing); status != exit_status::ok)
    return status;
  if (int status = check_coverage(m.partial_cover, s.allow_missing); status != exit_status::ok) return status;

  command_outputs outputs(s);
  storage::atomic_file partial_file;
  std::string partial_error;
  if (!outputs.open() || (!s.summary_state.empty() && !partial_file.open(s.summary_state, partial_error))) {
    if (!partial_error.empty()) log_line("error", "--summary-state " + s.summary_state + ": " + partial_error);
    return exit_status::usage;
  }
  bool written = true;
  // Word counts, streamed through the bounded merge; a copy found among them stops it before any output.
  std::optional<count_merge> counts;
  if (m.count_files > 0) {
    constexpr std::size_t floor = 64 << 20;
    counts.emplace(s.memory ? s.memory : std::max(floor, 3 * m.largest_count_file), s.temp_dir);
    for (const auto& in : m.all)
      if (in.kind == input_kind::counts) read_count_file(in, *counts, ids, errors);
    std::string error;
    if (errors.empty() && !counts->finish(error)) errors.push_back(error);
    for (const auto& e : errors) log_line("error", e);
    if (!errors.empty()) return exit_status::usage;
    written = outputs.deliver(merged_counts_result(*counts));
  }
  if (!m.partials.empty()) written = deliver_partials(s, m, outputs, partial_file) && written;
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  int status = written ? exit_status::ok : exit_status::not_written;
  if (!summarize_merge(m, counts ? &*counts : nullptr, status, seconds, outputs)) status = exit_status::not_written;
  return status;
}

}  // namespace crawl::app
