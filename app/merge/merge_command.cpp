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
#include <map>
#include <optional>
#include <sstream>

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
  if (auto kind = tagged_kind(head)) {
    in.kind = *kind;
    std::ifstream whole(in.path, std::ios::binary);
    std::ostringstream text;
    text << whole.rdbuf();
    in.text = std::move(text).str();
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

std::string merge_summary_json(std::size_t files, const count_merge* counts, double seconds) {
  pipeline::json j = pipeline::json::object();
  pipeline::append_member(j, "exit_status", 0);
  pipeline::append_member(j, "files", files);
  if (counts) {
    pipeline::append_member(j, "words", counts->total());
    pipeline::append_member(j, "distinct_words", counts->distinct());
    pipeline::append_member(j, "temporary_runs", counts->runs_written());
  }
  pipeline::append_member(j, "wall_s", std::round(seconds * 1000.0) / 1000.0);
  return pipeline::dump_json(j, 2) + "\n";
}

// Every part once; missing parts stop the merge unless allowed.
int check_coverage(const std::vector<pipeline::covered_input>& covered, bool allow_missing) {
  auto report = pipeline::check_parts(covered);
  for (const auto& c : report.conflicts) log_line("error", c);
  if (!report.conflicts.empty()) return exit_status::usage;
  for (const auto& m : report.missing)
    log_line(allow_missing ? "warning" : "error", m + (allow_missing ? " (merged without them: --allow-missing)"
                                                                      : "; nothing was written (--allow-missing merges "
                                                                        "what there is)"));
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
    log_line(allow_missing ? "warning" : "error",
             cover[i].name + ": the run ended with exit status " + std::to_string(status) +
                 (summaries[i].interrupted ? " (interrupted)" : "") + ": its counts are not complete" +
                 (allow_missing ? " (merged as they are: --allow-missing)"
                                : "; nothing was written (--allow-missing merges what there is)"));
  }
  return incomplete && !allow_missing ? exit_status::partial : exit_status::ok;
}

}  // namespace

int run_merge(const config::merge_settings& s) {
  set_log_command("crawl merge");
  auto start = std::chrono::steady_clock::now();
  std::vector<std::string> errors;
  std::vector<merge_input> inputs;
  for (const auto& path : s.inputs) {
    if (std::string problem = unreadable(path); !problem.empty()) {
      errors.push_back(problem);
      continue;
    }
    merge_input in;
    in.path = path;
    std::string error;
    if (!classify(in, error)) errors.push_back(error);
    else inputs.push_back(std::move(in));
  }
  same_files(inputs, errors);
  // Summaries and partial results are read whole (they are small) and checked before any work.
  std::vector<run_stats> summaries;
  std::vector<pipeline::partial_result> partials;
  std::vector<pipeline::covered_input> summary_cover, partial_cover;
  std::vector<std::string> partial_names;
  content_ids ids;
  std::size_t count_files = 0, largest = 0;
  for (const auto& in : inputs) {
    std::string error;
    if (in.kind == input_kind::run_summary) {
      auto stats = parse_summary_json(in.text, error);
      if (!stats) errors.push_back(in.path + ": " + error);
      else summary_cover.push_back({in.path, stats->parts}), summaries.push_back(std::move(*stats));
      ids.add(in.path, crawler::stable_hash(in.text), errors);
    } else if (in.kind == input_kind::tail_partial) {
      auto partial = pipeline::parse_partial(in.text, error);
      if (!partial) errors.push_back(in.path + ": " + error);
      else partial_cover.push_back({in.path, partial->parts}), partials.push_back(std::move(*partial)),
           partial_names.push_back(in.path);
      ids.add(in.path, crawler::stable_hash(in.text), errors);
    } else {
      ++count_files;
      struct stat st {};
      if (in.path != "-" && ::stat(in.path.c_str(), &st) == 0) largest = std::max(largest, std::size_t(st.st_size));
    }
  }
  if (count_files > 0 && !partials.empty())
    errors.push_back("word counts and crawl tail partial results are merged separately (partial results carry "
                     "their own words)");
  for (std::size_t i = 1; i < partials.size(); ++i)
    if (pipeline::serialize_partial(partials[i].query, {}, {}, "") !=
        pipeline::serialize_partial(partials[0].query, {}, {}, ""))
      errors.push_back(partial_names[0] + " and " + partial_names[i] +
                       " answer different questions (--by, --per, --tz or aggregates): they cannot be merged");
  if (count_files == 0 && !s.output.empty() && partials.empty())
    errors.push_back("-o " + s.output + ": there are no word counts or partial results to write");
  if (inputs.empty() && errors.empty()) errors.push_back("nothing to merge");
  for (const auto& e : errors) log_line("error", e);
  if (!errors.empty()) return exit_status::usage;
  if (int status = check_coverage(summary_cover, s.allow_missing); status != exit_status::ok) return status;
  if (int status = check_complete(summaries, summary_cover, s.allow_missing); status != exit_status::ok) return status;
  if (int status = check_coverage(partial_cover, s.allow_missing); status != exit_status::ok) return status;

  command_outputs outputs(s);
  storage::atomic_file partial_file;
  std::string partial_error;
  if (!outputs.open() || (!s.summary_state.empty() && !partial_file.open(s.summary_state, partial_error))) {
    if (!partial_error.empty()) log_line("error", "--summary-state " + s.summary_state + ": " + partial_error);
    return exit_status::usage;
  }
  bool written = true;

  // Word counts, streamed through the bounded merge.
  std::optional<count_merge> counts;
  if (count_files > 0) {
    constexpr std::size_t floor = 64 << 20;
    counts.emplace(s.memory ? s.memory : std::max(floor, 3 * largest), s.temp_dir);
    for (const auto& in : inputs)
      if (in.kind == input_kind::counts) read_count_file(in, *counts, ids, errors);
    std::string error;
    if (errors.empty() && !counts->finish(error)) errors.push_back(error);
    for (const auto& e : errors) log_line("error", e);
    if (!errors.empty()) return exit_status::usage;
    written = outputs.deliver(merged_counts_result(*counts));
  }

  // crawl tail partial results: one summary, printed as crawl tail prints it.
  if (!partials.empty()) {
    pipeline::log_summary total;
    std::vector<pipeline::run_part> parts;
    for (const auto& p : partials) {
      total.merge(p.summary);
      parts.insert(parts.end(), p.parts.begin(), p.parts.end());
    }
    config::tail_settings view;
    view.sort = s.sort;
    std::vector<pipeline::log_summary> none;
    log_result result(view, total, partial_names, none, partials[0].query);
    written = outputs.deliver(result) && written;
    if (!s.summary_state.empty()) {
      partial_file.write(pipeline::serialize_partial(partials[0].query, total, parts,
                                                     utc_timestamp(std::chrono::system_clock::now())));
      std::string error;
      if (!partial_file.commit(error)) log_line("error", error), written = false;
    }
  }

  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  int status = written ? exit_status::ok : exit_status::not_written;
  if (!summaries.empty()) {
    run_stats merged;
    for (const auto& one : summaries) merge_stats(merged, one);
    if (counts) merged.distinct_words = counts->distinct(), merged.distinct_words_known = true;
    if (!outputs.summarize(format_summary_json(merged), format_summary_text(merged))) status = exit_status::not_written;
  } else {
    std::string text = "merged " + std::to_string(inputs.size()) + (inputs.size() == 1 ? " file" : " files");
    if (counts) text += ": " + std::to_string(counts->total()) + " words, " + std::to_string(counts->distinct()) + " distinct";
    if (!outputs.summarize(merge_summary_json(inputs.size(), counts ? &*counts : nullptr, seconds), text + "\n"))
      status = exit_status::not_written;
  }
  return status;
}

}  // namespace crawl::app
