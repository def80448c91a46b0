#include "tail_command.hpp"

#include "batch_workers.hpp"
#include "follow.hpp"
#include "log_reader.hpp"
#include "tail_output.hpp"

#include "crawl/pipeline/log_summary.hpp"
#include "crawl/storage/decoder.hpp"
#include "crawl/storage/rotation.hpp"
#include "crawl/storage/state_lock.hpp"
#include "crawl/storage/tail_state.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <glob.h>
#include <malloc.h>

#include <cstdio>
#include <thread>

namespace crawl::app {

namespace asio = boost::asio;

namespace {

// Expands arguments with glob characters; a pattern that matches nothing is
// an error naming it.
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

pipeline::summary_options summary_options_from(const config::tail_settings& s) {
  pipeline::summary_options o;
  o.words = s.words;
  o.tokens = pipeline::tokenizer_options{s.keep_numbers, s.token};
  o.match = s.match;
  o.exclude = s.exclude;
  o.groups = s.groups;
  o.per = static_cast<pipeline::time_bucket>(s.per);
  o.time_pattern = s.time_pattern;
  return o;
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

 private:
  std::unique_ptr<log_reader> open_reader(const std::string& path, std::size_t input) {
    std::string error;
    auto reader = open_log_reader(io_.get_executor(), path, input, s_.max_line, s_.io_uring, s_.verbose, error);
    if (!reader) errors_.push_back(error);
    return reader;
  }

  // A file that will not grow any more (rotated away), from `offset`.
  asio::awaitable<void> read_rotated(const storage::resume_step& step, std::size_t input) {
    auto reader = open_reader(step.path, input);
    if (!reader) co_return;
    start_at(*reader, step.offset);
    bool ok = co_await reader->read_to_end(consume_);
    co_await reader->finish(consume_);
    if (!ok || !reader->error().empty()) errors_.push_back(reader->error());
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
    bool ok = co_await reader->read_to_end(consume_);
    // With --state, a file rotated away while it was read is finished, and
    // the one now at the path is read too (as tail -F would), so the mark
    // always names the file at the path: the next run is then one rotation
    // behind at most.
    for (int hops = 0; ok && state_ && hops < max_rotation_hops && rotated_away(path, *reader); ++hops) {
      co_await reader->finish(consume_);
      if (!reader->error().empty()) break;
      auto next = open_reader(path, i);
      if (!next) co_return;
      reader = std::move(next);
      ok = co_await reader->read_to_end(consume_);
    }
    // With --state an unterminated last line waits for the next run,
    // which will see it whole; without, it counts now.
    if (!state_) co_await reader->finish(consume_);
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
    if (!plan.note.empty() && !s_.quiet) std::fprintf(stderr, "crawl tail: %s\n", plan.note.c_str());
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
};

}  // namespace

// Chunks of 1 MiB are allocated by the reader and freed by the workers,
// over and over. By default glibc serves blocks that size with mmap, or
// trims them from the heap once freed, so every chunk faulted its pages in
// afresh (a tenth of a group-by run). Keep them in the heap for reuse;
// memory stays bounded by the chunks in flight.
static void keep_chunk_memory() {
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
}

int run_tail(const config::tail_settings& s) {
  keep_chunk_memory();
  std::vector<std::string> errors;
  std::vector<std::string> inputs = expand_inputs(s.files, errors);
  auto rules = std::make_shared<const pipeline::summary_rules>(summary_options_from(s));
  if (!rules->error().empty()) {
    std::fprintf(stderr, "crawl tail: %s\n", rules->error().c_str());
    return 2;
  }
  if (s.follow) return run_follow(s, inputs, rules, errors);

  std::unique_ptr<storage::state_lock> lock;
  std::unique_ptr<storage::tail_state> state;
  if (!s.state.empty()) {
    std::string error;
    auto attempt = storage::state_lock::acquire(s.state, s.wait_lock);
    if (!attempt.lock) {
      std::fprintf(stderr, "crawl tail: %s\n", attempt.error.c_str());
      return attempt.held_elsewhere ? 75 : 2;
    }
    lock = std::move(attempt.lock);
    state = storage::tail_state::open(s.state, error);
    if (!state) {
      std::fprintf(stderr, "crawl tail: %s\n", error.c_str());
      return 2;
    }
    if (!state->recover(error)) {
      std::fprintf(stderr, "crawl tail: %s\n", error.c_str());
      return 1;
    }
  }

  unsigned threads = s.threads ? s.threads : std::max(1u, std::thread::hardware_concurrency());
  asio::io_context io;
  batch_workers workers(threads, inputs.size(), rules);
  bool interrupted = false;
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int) {
    if (ec) return;
    interrupted = true;
    io.stop();
  });
  batch_reader reader(s, inputs, io, workers, state.get(), errors);
  asio::co_spawn(io, reader.read_all(), [&](std::exception_ptr e) {
    signals.cancel();
    if (e) std::rethrow_exception(e);  // a bug: to the top, exit 70
  });
  io.run();
  if (interrupted) workers.abandon();
  std::vector<pipeline::log_summary> per_input = workers.join();
  auto& marks = reader.marks();

  for (const auto& e : errors) std::fprintf(stderr, "crawl tail: %s\n", e.c_str());
  pipeline::log_summary total;
  for (const auto& p : per_input) total.merge(p);
  // The state moves on with the output and only with it: an interrupted
  // run writes its output but keeps the old marks, so the next run repeats
  // what it read.
  bool written = write_tail_output(s, total, inputs, per_input, *rules, interrupted ? nullptr : state.get(), marks);
  if (interrupted) return 130;
  return errors.empty() && written ? 0 : 1;
}

}  // namespace crawl::app
