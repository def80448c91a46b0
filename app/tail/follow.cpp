#include "follow.hpp"

#include "diagnostics.hpp"
#include "tail_command.hpp"
#include "tail_output.hpp"

#include "crawl/storage/rotation.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <set>

namespace crawl::app {

namespace asio = boost::asio;
using namespace boost::asio::experimental::awaitable_operators;

namespace {

struct followed {
  std::string path;
  std::size_t input;
  std::unique_ptr<log_reader> reader;
  dev_t dev = 0;
  ino_t ino = 0;
};

class follower {
 public:
  follower(const config::tail_settings& s, const std::vector<std::string>& inputs,
           std::shared_ptr<const pipeline::summary_rules> rules, std::vector<std::string>& errors,
           command_outputs& outputs)
      : s_(s),
        outputs_(outputs),
        inputs_(inputs),
        rules_(rules),
        errors_(errors),
        summarizer_(rules),
        per_input_(inputs.size()),
        notify_(io_),
        poll_(io_),
        report_timer_(io_),
        signals_(io_, SIGINT, SIGTERM),
        tty_(::isatty(STDOUT_FILENO) && s.stdout_format == config::result_format::table) {
    consume_ = [this](line_chunk& c) -> asio::awaitable<void> {
      summarizer_.add(c.bytes, c.truncated, per_input_[c.input], c.skipped, c.origin);
      co_return;
    };
    for (std::size_t i = 0; i < inputs.size(); ++i) files_.push_back(followed{inputs[i], i, nullptr});
    watch_folders();
  }

  pipeline::log_summary total() const {
    pipeline::log_summary sum;
    for (const auto& p : per_input_) sum.merge(p);
    return sum;
  }

  int run() {
    // A bug in either coroutine leaves io_.run() with the exception, to the top (exit 70).
    auto rethrow = [](std::exception_ptr e) {
      if (e) std::rethrow_exception(e);
    };
    asio::co_spawn(io_, follow_all(), rethrow);
    asio::co_spawn(io_, report_loop(), rethrow);
    signals_.async_wait([this](boost::system::error_code ec, int) {
      if (ec) return;
      stopping_ = true;
      poll_.cancel();
      report_timer_.cancel();
      boost::system::error_code ignored;
      notify_.cancel(ignored);
    });
    io_.run();
    int status = errors_.empty() ? exit_status::ok : exit_status::partial;
    return not_written_ ? worse(status, exit_status::not_written) : status;
  }

 private:
  void watch_folders() {
    int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) return;  // polling alone, then
    notify_.assign(fd);
    std::set<std::string> folders;
    for (const auto& f : files_) {
      if (f.path == "-") continue;
      auto slash = f.path.rfind('/');
      folders.insert(slash == std::string::npos ? "." : f.path.substr(0, std::max<std::size_t>(slash, 1)));
    }
    for (const auto& folder : folders)
      ::inotify_add_watch(fd, folder.c_str(),
                          IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CLOSE_WRITE | IN_ATTRIB);
  }

  // Opens the file at `path`; `from_end` starts at the end (or -n lines).
  void open(followed& f, bool from_end) {
    std::string error;
    f.reader = open_log_reader(io_.get_executor(), f.path, f.input, s_.max_line, s_.io_uring, s_.verbose,
                               input_format(s_), error);
    if (!f.reader) return;  // not there yet: waited for
    struct ::stat st {};
    if (f.reader->source().stat(st)) {
      f.dev = st.st_dev;
      f.ino = st.st_ino;
    }
    if (from_end) {
      if (s_.last_lines) f.reader->seek_to(storage::last_lines_offset(f.path, *s_.last_lines));
      else f.reader->seek_to(static_cast<std::uint64_t>(st.st_size));
    }
  }

  asio::awaitable<void> drain(followed& f) {
    if (!f.reader) co_return;
    bool ok = co_await f.reader->read_to_end(consume_);
    if (!ok) {
      note_error(f.reader->error());
      f.reader.reset();
    }
  }

  // Looks at one file: reads what was added, and notices rotation,
  // truncation, deletion and creation.
  asio::awaitable<void> check(followed& f) {
    co_await drain(f);
    if (f.path == "-") co_return;
    struct ::stat st {};
    bool exists = ::stat(f.path.c_str(), &st) == 0;
    if (!exists) co_return;  // deleted or renamed away: the old one was drained; wait for a new one
    if (!f.reader) {
      open(f, false);
      co_await drain(f);
      co_return;
    }
    struct ::stat open_st {};
    if (!f.reader->source().stat(open_st)) co_return;
    switch (storage::check_live(st, open_st, f.reader->source().offset())) {
      case storage::live_change::rotated:
        // The old file is drained to its end; now the new one, from its start.
        co_await f.reader->finish(consume_);
        if (!s_.quiet) log_line("info", f.path + ": rotated; reading the new file", {{"file", f.path}});
        open(f, false);
        co_await drain(f);
        break;
      case storage::live_change::truncated:
        log_line("warning", f.path + ": truncated; reading from the start", {{"file", f.path}});
        open(f, false);
        co_await drain(f);
        break;
      case storage::live_change::none:
        break;
    }
  }

  asio::awaitable<void> follow_all() {
    for (auto& f : files_) {
      open(f, true);
      if (!f.reader && f.path == "-") note_error("-: cannot read standard input");
    }
    while (!stopping_) {
      for (auto& f : files_) co_await check(f);
      if (stopping_) break;
      co_await wait_for_change();
    }
    for (auto& f : files_) {
      if (f.reader) co_await f.reader->finish(consume_);
    }
    print_summary(true);
    report_timer_.cancel();
    signals_.cancel();
    boost::system::error_code ignored;
    notify_.close(ignored);
  }

  // inotify says something changed in a watched folder, or a second passes
  // (the fallback for file systems without inotify, and for standard input).
  asio::awaitable<void> wait_for_change() {
    poll_.expires_after(std::chrono::seconds(1));
    if (notify_.is_open()) {
      co_await (notify_.async_wait(asio::posix::descriptor_base::wait_read, asio::as_tuple(asio::use_awaitable)) ||
                poll_.async_wait(asio::as_tuple(asio::use_awaitable)));
      char events[16 * 1024];
      while (::read(notify_.native_handle(), events, sizeof events) > 0) {
      }  // which file does not matter: every file is checked
    } else {
      co_await poll_.async_wait(asio::as_tuple(asio::use_awaitable));
    }
  }

  asio::awaitable<void> report_loop() {
    while (!stopping_) {
      report_timer_.expires_after(s_.every);
      auto [ec] = co_await report_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
      if (ec || stopping_) co_return;
      print_summary(false);
    }
  }

  // Each --every: the result on stdout (on a terminal, in place of the
  // last); at the end, delivered by the common rule (-o FILE too).
  void print_summary(bool final) {
    pipeline::log_summary sum = total();
    log_result result(s_, sum, inputs_, per_input_, rules_->query());
    // Redrawn in place: the cursor home, then the screen below it cleared
    // (not the whole screen, which some terminals push into scrollback).
    if (tty_ && !final) std::fputs("\033[H\033[J", stdout);
    // --format json: one object per line per refresh, for a reader of the stream.
    if (!final) result.one_line();
    if (final) {
      if (!outputs_.deliver(result)) not_written_ = true;
    } else {
      outputs_.print(result);
    }
    if (!tty_ && !final) std::fputs("\n", stdout);
    std::fflush(stdout);
  }

  void note_error(const std::string& e) {
    errors_.push_back(e);
    log_line("error", e);
  }

  const config::tail_settings& s_;
  command_outputs& outputs_;
  const std::vector<std::string>& inputs_;
  std::shared_ptr<const pipeline::summary_rules> rules_;
  std::vector<std::string>& errors_;
  asio::io_context io_;
  pipeline::log_summarizer summarizer_;
  std::vector<pipeline::log_summary> per_input_;
  std::vector<followed> files_;
  chunk_consumer consume_;
  asio::posix::stream_descriptor notify_;
  asio::steady_timer poll_;
  asio::steady_timer report_timer_;
  asio::signal_set signals_;
  bool tty_;
  bool stopping_ = false;
  bool not_written_ = false;
};

}  // namespace

int run_follow(const config::tail_settings& s, const std::vector<std::string>& inputs,
               std::shared_ptr<const pipeline::summary_rules> rules, std::vector<std::string>& errors) {
  command_outputs outputs(s);
  if (!outputs.open()) return exit_status::usage;
  auto start = std::chrono::steady_clock::now();
  follower f(s, inputs, std::move(rules), errors, outputs);
  int status = f.run();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  pipeline::log_summary total = f.total();
  warn_unread_lines(total, inputs);
  if (!outputs.summarize(tail_summary_json(status, inputs.size(), errors.size(), total, seconds),
                         tail_summary_text(inputs.size(), errors.size(), total, seconds)))
    status = worse(status, exit_status::not_written);
  return status;
}

}  // namespace crawl::app
