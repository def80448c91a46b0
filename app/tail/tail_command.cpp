#include "tail_command.hpp"

#include "log_reader.hpp"
#include "follow.hpp"
#include "tail_output.hpp"
#include "crawl/storage/rotation.hpp"

#include "crawl/pipeline/log_summary.hpp"
#include "crawl/storage/decoder.hpp"
#include "crawl/storage/state_lock.hpp"
#include "crawl/storage/tail_state.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <glob.h>
#include <malloc.h>

#include <cstdio>
#include <thread>

namespace crawl::app {

namespace asio = boost::asio;
using chunk_channel_t = asio::experimental::concurrent_channel<void(boost::system::error_code, line_chunk)>;

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

// The batch workers: each a coroutine on a thread pool with its own
// summarizer and summaries, all taking chunks from one bounded channel.
class batch_workers {
 public:
  batch_workers(unsigned threads, std::size_t inputs, std::shared_ptr<const pipeline::summary_rules> rules)
      : pool_(threads), channel_(pool_.get_executor(), threads * 2) {
    results_.resize(threads);
    for (auto& r : results_) r.resize(inputs);
    for (unsigned i = 0; i < threads; ++i) asio::co_spawn(pool_, work(results_[i], rules), asio::detached);
  }
  chunk_channel_t& channel() { return channel_; }
  // Tells every worker the input is over, after the chunks already queued
  // (closing the channel instead would drop them).
  asio::awaitable<void> end() {
    for (std::size_t i = 0; i < results_.size(); ++i) {
      line_chunk sentinel{{}, false, end_of_input, 0};
      co_await channel_.async_send(boost::system::error_code{}, std::move(sentinel),
                                   asio::as_tuple(asio::use_awaitable));
    }
  }
  static constexpr std::size_t end_of_input = static_cast<std::size_t>(-1);
  // After close(): the per-input summaries of every worker, merged.
  std::vector<pipeline::log_summary> join() {
    pool_.join();
    std::vector<pipeline::log_summary> merged = std::move(results_[0]);
    for (std::size_t w = 1; w < results_.size(); ++w)
      for (std::size_t i = 0; i < merged.size(); ++i) merged[i].merge(results_[w][i]);
    return merged;
  }

 private:
  asio::awaitable<void> work(std::vector<pipeline::log_summary>& per_input,
                             std::shared_ptr<const pipeline::summary_rules> rules) {
    pipeline::log_summarizer summarizer(rules);
    for (;;) {
      auto [ec, chunk] = co_await channel_.async_receive(asio::as_tuple(asio::use_awaitable));
      if (ec || chunk.input == end_of_input) co_return;
      summarizer.add(chunk.bytes, chunk.truncated, per_input[chunk.input], chunk.skipped);
    }
  }

  asio::thread_pool pool_;
  chunk_channel_t channel_;
  std::vector<std::vector<pipeline::log_summary>> results_;
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
    lock = storage::state_lock::acquire(s.state, s.wait_lock, error);
    if (!lock) {
      std::fprintf(stderr, "crawl tail: %s\n", error.c_str());
      return 75;
    }
    state = storage::tail_state::open(s.state, error);
    if (!state) {
      std::fprintf(stderr, "crawl tail: %s\n", error.c_str());
      return 2;
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
  chunk_consumer consume = [&](line_chunk& chunk) -> asio::awaitable<void> {
    // Sent from a local with as_tuple: with plain use_awaitable, Asio 1.26
    // under GCC 12 left the payload's string pointing into a freed frame.
    line_chunk local = std::move(chunk);
    co_await workers.channel().async_send(boost::system::error_code{}, std::move(local),
                                          asio::as_tuple(asio::use_awaitable));
  };
  auto open_reader = [&](const std::string& path, std::size_t input) {
    std::string error;
    auto reader = open_log_reader(io.get_executor(), path, input, s.max_line, s.io_uring, s.verbose, error);
    if (!reader) errors.push_back(error);
    return reader;
  };
  // Reads a file that will not grow any more (a rotated predecessor) from `offset`.
  auto read_finished_file = [&](const std::string& path, std::size_t input,
                                std::uint64_t offset) -> asio::awaitable<void> {
    auto reader = open_reader(path, input);
    if (!reader) co_return;
    reader->skip_to(offset);
    bool ok = co_await reader->read_to_end(consume);
    co_await reader->finish(consume);
    if (!ok || !reader->error().empty()) errors.push_back(reader->error());
  };
  std::vector<storage::file_mark> marks;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        for (std::size_t i = 0; i < inputs.size(); ++i) {
          storage::resume_plan plan;
          if (state) {
            if (inputs[i] == "-") {
              errors.push_back("-: --state cannot resume standard input");
              continue;
            }
            plan = storage::plan_resume(inputs[i], state->get(inputs[i]));
            if (!plan.note.empty() && !s.quiet) std::fprintf(stderr, "crawl tail: %s\n", plan.note.c_str());
            if (!plan.predecessor.empty()) co_await read_finished_file(plan.predecessor, i, plan.predecessor_offset);
          }
          auto reader = open_reader(inputs[i], i);
          if (!reader) continue;
          if (plan.offset > 0) {
            if (storage::detect_compression(storage::leading_bytes(inputs[i], 4)) == storage::compression::none)
              reader->seek_to(plan.offset);
            else
              reader->skip_to(plan.offset);
          }
          if (s.last_lines) reader->seek_to(storage::last_lines_offset(inputs[i], *s.last_lines));
          bool ok = co_await reader->read_to_end(consume);
          // With --state an unterminated last line waits for the next run,
          // which will see it whole; without, it counts now.
          if (!state) co_await reader->finish(consume);
          if (!ok || !reader->error().empty()) {
            errors.push_back(reader->error());
          } else if (state) {
            if (auto mark = storage::current_mark(inputs[i], reader->line_offset())) marks.push_back(std::move(*mark));
          }
        }
        co_await workers.end();
        signals.cancel();
      },
      asio::detached);
  io.run();
  if (interrupted) workers.channel().close();
  std::vector<pipeline::log_summary> per_input = workers.join();

  for (const auto& e : errors) std::fprintf(stderr, "crawl tail: %s\n", e.c_str());
  pipeline::log_summary total;
  for (const auto& p : per_input) total.merge(p);
  bool written = write_tail_output(s, total, inputs, per_input, *rules);
  if (interrupted) return 130;
  // The state moves on only once the outputs are safely written: a run that
  // dies before this point is simply repeated by the next one.
  if (state && written) {
    std::string error;
    if (!state->save(marks, error)) {
      std::fprintf(stderr, "crawl tail: %s\n", error.c_str());
      return 1;
    }
  }
  return errors.empty() && written ? 0 : 1;
}

}  // namespace crawl::app
