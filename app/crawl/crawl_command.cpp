#include "crawl_command.hpp"

#include "diagnostics.hpp"
#include "page_sink.hpp"
#include "run_stats.hpp"
#include "page_workers.hpp"
#include "crawl/crawler/url_feed.hpp"

#include "crawl/crawler/fetch.hpp"
#include "crawl/crawler/host_scheduler.hpp"
#include "crawl/crawler/multi_loop_pool.hpp"
#include "crawl/pipeline/count_output.hpp"
#include "crawl/storage/atomic_file.hpp"
#include "crawl/storage/crawl_state.hpp"
#include "crawl/storage/decoder.hpp"
#include "crawl/storage/state_lock.hpp"
#include "crawl/storage/warc.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <thread>

namespace crawl::app {

namespace asio = boost::asio;
using namespace boost::asio::experimental::awaitable_operators;
using clock = std::chrono::steady_clock;

namespace {

// Raises the open-files soft limit to the hard limit and returns how many
// transfers fit: one socket each, with 256 descriptors spare for files,
// threads and the resolver's short-lived pipes.
std::size_t transfers_that_fit() {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return 1 << 20;
  if (rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &rl);
    ::getrlimit(RLIMIT_NOFILE, &rl);
  }
  if (rl.rlim_cur == RLIM_INFINITY) return 1 << 20;
  auto limit = static_cast<std::size_t>(rl.rlim_cur);
  return limit > 512 ? limit - 256 : limit / 2;
}

crawler::request_options request_options_from(const config::crawl_settings& s, std::size_t concurrency) {
  crawler::request_options o;
  o.receive_buffer = crawler::receive_buffer_for(concurrency);
  o.connect_timeout = s.connect_timeout;
  o.timeout = s.timeout;
  o.low_speed_limit = s.low_speed_limit;
  o.low_speed_time = s.low_speed_time;
  o.max_redirects = s.max_redirects;
  o.max_size = s.max_size;
  o.user_agent = s.user_agent;
  o.headers = s.headers;
  o.insecure = s.insecure;
  o.cacert = s.cacert;
  o.proxy = s.proxy;
  o.verbose = s.verbose;
  o.capture_raw = !s.warc.empty();
  return o;
}

std::string format_result_line(const crawler::normalized_url& url, const crawler::fetch_result& r,
                               std::uint64_t words, clock::duration elapsed, const char* status_override) {
  std::string line = "{\"url\": ";
  pipeline::append_json_string(line, url.url);
  line += ", \"final_url\": ";
  pipeline::append_json_string(line, r.final_url);
  line += ", \"status\": " + std::to_string(r.http_status);
  line += ", \"content_type\": ";
  pipeline::append_json_string(line, r.content_type);
  line += ", \"bytes\": " + std::to_string(r.bytes);
  line += ", \"words\": " + std::to_string(words);
  line += ", \"ms\": " + std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count());
  line += ", \"attempts\": " + std::to_string(r.attempts);
  line += ", \"error\": ";
  if (status_override) pipeline::append_json_string(line, status_override);
  else if (r.error.empty()) line += "null";
  else pipeline::append_json_string(line, r.error);
  line += "}\n";
  return line;
}

// One run of `crawl URLS`. Everything here runs on the network thread.
class crawl_run {
 public:
  crawl_run(const config::crawl_settings& s, std::size_t concurrency, unsigned threads, int input_fd,
            asio::io_context& net, storage::atomic_file* results, storage::crawl_state* state,
            storage::warc_writer* warc)
      : s_(s),
        state_(state),
        warc_(warc),
        net_(net),
        work_(net.get_executor()),
        loops_(net.get_executor(), concurrency),
        workers_(threads, net),
        feed_(input_fd, net.get_executor()),
        scheduler_(concurrency, s.per_host, std::max<std::size_t>(concurrency * 2, 1024)),
        request_(request_options_from(s, concurrency)),
        rules_(std::make_shared<const pipeline::token_rules>(
            pipeline::tokenizer_options{s.keep_numbers, s.token})),
        wake_(net, clock::time_point::max()),
        room_(net, clock::time_point::max()),
        shutdown_(net, clock::time_point::max()),
        grace_(net),
        deadline_(net),
        progress_timer_(net),
        signals_(net, SIGINT, SIGTERM),
        results_(results),
        progress_(!s.quiet && ::isatty(STDERR_FILENO)) {
    retry_.retries = s.retries;
    retry_.base_delay = s.retry_delay;
  }

  void start() {
    started_ = clock::now();
    asio::co_spawn(net_, read_list(), asio::detached);
    asio::co_spawn(net_, drive(), asio::detached);
    asio::co_spawn(net_, watch_signals(), asio::detached);
    if (s_.deadline) asio::co_spawn(net_, watch_deadline(), asio::detached);
    if (progress_) asio::co_spawn(net_, show_progress(), asio::detached);
  }

  // After the io_context has run out of work.
  run_stats finish() {
    workers_.join();
    pipeline::word_counts totals = workers_.take_totals();
    totals.merge(restored_);
    stats_.words = totals.total();
    stats_.distinct_words = totals.distinct();
    stats_.duplicates = feed_.duplicates();
    stats_.unfinished += scheduler_.waiting();
    stats_.wall = clock::now() - started_;
    totals_ = std::move(totals);
    return std::move(stats_);
  }
  pipeline::word_counts& totals() { return totals_; }

 private:
  asio::awaitable<void> read_list();
  asio::awaitable<void> drive();
  asio::awaitable<void> fetch_one(crawler::scheduled_url url);
  asio::awaitable<void> watch_signals();
  asio::awaitable<void> watch_deadline();
  asio::awaitable<void> abort_after_grace();
  void restore(const storage::page_record& stored);
  void finish_url(const crawler::normalized_url& url, const crawler::fetch_result& r, clock::duration elapsed,
                  const page_outcome& outcome, bool store);
  void archive(const crawler::normalized_url& url, crawler::fetch_result& r);
  void remember(const crawler::normalized_url& url, const crawler::fetch_result& r, const page_outcome& outcome);
  asio::awaitable<void> show_progress();
  void take(crawler::url_batch& batch);
  void begin_stop();
  void record(const crawler::normalized_url& url, const crawler::fetch_result& r, clock::duration elapsed,
              const page_outcome& outcome);
  void clear_progress();

  const config::crawl_settings& s_;
  storage::crawl_state* state_;  // null without --state
  storage::warc_writer* warc_;   // null without --warc
  asio::io_context& net_;
  // Keeps net_ from stopping early: the feed and worker threads post to it
  // before it runs, and an io_context that runs out of work stops for good.
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  crawler::multi_loop_pool loops_;
  worker_pool workers_;
  crawler::url_feed feed_;
  crawler::host_scheduler scheduler_;
  crawler::request_options request_;
  crawler::retry_policy retry_;
  std::shared_ptr<const pipeline::token_rules> rules_;
  asio::steady_timer wake_;      // cancelled whenever the driver should look again
  asio::steady_timer room_;      // cancelled when the scheduler may have room for more lines
  asio::steady_timer shutdown_;  // expires (set to the past) on the first signal
  asio::steady_timer grace_;
  asio::steady_timer deadline_;
  asio::steady_timer progress_timer_;
  asio::signal_set signals_;
  storage::atomic_file* results_;
  bool progress_;
  bool input_done_ = false;
  bool stopping_ = false;
  bool finished_ = false;
  std::size_t pending_commits_ = 0;
  bool state_error_ = false;
  bool warc_error_ = false;  // pages fetched whose words are still being counted
  clock::time_point started_;
  run_stats stats_;
  pipeline::word_counts totals_;
  pipeline::word_counts restored_;  // counts of pages taken from the state: unchanged or done before
};

// Takes batches of lines from the feed while the scheduler has room. A
// receive is never raced against another wait: cancelling one could drop a
// batch already on its way.
asio::awaitable<void> crawl_run::read_list() {
  while (!stopping_) {
    if (!scheduler_.wants_more()) {
      co_await room_.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    auto [ec, batch] = co_await feed_.channel().async_receive(asio::as_tuple(asio::use_awaitable));
    if (ec || batch.empty()) break;
    take(batch);
    wake_.cancel();
  }
  input_done_ = true;
  wake_.cancel();
}

// The driver: starts what may start and waits for the next event.
asio::awaitable<void> crawl_run::drive() {
  for (;;) {
    bool started = false;
    while (auto url = scheduler_.next()) {
      asio::co_spawn(net_, fetch_one(std::move(*url)), asio::detached);
      started = true;
    }
    if (started) room_.cancel();
    if ((input_done_ || stopping_) && scheduler_.in_flight() == 0 && pending_commits_ == 0) break;
    co_await wake_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  finished_ = true;
  work_.reset();
  workers_.close();
  feed_.stop();
  boost::system::error_code ignored;
  signals_.cancel(ignored);
  grace_.cancel();
  deadline_.cancel();
  room_.cancel();
  progress_timer_.cancel();
  clear_progress();
}

void crawl_run::take(crawler::url_batch& batch) {
  if (batch.empty()) {
    input_done_ = true;
    return;
  }
  for (auto& line : batch) {
    ++stats_.lines_read;
    if (line.url) {
      scheduler_.add(crawler::scheduled_url{std::move(*line.url), line.line_no});
      continue;
    }
    ++stats_.bad_lines;
    clear_progress();
    log_line("error", s_.input + ":" + std::to_string(line.line_no) + ": " + line.error,
             {{"file", s_.input}, {"line", std::to_string(line.line_no)}});
  }
}

asio::awaitable<void> crawl_run::fetch_one(crawler::scheduled_url url) {
  std::optional<storage::page_record> stored;
  bool done_before = false;
  if (state_) stored = state_->get(url.url.url, done_before);
  if (done_before) {  // finished by the interrupted run this one resumes
    restore(*stored);
    crawler::fetch_result r;
    r.status = stored->failed ? crawler::fetch_status::failed : crawler::fetch_status::ok;
    r.http_status = stored->status;
    if (stored->failed) {
      r.reason = "failed before the resume";
      r.error = "failed in the interrupted run";
    }
    ++stats_.resumed_done;
    finish_url(url.url, r, clock::duration::zero(), page_outcome{stored->words, pipeline::content_kind::text, {}, 0},
               false);
    co_return;
  }
  crawler::validators known;
  bool conditional = stored && !s_.refresh && !stored->failed && stored->status == 200 &&
                     (!stored->etag.empty() || !stored->last_modified.empty());
  if (conditional) known = crawler::validators{stored->etag, stored->last_modified};
  auto sink = std::make_shared<page_sink>(workers_, rules_, net_.get_executor(), state_ != nullptr);
  auto t0 = clock::now();
  crawler::multi_loop& loop = loops_.for_host(url.url.host);
  crawler::fetch_result r =
      co_await crawler::fetch(loop, url.url, request_, retry_, *sink, shutdown_, conditional ? &known : nullptr);
  auto elapsed = clock::now() - t0;
  archive(url.url, r);
  if (r.status == crawler::fetch_status::ok) {
    ++pending_commits_;
    // The URL keeps its slots until its words are counted: when the workers
    // fall behind, fewer transfers start, instead of pages piling up.
    bool counting = sink->commit([this, url, r, elapsed](page_outcome outcome) {
      --pending_commits_;
      finish_url(url.url, r, elapsed, outcome, true);
    });
    if (counting) co_return;
    --pending_commits_;  // an empty body: nothing to count
  } else {
    sink->discard();
  }
  page_outcome outcome;
  if (r.status == crawler::fetch_status::not_modified) {
    // Unchanged since the last run: its stored counts stand for it.
    restore(*stored);
    outcome = page_outcome{stored->words, pipeline::content_kind::text, stored->counts, stored->content_hash};
    if (r.etag.empty()) r.etag = stored->etag;
    if (r.last_modified.empty()) r.last_modified = stored->last_modified;
  }
  finish_url(url.url, r, elapsed, outcome, true);
}

// A URL is done: its slots go back, its outcome is stored (unless it came
// from the state already) and counted, and the driver looks again.
void crawl_run::finish_url(const crawler::normalized_url& url, const crawler::fetch_result& r,
                           clock::duration elapsed, const page_outcome& outcome, bool store) {
  scheduler_.done(url.host);
  if (store) remember(url, r, outcome);
  record(url, r, elapsed, outcome);
  wake_.cancel();
}

// Writes a counted page's exchange, exactly as on the wire, to the archive,
// then lets go of the raw bytes.
void crawl_run::archive(const crawler::normalized_url& url, crawler::fetch_result& r) {
  if (warc_ && r.status == crawler::fetch_status::ok && !r.raw_response.empty()) {
    std::string error;
    if (!warc_->write_exchange(r.final_url.empty() ? url.url : r.final_url, r.raw_request, r.raw_response, error) &&
        !warc_error_) {
      warc_error_ = true;
      log_line("error", error);
    }
  }
  std::string().swap(r.raw_request);
  std::string().swap(r.raw_response);
}

// Adds a stored page's counts to the run's totals.
void crawl_run::restore(const storage::page_record& stored) {
  if (stored.failed || stored.counts.empty()) return;
  std::string text;
  if (!storage::zstd_decompress(stored.counts, text) || !pipeline::parse_counts(text, restored_)) {
    clear_progress();
    log_line("error", s_.state + ": the stored counts of " + stored.url + " are damaged; use --refresh",
             {{"url", stored.url}});
  }
}

// Writes the URL's outcome to the state, committed at once, so a run killed
// after this point never fetches it again.
void crawl_run::remember(const crawler::normalized_url& url, const crawler::fetch_result& r,
                         const page_outcome& outcome) {
  if (!state_ || r.status == crawler::fetch_status::interrupted) return;
  storage::page_record rec;
  rec.url = url.url;
  rec.etag = r.etag;
  rec.last_modified = r.last_modified;
  rec.status = r.status == crawler::fetch_status::not_modified ? 200 : r.http_status;
  rec.content_hash = outcome.content_hash;
  rec.fetched_at = static_cast<std::int64_t>(std::time(nullptr));
  rec.words = outcome.words;
  rec.counts = outcome.counts;
  rec.failed = r.status == crawler::fetch_status::failed;
  std::string error;
  if (!state_->put(rec, error) && !state_error_) {
    state_error_ = true;
    clear_progress();
    log_line("error", error);
  }
}

void crawl_run::record(const crawler::normalized_url& url, const crawler::fetch_result& r, clock::duration elapsed,
                       const page_outcome& outcome) {
  using crawler::fetch_status;
  stats_.retries += r.attempts > 1 ? static_cast<std::uint64_t>(r.attempts - 1) : 0;
  if (r.http_status > 0) ++stats_.status_codes[r.http_status];
  const char* note = nullptr;
  if (r.status == fetch_status::ok && outcome.kind == pipeline::content_kind::other) {
    note = "skipped: the body looks binary";
    ++stats_.skipped;
    ++stats_.skipped_by_reason["binary"];
  } else if (r.status == fetch_status::ok || r.status == fetch_status::not_modified) {
    ++stats_.ok;
    if (r.status == fetch_status::not_modified) ++stats_.unchanged;
    stats_.bytes += r.bytes;
    if (r.attempts > 0)  // not for pages taken from the state without a request
      stats_.latency.add(std::chrono::duration_cast<std::chrono::microseconds>(elapsed));
  } else if (r.status == fetch_status::skipped) {
    ++stats_.skipped;
    ++stats_.skipped_by_reason[r.reason];
  } else if (r.status == fetch_status::interrupted) {
    ++stats_.unfinished;
  } else {
    ++stats_.failed;
    ++stats_.failed_by_reason[r.reason];
    if (!s_.quiet) {
      clear_progress();
      log_line("error", url.url + ": " + r.error, {{"url", url.url}, {"reason", r.reason}});
    }
  }
  if (results_ && r.status != fetch_status::interrupted)
    results_->write(format_result_line(url, r, outcome.words, elapsed, note));
}

void crawl_run::begin_stop() {
  stopping_ = true;
  stats_.interrupted = true;
  feed_.stop();
  room_.cancel();
  shutdown_.expires_at(clock::time_point::min());  // ends retry waits; no new attempts
  wake_.cancel();
}

asio::awaitable<void> crawl_run::watch_signals() {
  auto [ec, signo] = co_await signals_.async_wait(asio::as_tuple(asio::use_awaitable));
  if (ec || finished_ || stopping_) co_return;
  begin_stop();
  if (!s_.quiet) {
    clear_progress();
    log_line("warning", std::string(strsignal(signo)) + ": letting " + std::to_string(loops_.running()) +
                            " transfers finish (up to " + std::to_string(s_.grace.count()) +
                            " ms); a second signal stops now");
  }
  co_await abort_after_grace();
}

// --deadline ends the run as SIGTERM would.
asio::awaitable<void> crawl_run::watch_deadline() {
  deadline_.expires_after(*s_.deadline);
  auto [ec] = co_await deadline_.async_wait(asio::as_tuple(asio::use_awaitable));
  if (ec || finished_ || stopping_) co_return;
  begin_stop();
  stats_.deadline_reached = true;
  if (!s_.quiet) {
    clear_progress();
    log_line("warning", "--deadline reached: letting " + std::to_string(loops_.running()) +
                            " transfers finish (up to " + std::to_string(s_.grace.count()) + " ms)");
  }
  co_await abort_after_grace();
}

// Transfers in flight get --grace; a (further) signal cuts it short.
asio::awaitable<void> crawl_run::abort_after_grace() {
  grace_.expires_after(s_.grace);
  co_await (grace_.async_wait(asio::as_tuple(asio::use_awaitable)) ||
            signals_.async_wait(asio::as_tuple(asio::use_awaitable)));
  if (!finished_) loops_.abort_all();
}

void crawl_run::clear_progress() {
  if (progress_) std::fputs("\r\033[K", stderr);
}

asio::awaitable<void> crawl_run::show_progress() {
  while (!finished_) {
    progress_timer_.expires_after(std::chrono::milliseconds(250));
    auto [ec] = co_await progress_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec || finished_) co_return;
    double secs = std::chrono::duration<double>(clock::now() - started_).count();
    std::fprintf(stderr, "\r\033[Kcrawl: %llu/%llu done, %.0f pages/s, %zu in flight, %llu errors",
                 static_cast<unsigned long long>(stats_.done()), static_cast<unsigned long long>(stats_.lines_read),
                 secs > 0 ? static_cast<double>(stats_.done()) / secs : 0.0, scheduler_.in_flight(),
                 static_cast<unsigned long long>(stats_.failed + stats_.bad_lines));
  }
}

// Runs of the same list resume each other: the list is known by its absolute path.
std::string list_key(const std::string& input) {
  if (input == "-") return "-";
  char* real = ::realpath(input.c_str(), nullptr);
  std::string key = real ? real : input;
  std::free(real);
  return key;
}

int open_input(const std::string& input, std::string& error) {
  if (input == "-") return STDIN_FILENO;
  int fd = ::open(input.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) error = input + ": " + std::strerror(errno);
  return fd;
}

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

int run_crawl(const config::crawl_settings& s) {
  set_log_format(s.log_json ? log_format::json : log_format::text);
  std::string error;
  // A run that cannot start still leaves its --summary, with the status.
  auto early_exit = [&](int status) {
    run_stats failed_start;
    failed_start.exit_status = status;
    storage::atomic_file file;
    std::string ignored;
    if (!s.summary.empty() && file.open(s.summary, ignored)) {
      file.write(format_summary_json(failed_start));
      file.commit(ignored);
    }
    return status;
  };
  int fd = open_input(s.input, error);
  if (fd < 0) {
    log_line("error", error, {{"file", s.input}});
    return early_exit(2);
  }
  storage::atomic_file results, counts, summary;
  if (!open_output(s.results, results) || !open_output(s.output, counts) || !open_output(s.summary, summary)) {
    if (fd > 0) ::close(fd);
    return early_exit(2);
  }
  std::size_t concurrency = s.concurrency;
  if (std::size_t fit = transfers_that_fit(); concurrency > fit) {
    log_line("warning", "the open-files limit allows " + std::to_string(fit) +
                            " transfers; --concurrency lowered from " + std::to_string(concurrency));
    concurrency = fit;
  }
  unsigned threads = s.threads ? s.threads : std::max(1u, std::thread::hardware_concurrency());

  std::unique_ptr<storage::state_lock> lock;
  std::unique_ptr<storage::crawl_state> state;
  storage::run_info run_info;
  if (!s.state.empty()) {
    lock = storage::state_lock::acquire(s.state, s.wait_lock, error);
    if (!lock) {
      log_line("error", error);
      if (fd > 0) ::close(fd);
      summary = storage::atomic_file();
      return early_exit(75);
    }
    state = storage::crawl_state::open(s.state, error);
    if (!state) {
      log_line("error", error);
      if (fd > 0) ::close(fd);
      summary = storage::atomic_file();
      return early_exit(2);
    }
    run_info = state->begin_run(list_key(s.input));
    if (run_info.resumed && !s.quiet)
      log_line("info", "resuming the interrupted run of " + s.input + ": " + std::to_string(run_info.done_before) +
                           " URLs were already done");
  }

  std::optional<storage::warc_writer> warc;
  if (!s.warc.empty()) warc.emplace(s.warc, s.warc_max_size, "crawl/0.1.0");

  asio::io_context net;
  run_stats stats;
  pipeline::word_counts totals;
  {
    crawl_run run(s, concurrency, threads, fd, net, results.is_open() ? &results : nullptr, state.get(),
                  warc ? &*warc : nullptr);
    run.start();
    net.run();
    stats = run.finish();
    totals = std::move(run.totals());
  }
  stats.resumed = run_info.resumed;
  stats.exit_status = stats.interrupted ? 130 : (stats.failed || stats.bad_lines) ? 1 : 0;

  bool written = true;
  if (warc && !warc->close(error)) {
    log_line("error", error);
    written = false;
  }
  if (counts.is_open()) {
    auto format = pipeline::format_for_path(s.output).value_or(pipeline::count_format::tsv);
    pipeline::write_counts(format, pipeline::ranked(totals), [&](std::string_view piece) { counts.write(piece); });
    written = commit_output(counts) && written;
  }
  written = commit_output(results) && written;
  if (s.top > 0) std::fputs(pipeline::format_top_table(pipeline::top(totals, s.top), totals.total()).c_str(), stdout);
  std::fflush(stdout);
  if (!s.quiet)
    std::fputs((current_log_format() == log_format::json ? format_summary_json(stats) : format_summary_text(stats)).c_str(),
               stderr);
  if (summary.is_open()) {
    summary.write(format_summary_json(stats));
    written = commit_output(summary) && written;
  }
  if (!written && stats.exit_status == 0) stats.exit_status = 1;
  // A complete run closes its run in the state: the next one starts afresh
  // (revalidating what it has); an interrupted one is resumed next time.
  if (state && !stats.interrupted && written && !state->finish_run(error)) {
    log_line("error", error);
    if (stats.exit_status == 0) stats.exit_status = 1;
  }
  return stats.exit_status;
}

}  // namespace crawl::app
