#include "tail_command.hpp"

#include "batch_workers.hpp"
#include "command_inputs.hpp"
#include "diagnostics.hpp"
#include "follow.hpp"
#include "log_reader.hpp"
#include "run_identity.hpp"
#include "tail_output.hpp"

#include "crawl/crawler/shard.hpp"
#include "crawl/pipeline/log_summary.hpp"
#include "crawl/pipeline/log_partial.hpp"
#include "crawl/pipeline/log_summary_output.hpp"
#include "crawl/storage/atomic_file.hpp"
#include "crawl/storage/decoder.hpp"
#include "crawl/storage/rotation.hpp"
#include "crawl/storage/state_lock.hpp"
#include "crawl/storage/tail_state.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <glob.h>
#include <sys/stat.h>
#include <malloc.h>

#include <algorithm>
#include <cstdio>
#include <thread>

namespace crawl::app {

namespace asio = boost::asio;

namespace {

// Expands arguments with glob characters; a pattern that matches nothing is
// an error naming it.
// --shard: only the files whose paths are this shard's; the others are
// counted. The path as given or as the glob expanded it (the same on every
// machine that sees the same shared folder).
std::size_t keep_shard_files(const config::shard_setting& shard, std::vector<std::string>& paths) {
  if (!shard.set()) return 0;
  std::size_t before = paths.size();
  std::erase_if(paths, [&](const std::string& p) { return crawler::shard_of_key(p, shard.count) != shard.index; });
  std::size_t others = before - paths.size();
  if (others > 0 && paths.empty())
    log_line("info", "none of the " + std::to_string(before) + " files is shard " + std::to_string(shard.index) +
                         "'s: its results are empty");
  return others;
}

std::vector<std::string> expand_inputs(const std::vector<std::string>& args, std::vector<std::string>& errors) {
  std::vector<std::string> out;
  for (const auto& arg : args) {
    if (arg == "-" || arg.find_first_of("*?[") == std::string::npos) {
      out.push_back(arg);
      continue;
    }
    glob_t g{};
    int rc = ::glob(arg.c_str(), 0, nullptr, &g);
    if (rc == 0) {
      for (std::size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
    } else {
      errors.push_back(arg + ": no file matches");
    }
    ::globfree(&g);
  }
  return out;
}

// Reads every input in order into the workers and, with --state, notes
// where each file's reading stopped. Runs on one io_context thread.
class batch_reader {
 public:
  batch_reader(const config::tail_settings& s, const std::vector<std::string>& inputs, asio::io_context& io,
               batch_workers& workers, storage::tail_state* state, std::vector<std::string>& errors)
      : s_(s), inputs_(inputs), io_(io), workers_(workers), state_(state), errors_(errors) {
    consume_ = [this](line_chunk& chunk) { return workers_.send(chunk); };
  }

  asio::awaitable<void> read_all() {
    for (std::size_t i = 0; i < inputs_.size(); ++i) co_await read_input(i);
    co_await workers_.end();
  }
  std::vector<storage::file_mark>& marks() { return marks_; }
  const std::vector<read_span>& spans() const { return spans_; }
  // Raw (compressed) bytes read so far, for the progress line.
  std::uint64_t bytes_read() const { return done_bytes_ + (current_ ? current_->source().offset() : 0); }

 private:
  // With --state a log may be in the middle of its rotation (renamed, not
  // yet created anew): a missing path is waited for as at the start
  // (unreadable's second), then opened once more (the 30-runs test hit
  // that window: exit 1).
  std::unique_ptr<log_reader> open_reader(const std::string& path, std::size_t input) {
    std::string error;
    auto open = [&] {
      error.clear();
      return open_log_reader(io_.get_executor(), path, input, s_.max_line, s_.io_uring, s_.verbose,
                             input_format(s_), error);
    };
    auto reader = open();
    if (!reader && state_ && unreadable(path, true).empty()) reader = open();
    if (!reader) errors_.push_back(error);
    return reader;
  }

  // A file that will not grow any more (rotated away), from `offset`.
  asio::awaitable<void> read_rotated(const storage::resume_step& step, std::size_t input) {
    auto reader = open_reader(step.path, input);
    if (!reader) co_return;
    start_at(*reader, step.offset);
    reading(*reader, step.path);
    bool ok = co_await reader->read_to_end(consume_);
    co_await reader->finish(consume_);
    done_reading(*reader);
    if (!ok || !reader->error().empty()) errors_.push_back(reader->error());
  }

  // The span and progress bookkeeping of each file read.
  void reading(log_reader& reader, const std::string& path) {
    current_ = &reader;
    spans_.push_back({path, reader.start_offset(), reader.start_offset()});
  }
  void done_reading(log_reader& reader) {
    spans_.back().to = reader.line_offset();
    done_bytes_ += reader.source().offset();
    current_ = nullptr;
  }

  asio::awaitable<void> read_input(std::size_t i) {
    const std::string& path = inputs_[i];
    if (state_ && path == "-") {
      errors_.push_back("-: --state cannot resume standard input");
      co_return;
    }
    auto reader = open_reader(path, i);
    if (!reader) co_return;
    if (state_) co_await resume(*reader, path, i);
    if (s_.last_lines) reader->seek_to(storage::last_lines_offset(path, *s_.last_lines));
    reading(*reader, path);
    bool ok = co_await reader->read_to_end(consume_);
    // With --state, a file rotated away while it was read is finished, and
    // the one now at the path is read too (as tail -F would), so the mark
    // always names the file at the path: the next run is then one rotation
    // behind at most.
    for (int hops = 0; ok && state_ && hops < max_rotation_hops && rotated_away(path, *reader); ++hops) {
      co_await reader->finish(consume_);
      done_reading(*reader);
      if (!reader->error().empty()) break;
      auto next = open_reader(path, i);
      if (!next) co_return;
      reader = std::move(next);
      reading(*reader, path);
      ok = co_await reader->read_to_end(consume_);
    }
    // With --state an unterminated last line waits for the next run,
    // which will see it whole; without, it counts now.
    if (!state_) co_await reader->finish(consume_);
    if (current_ == reader.get()) done_reading(*reader);
    if (!ok || !reader->error().empty()) {
      errors_.push_back(reader->error());
      co_return;
    }
    // The mark describes the file actually read: the open descriptor's
    // identity and first bytes, whatever the path names by now.
    if (state_)
      if (auto mark = storage::mark_of(path, reader->source().descriptor(), reader->line_offset()))
        marks_.push_back(std::move(*mark));
  }

  static constexpr int max_rotation_hops = 8;  // a log rotated faster than it can be read is left to the next run

  static bool rotated_away(const std::string& path, log_reader& reader) {
    struct ::stat at_path {}, open_file {};
    if (::stat(path.c_str(), &at_path) != 0 || !reader.source().stat(open_file)) return false;
    return storage::check_live(at_path, open_file, reader.source().offset()) == storage::live_change::rotated;
  }

  // Reads what was rotated away since the last run, then places the reader
  // where the last run stopped in this file.
  asio::awaitable<void> resume(log_reader& reader, const std::string& path, std::size_t i) {
    auto opened = storage::identify(reader.source().descriptor());
    if (!opened) co_return;
    auto plan = storage::plan_resume(path, *opened, state_->get(path));
    if (!plan.note.empty() && !s_.quiet) log_line("info", plan.note, {{"file", path}});
    for (const auto& step : plan.rotated) co_await read_rotated(step, i);
    start_at(reader, plan.offset);
  }

  // Places a reader `offset` decoded bytes in: a seek in a plain file,
  // decoding and dropping them in a compressed one.
  static void start_at(log_reader& reader, std::uint64_t offset) {
    if (offset == 0) return;
    auto opened = storage::identify(reader.source().descriptor());
    if (opened && storage::detect_compression(opened->head) == storage::compression::none) reader.seek_to(offset);
    else reader.skip_to(offset);
  }

  const config::tail_settings& s_;
  const std::vector<std::string>& inputs_;
  asio::io_context& io_;
  batch_workers& workers_;
  storage::tail_state* state_;
  std::vector<std::string>& errors_;
  chunk_consumer consume_;
  std::vector<storage::file_mark> marks_;
  std::vector<read_span> spans_;
  log_reader* current_ = nullptr;
  std::uint64_t done_bytes_ = 0;
};

}  // namespace

std::optional<pipeline::log_format> input_format(const config::tail_settings& s) {
  switch (s.input) {
    case config::tail_input::plain: return pipeline::log_format::plain;
    case config::tail_input::access: return pipeline::log_format::access;
    case config::tail_input::syslog: return pipeline::log_format::syslog;
    case config::tail_input::json: return pipeline::log_format::json;
    case config::tail_input::logfmt: return pipeline::log_format::logfmt;
    case config::tail_input::auto_detect: break;
  }
  return std::nullopt;
}

namespace {

pipeline::field_condition condition_of(const config::where_clause& w) {
  using config::where_op;
  static constexpr std::pair<where_op, pipeline::compare_op> ops[] = {
      {where_op::equal, pipeline::compare_op::equal},
      {where_op::not_equal, pipeline::compare_op::not_equal},
      {where_op::less, pipeline::compare_op::less},
      {where_op::less_equal, pipeline::compare_op::less_equal},
      {where_op::greater, pipeline::compare_op::greater},
      {where_op::greater_equal, pipeline::compare_op::greater_equal},
      {where_op::matches, pipeline::compare_op::matches}};
  pipeline::field_condition c{w.field, pipeline::compare_op::equal, w.value};
  for (const auto& [from, to] : ops)
    if (from == w.op) c.op = to;
  return c;
}

pipeline::aggregate_spec aggregate_of(const config::aggregate_option& a) {
  using config::aggregate;
  pipeline::aggregate_kind kind = pipeline::aggregate_kind::count;
  switch (a.kind) {
    case aggregate::count: kind = pipeline::aggregate_kind::count; break;
    case aggregate::sum: kind = pipeline::aggregate_kind::sum; break;
    case aggregate::avg: kind = pipeline::aggregate_kind::avg; break;
    case aggregate::min: kind = pipeline::aggregate_kind::min; break;
    case aggregate::max: kind = pipeline::aggregate_kind::max; break;
    case aggregate::quantile: kind = pipeline::aggregate_kind::quantile; break;
    case aggregate::distinct: kind = pipeline::aggregate_kind::distinct; break;
  }
  return {kind, a.field, a.q};
}

}  // namespace

pipeline::summary_options summary_options_from(const config::tail_settings& s) {
  pipeline::summary_options o;
  o.words = s.words;
  o.tokens = pipeline::tokenizer_options{
      s.keep_numbers, s.token, s.segment_chars ? pipeline::segmentation::character : pipeline::segmentation::icu};
  o.match = s.match;
  o.exclude = s.exclude;
  o.parse = s.parse;
  o.groups = s.groups;
  o.time_pattern = s.time_pattern;
  o.tz_offset = s.tz_offset;
  auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
  o.now = pipeline::utc_time{now.count(), 0};
  o.query.by = s.by;
  o.query.per = static_cast<pipeline::time_bucket>(s.per);
  for (const auto& w : s.where) o.query.where.push_back(condition_of(w));
  for (const auto& a : s.aggregates) o.query.aggregates.push_back(aggregate_of(a));
  o.query.max_groups = s.max_groups;
  return o;
}

// Chunks of 1 MiB are allocated by the reader and freed by the workers,
// over and over. By default glibc serves blocks that size with mmap, or
// trims them from the heap once freed, so every chunk faulted its pages in
// afresh (a tenth of a group-by run). Keep them in the heap for reuse;
// memory stays bounded by the chunks in flight.
static void keep_chunk_memory() {
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
}

namespace {

std::uint64_t size_of(const std::string& path) {
  struct ::stat st {};
  return path != "-" && ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) ? static_cast<std::uint64_t>(st.st_size) : 0;
}

// Takes the lock and the state, and settles a run killed while delivering.
// 0, or the exit status to stop with.
int open_tail_state(const config::tail_settings& s, std::unique_ptr<storage::state_lock>& lock,
                    std::unique_ptr<storage::tail_state>& state) {
  if (int status = lock_state(s.state, s.wait_lock, lock); status != 0) return status;
  std::string error;
  state = storage::tail_state::open(s.state, error);
  if (!state) {
    log_line("error", error, {{"file", s.state}});
    return exit_status::usage;
  }
  if (!state->recover(error)) {
    log_line("error", error, {{"file", s.state}});
    return exit_status::not_written;
  }
  return 0;
}

// "1.5 MB of 500.0 MB (0%), 85.2 MB/s" on a terminal, four times a second.
asio::awaitable<void> show_read_progress(const batch_reader& reader, std::uint64_t total,
                                         std::chrono::steady_clock::time_point start) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    timer.expires_after(std::chrono::milliseconds(250));
    co_await timer.async_wait(asio::use_awaitable);
    double mb = static_cast<double>(reader.bytes_read()) / 1e6;
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    char line[160];
    if (total > 0)
      std::snprintf(line, sizeof line, "read %.1f MB of %.1f MB (%.0f%%), %.1f MB/s", mb, static_cast<double>(total) / 1e6,
                    std::min(100.0, 100.0 * mb * 1e6 / static_cast<double>(total)), mb / std::max(seconds, 1e-3));
    else
      std::snprintf(line, sizeof line, "read %.1f MB, %.1f MB/s", mb, mb / std::max(seconds, 1e-3));
    show_progress(line);
  }
}

}  // namespace

namespace {

std::string place_of(const pipeline::line_sample& sample, const std::vector<std::string>& inputs) {
  std::string path = sample.input < inputs.size() ? inputs[sample.input] : "-";
  if (sample.line) return path + ":" + std::to_string(sample.line);
  return path + " (byte " + std::to_string(sample.offset) + ")";
}

void warn_about(const char* what, std::uint64_t count, const std::optional<pipeline::line_sample>& sample,
                const std::vector<std::string>& inputs) {
  if (count == 0 || !sample) return;
  std::string path = sample->input < inputs.size() ? inputs[sample->input] : "-";
  log_line("warning",
           place_of(*sample, inputs) + ": " + std::to_string(count) + " " + what + ", the first: \"" + sample->text + "\"",
           {{"file", path}, {"line", sample->line ? pipeline::json(sample->line) : pipeline::json(nullptr)},
            {"offset", sample->offset}, {"count", count}});
}

}  // namespace

// Lines left out of the answer are never silent: how many, and the first of
// them quoted with its file and line.
void warn_unread_lines(const pipeline::log_summary& total, const std::vector<std::string>& inputs) {
  warn_about(total.unparsed_lines == 1 ? "line not in its file's format was left out (unparsed_lines)"
                                       : "lines not in their file's format were left out (unparsed_lines)",
             total.unparsed_lines, total.first_unparsed, inputs);
  warn_about(total.untimed_lines == 1 ? "line without a readable timestamp was left out of the time buckets (untimed_lines)"
                                      : "lines without a readable timestamp were left out of the time buckets (untimed_lines)",
             total.untimed_lines, total.first_untimed, inputs);
}

namespace {

// --summary-state: the mergeable partial results, written whole or not at
// all, naming the part of the run they cover.
bool write_partial(storage::atomic_file& file, const pipeline::summary_rules& rules, const pipeline::log_summary& total,
                   const pipeline::run_part& part) {
  file.write(pipeline::serialize_partial(rules.query(), total, {part},
                                         utc_timestamp(std::chrono::system_clock::now())));
  std::string error;
  if (file.commit(error)) return true;
  log_line("error", error, {{"file", file.path()}});
  return false;
}

}  // namespace

std::string tail_summary_json(int status, std::size_t files, std::size_t failed, const pipeline::log_summary& total,
                              double seconds) {
  pipeline::json j = pipeline::json::object();
  pipeline::append_member(j, "exit_status", status);
  pipeline::append_member(j, "files", files);
  pipeline::append_member(j, "files_failed", failed);
  pipeline::append_member(j, "lines", total.lines);
  pipeline::append_member(j, "kept_lines", total.kept_lines);
  pipeline::append_member(j, "bytes", total.bytes);
  pipeline::append_member(j, "unparsed_lines", total.unparsed_lines);
  pipeline::append_member(j, "untimed_lines", total.untimed_lines);
  pipeline::append_member(j, "words", total.words.total());
  pipeline::append_member(j, "first_time", pipeline::time_or_null(total.first_time));
  pipeline::append_member(j, "last_time", pipeline::time_or_null(total.last_time));
  pipeline::append_member(j, "seconds", seconds);
  return pipeline::dump_json(j, 2) + "\n";
}

std::string tail_summary_text(std::size_t files, std::size_t failed, const pipeline::log_summary& total, double seconds) {
  char text[256];
  std::snprintf(text, sizeof text, "tail: %zu %s%s, %llu lines (%llu kept), %.1f MB in %.2f s (%.1f MB/s)\n", files,
                files == 1 ? "file" : "files",
                failed ? (" (" + std::to_string(failed) + " failed)").c_str() : "",
                static_cast<unsigned long long>(total.lines), static_cast<unsigned long long>(total.kept_lines),
                static_cast<double>(total.bytes) / 1e6, seconds,
                static_cast<double>(total.bytes) / 1e6 / std::max(seconds, 1e-3));
  return text;
}

int run_tail(const config::tail_settings& s) {
  keep_chunk_memory();
  auto start = std::chrono::steady_clock::now();
  std::vector<std::string> errors;
  std::vector<std::string> inputs = expand_inputs(s.files, errors);
  const pipeline::run_part part = part_of(s.shard, run_id_or_new(s.run_id));
  note_shard(s.shard, part.run_id, s.verbose);
  std::size_t other_shards = keep_shard_files(s.shard, inputs);
  auto rules = std::make_shared<const pipeline::summary_rules>(summary_options_from(s));
  if (!rules->error().empty()) {
    log_line("error", rules->error());
    return exit_status::usage;
  }
  if (!s.sort.empty() && !pipeline::is_answer_column(rules->query(), s.sort)) {
    std::string columns;
    for (const auto& c : pipeline::answer_columns(rules->query())) columns += (columns.empty() ? "" : ", ") + c;
    log_line("error", "--sort: '" + s.sort + "' is not a column of the answer (" + columns + ")");
    return exit_status::usage;
  }
  if (s.follow) {
    for (const auto& e : errors) log_line("error", e);
    return run_follow(s, inputs, rules, errors);
  }
  std::size_t refused = errors.size();
  std::vector<std::string> readable;
  for (const auto& path : inputs) {
    if (std::string problem = unreadable(path, !s.state.empty()); problem.empty()) readable.push_back(path);
    else errors.push_back(problem), ++refused;
  }
  for (const auto& e : errors) log_line("error", e);
  errors.clear();
  pipeline::log_summary nothing;
  // A shard may own none of the files: its results are empty, not an error.
  if (readable.empty() && !(other_shards > 0 && refused == 0)) {
    command_outputs::summarize_failed_start(s, tail_summary_json(exit_status::usage, s.files.size(), refused, nothing, 0));
    return exit_status::usage;
  }

  std::unique_ptr<storage::state_lock> lock;
  std::unique_ptr<storage::tail_state> state;
  if (!s.state.empty())
    if (int status = open_tail_state(s, lock, state); status != 0) {
      command_outputs::summarize_failed_start(s, tail_summary_json(status, s.files.size(), refused, nothing, 0));
      return status;
    }
  command_outputs outputs(s);
  storage::atomic_file partial;
  std::string partial_error;
  if (!outputs.open() || (!s.summary_state.empty() && !partial.open(s.summary_state, partial_error))) {
    if (!partial_error.empty())
      log_line("error", "--summary-state " + s.summary_state + ": " + partial_error, {{"file", s.summary_state}});
    command_outputs::summarize_failed_start(s, tail_summary_json(exit_status::usage, s.files.size(), refused, nothing, 0));
    return exit_status::usage;
  }

  unsigned threads = s.threads ? s.threads : std::max(1u, std::thread::hardware_concurrency());
  asio::io_context io;
  batch_workers workers(threads, readable.size(), rules);
  bool interrupted = false;
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int) {
    if (ec) return;
    interrupted = true;
    io.stop();
  });
  batch_reader reader(s, readable, io, workers, state.get(), errors);
  bool progress = progress_wanted(s.quiet);
  if (progress) {
    std::uint64_t total_size = 0;
    for (const auto& path : readable) total_size += size_of(path);
    asio::co_spawn(io, show_read_progress(reader, total_size, start), [](std::exception_ptr) {});
  }
  asio::co_spawn(io, reader.read_all(), [&](std::exception_ptr e) {
    signals.cancel();
    io.stop();  // the progress line's timer too
    if (e) std::rethrow_exception(e);  // a bug: to the top, exit 70
  });
  io.run();
  clear_progress();
  if (interrupted) workers.abandon();
  std::vector<pipeline::log_summary> per_input = workers.join();
  auto& marks = reader.marks();

  for (const auto& e : errors) log_line("error", e);
  pipeline::log_summary total;
  for (const auto& p : per_input) total.merge(p);
  warn_unread_lines(total, readable);
  // The state moves on with the output and only with it: an interrupted
  // run writes its output but keeps the old marks, so the next run repeats
  // what it read.
  log_result result(s, total, readable, per_input, rules->query(), reader.spans());
  bool written = deliver_tail(outputs, result, interrupted ? nullptr : state.get(), marks);
  if (!s.summary_state.empty() && !write_partial(partial, *rules, total, part)) written = false;
  std::size_t failed = refused + errors.size();
  int status = interrupted ? exit_status::interrupted : failed ? exit_status::partial : exit_status::ok;
  if (!written) status = worse(status, exit_status::not_written);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!outputs.summarize(tail_summary_json(status, s.files.size(), failed, total, seconds),
                         tail_summary_text(s.files.size(), failed, total, seconds)))
    status = worse(status, exit_status::not_written);
  return status;
}

}  // namespace crawl::app
